// Turns a counter set's samples (cumulative counters at the end of windows that saw traffic)
// into rows that tile time: one per window, zero rows for idle windows (or one zero row per
// idle run), one row spanning a stretch whose detail was lost. Everything is bigint:
// timestamps exceed 2^53.
import type { SampleBatch } from '../../addon/types.js';

export interface Row {
  readonly startNs: bigint;
  readonly endNs: bigint;
  readonly frames: bigint;
  readonly bytes: bigint;
  /** Samples whose detail is missing inside this row (0 for an exact window). */
  readonly lost: bigint;
}

export interface Counters {
  readonly frames: bigint;
  readonly bytes: bigint;
}

const U64 = (1n << 64n) - 1n;
/** Growth of an unsigned 64-bit counter, correct across a wrap (masked only then: it runs per sample). */
export const delta = (now: bigint, before: bigint): bigint => (now >= before ? now - before : (now - before) & U64);

/** Where the rows of an export begin: the instant it started and the counters then. */
export interface Origin {
  readonly startNs: bigint;
  readonly base: Counters;
}

/**
 * How idle runs come out: every idle window as a zero row (null), only the last N of a run
 * (a bounded view does not need the rest), or 'bulk': one zero row spanning the whole run, for
 * consumers that count windows rather than draw them (at 100 us, 10,000 idle windows a second).
 */
type IdleRows = number | 'bulk' | null;

export class Tiler {
  /** Start of the next row; null until the first sample when there is no origin. */
  private next: bigint | null;
  private base: Counters | null;
  private started = false;

  /**
   * @param origin rows begin with the first window starting at or after origin.startNs, and
   *   origin.base holds the counters before it (samples of earlier windows replace it);
   *   null: rows begin after the first sample, which only sets the baseline
   * @param keepIdle how idle runs come out (see IdleRows); an export leaves it unset
   */
  constructor(
    readonly periodNs: bigint,
    origin: Origin | null,
    private readonly keepIdle: IdleRows = null,
  ) {
    this.next = origin === null ? null : ((origin.startNs + periodNs - 1n) / periodNs) * periodNs;
    this.base = origin === null ? null : origin.base;
  }

  get nextStartNs(): bigint | null {
    return this.next;
  }

  /** Latest cumulative counters known. */
  get counters(): Counters | null {
    return this.base;
  }

  /** Rows completed by one batch of samples, oldest first. */
  feed(batch: SampleBatch): Row[] {
    const rows: Row[] = [];
    const P = this.periodNs;
    for (let i = 0; i < batch.timestamps.length; i++) {
      const start = batch.timestamps[i];
      const end = start + P;
      const now = { frames: batch.frames[i], bytes: batch.bytes[i] };
      const lost = batch.lostBefore[i];
      if (this.next === null || this.base === null) {
        this.next = end;
        this.base = now;
        continue;
      }
      if (start < this.next) {
        // A window before the first row only sets the baseline. After rows began, a drain
        // that keeps its promise never delivers a window already closed as idle; if one did,
        // its growth goes into the next row (the baseline stays) so sums remain exact.
        if (!this.started) this.base = now;
        continue;
      }
      const frames = delta(now.frames, this.base.frames);
      const bytes = delta(now.bytes, this.base.bytes);
      if (lost > 0n) {
        rows.push({ startNs: this.next, endNs: end, frames, bytes, lost });
      } else {
        this.idleTo(start, rows);
        rows.push({ startNs: start, endNs: end, frames, bytes, lost: 0n });
      }
      this.next = end;
      this.base = now;
      this.started = true;
    }
    return rows;
  }

  /** Zero rows for windows that ended at or before `knownNs` without a sample (in bulk: one). */
  idleUntil(knownNs: bigint): Row[] {
    const rows: Row[] = [];
    if (this.next === null) return rows;
    this.idleTo(this.next + ((knownNs - this.next) / this.periodNs) * this.periodNs, rows);
    return rows;
  }

  /** Appends zero rows from the next row's start up to `to` (a window boundary). */
  private idleTo(to: bigint, rows: Row[]): void {
    const P = this.periodNs;
    let t = this.next;
    if (t === null || to <= t) return;
    if (this.keepIdle === 'bulk') {
      rows.push({ startNs: t, endNs: to, frames: 0n, bytes: 0n, lost: 0n });
    } else {
      if (this.keepIdle !== null && (to - t) / P > BigInt(this.keepIdle)) t = to - BigInt(this.keepIdle) * P;
      for (; t < to; t += P) rows.push(idle(t, P));
    }
    this.next = to;
    this.started = true;
  }
}

function idle(start: bigint, P: bigint): Row {
  return { startNs: start, endNs: start + P, frames: 0n, bytes: 0n, lost: 0n };
}
