// The dashboard's data: per counter set a bounded ring of recent windows, fed by the drain
// (or a replay file), and the figures the table shows.
import type { SetStatus } from '../../addon/types.js';
import type { Feed } from './feed.js';
import { si } from './units.js';
import { RING_WINDOWS, SetSeries } from './series.js';
import { type Row, Tiler } from './tiler.js';

/** What the table shows for one set. */
export interface SetView {
  readonly name: string;
  readonly periodNs: bigint;
  /** Samples queued / capacity, e.g. "3/1024": the kernel FIFO's (`stats`, as the drain read
   * it); "-" when unknown. */
  readonly fifo: string;
  /** Frames and bytes of the latest window, null before the first. */
  readonly latest: { readonly frames: number; readonly bytes: number } | null;
  readonly peakFrames: number;
  readonly peakBytes: number;
  /** Frames and bits per second over the latest second of windows. */
  readonly pps: number;
  readonly bps: number;
  readonly totalFrames: bigint | null;
  readonly totalBytes: bigint | null;
  readonly lost: bigint;
  readonly error: string | null;
}

const SECOND_NS = 1_000_000_000n;

function summarize(s: SetSeries, extra: { fifo: string; lost: bigint; error: string | null }): SetView {
  let peakFrames = 0;
  let peakBytes = 0;
  for (let i = 0; i < s.length; i++) {
    if (s.lost(i) !== 0) continue; // a lost stretch is not one window
    peakFrames = Math.max(peakFrames, s.frames(i));
    peakBytes = Math.max(peakBytes, s.bytes(i));
  }
  const last = s.length - 1;
  // Rates over the latest second of windows (at least one window).
  const spanWindows = Math.max(1, Number(SECOND_NS / s.periodNs));
  let windows = 0;
  let frames = 0;
  let bytes = 0;
  for (let i = last; i >= 0 && windows < spanWindows; i--) {
    windows += s.span(i);
    frames += s.frames(i);
    bytes += s.bytes(i);
  }
  const secs = (windows * Number(s.periodNs)) / 1e9;
  return {
    name: s.name,
    periodNs: s.periodNs,
    fifo: extra.fifo,
    latest: last >= 0 ? { frames: s.frames(last), bytes: s.bytes(last) } : null,
    peakFrames,
    peakBytes,
    pps: secs > 0 ? frames / secs : 0,
    bps: secs > 0 ? (bytes * 8) / secs : 0,
    totalFrames: s.totalFrames,
    totalBytes: s.totalBytes,
    lost: extra.lost,
    error: extra.error,
  };
}

/** What every view of the dashboard needs, frozen while paused. */
export interface Snapshot {
  readonly sets: readonly SetView[];
  readonly series: ReadonlyMap<string, SetSeries>;
  /** Samples per second drained, summed over sets. */
  readonly drainRate: number;
  readonly lost: bigint;
  readonly lastError: string | null;
}

interface Tracked {
  series: SetSeries;
  tiler: Tiler;
}

/** Live model: call update() on every tick; snapshot() for the view. */
export class LiveModel {
  private sets = new Map<string, Tracked>();
  private status: SetStatus[] = [];
  private lastError: string | null = null;
  private drainRate = 0;
  private prevSamples: { total: bigint; atMs: number } | null = null;

  constructor(private readonly feed: Feed) {}

  update(nowMs: number): void {
    // Status before take: windows up to lastReadStartNs are then in the batch or idle.
    this.status = this.feed.status();
    const batches = this.feed.take();
    for (const ev of this.feed.events()) {
      if (ev.type === 'error') this.lastError = ev.name !== null ? `${ev.name}: ${ev.message}` : ev.message;
    }
    // Status is the list of sets: one that left it has gone (its ring goes with it).
    const present = new Set(this.status.map((st) => st.name));
    for (const name of this.sets.keys()) if (!present.has(name)) this.sets.delete(name);
    for (const st of this.status) {
      let t = this.sets.get(st.name);
      if (t === undefined || t.series.periodNs !== st.periodNs) {
        t = {
          series: new SetSeries(st.name, st.periodNs),
          tiler: new Tiler(st.periodNs, null, RING_WINDOWS),
        };
        this.sets.set(st.name, t);
      }
    }
    for (const b of batches) {
      const t = this.sets.get(b.name);
      if (t !== undefined) t.series.add(t.tiler.feed(b));
    }
    let total = 0n;
    for (const st of this.status) {
      const t = this.sets.get(st.name);
      if (t === undefined) continue;
      t.series.add(t.tiler.idleUntil(st.lastReadStartNs));
      t.series.totalFrames = st.totalFrames;
      t.series.totalBytes = st.totalBytes;
      total += st.samplesRead;
    }
    if (this.prevSamples !== null && nowMs - this.prevSamples.atMs >= 1000) {
      // A set that went away takes its count with it: never report a negative rate.
      this.drainRate = Math.max(0, (Number(total - this.prevSamples.total) * 1000) / (nowMs - this.prevSamples.atMs));
      this.prevSamples = { total, atMs: nowMs };
    } else if (this.prevSamples === null) this.prevSamples = { total, atMs: nowMs };
  }

  /** The current figures; with `freeze` the series are copied so later updates do not show. */
  snapshot(freeze = false): Snapshot {
    const sets: SetView[] = [];
    const series = new Map<string, SetSeries>();
    let lost = 0n;
    for (const st of this.status) {
      const t = this.sets.get(st.name);
      if (t === undefined) continue;
      const s = freeze ? t.series.clone() : t.series;
      series.set(st.name, s);
      const setLost = st.kernelLost + st.ringDropped;
      lost += setLost;
      const queued = st.dataReadersQueued;
      // Exact while it fits the table's column, in k/M beyond.
      const exact = `${queued}/${st.capacity}`;
      const fifo = exact.length <= 11 ? exact : `${si(queued)}/${si(st.capacity)}`;
      sets.push(summarize(s, { fifo, lost: setLost, error: st.error }));
    }
    return { sets, series, drainRate: this.drainRate, lost, lastError: this.lastError };
  }
}

/** A replay file's rows as a snapshot: one set, nothing draining. */
export function replaySnapshot(name: string, rows: readonly Row[], periodNs: bigint): Snapshot {
  const s = new SetSeries(name, periodNs, Math.max(rows.length, 1));
  s.add(rows);
  let frames = 0n;
  let bytes = 0n;
  let lost = 0n;
  for (const r of rows) {
    frames += r.frames;
    bytes += r.bytes;
    lost += r.lost;
  }
  s.totalFrames = frames;
  s.totalBytes = bytes;
  return {
    sets: [summarize(s, { fifo: '-', lost, error: null })],
    series: new Map([[name, s]]),
    drainRate: 0,
    lost,
    lastError: null,
  };
}
