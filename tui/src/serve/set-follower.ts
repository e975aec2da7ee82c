// Follows the drain: starts watching each set as it appears (origin: that moment and its
// `stats`), feeds it its samples and idle windows every tick, forgets it when it goes. A set
// that comes back under the same name starts again from zero.
import type { Feed } from '../windows/feed.js';
import type { Thresholds } from '../windows/threshold.js';
import type { Counters } from '../windows/tiler.js';
import { WatchedSet } from './watched-set.js';

interface FollowOptions {
  readonly thresholds: Thresholds | null;
  readonly peakIntervalSeconds: number;
  /** A set's cumulative counters now (its `stats`), or null when they cannot be read. */
  readonly readCounters: (name: string) => Counters | null;
  /** CLOCK_REALTIME in ns. */
  readonly nowNs: () => bigint;
}

const MS = 1_000_000n;

export class SetFollower {
  readonly sets = new Map<string, WatchedSet>();
  /** Errors the drain reported (unreadable sets or directory, malformed data). */
  drainErrors = 0;
  /** Sets whose reads are failing right now. */
  setsFailing = 0;

  constructor(private readonly o: FollowOptions) {}

  /** One drain tick. Calls onError with each error the drain reported since the last tick. */
  tick(feed: Feed, onError: (message: string) => void = () => {}): void {
    for (const ev of feed.events()) {
      // 'added' also means: whatever had this name before is gone.
      if (ev.type !== 'error') this.sets.delete(ev.name);
      else {
        this.drainErrors++;
        onError(ev.message);
      }
    }
    // Status before take: every window that ended by a set's lastReadStartNs is then in the
    // batch taken below, or idle (see SetStatus).
    const statuses = feed.status();
    const present = new Set<string>();
    this.setsFailing = 0;
    for (const st of statuses) {
      present.add(st.name);
      if (st.error !== null) this.setsFailing++;
      if (!this.sets.has(st.name) && st.periodNs > 0n) this.sets.set(st.name, this.#watch(st.name, st.periodNs));
    }
    for (const name of [...this.sets.keys()]) if (!present.has(name)) this.sets.delete(name);
    for (const b of feed.take()) this.sets.get(b.name)?.ingest(b);
    for (const st of statuses) this.sets.get(st.name)?.idleUntil(st);
  }

  /** The drain is gone (module unloaded, drain stopped): so are its sets. */
  clear(): void {
    this.sets.clear();
    this.setsFailing = 0;
  }

  #watch(name: string, periodNs: bigint): WatchedSet {
    // Counters first, then the start rounded up: no packet of a counted window is in the base.
    const base = this.o.readCounters(name);
    const startNs = this.o.nowNs() + MS;
    return new WatchedSet({
      name,
      periodNs,
      origin: base === null ? null : { startNs, base },
      thresholds: this.o.thresholds,
      peakIntervalSeconds: this.o.peakIntervalSeconds,
    });
  }
}
