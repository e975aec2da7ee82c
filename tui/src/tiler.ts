// Turns a counter set's samples (cumulative counters at the end of windows that saw traffic)
// into rows that tile time: one per window, zero rows for idle windows, one row spanning a
// stretch whose detail was lost. Everything is bigint: timestamps exceed 2^53.
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
/** Growth of an unsigned 64-bit counter, correct across a wrap. */
export const delta = (now: bigint, before: bigint): bigint => (now - before) & U64;

export class Tiler {
  /** End of the latest row; rows so far tile [first start, nextStartNs). */
  private next: bigint | null;
  private base: Counters | null;

  /**
   * @param periodNs window width
   * @param startNs rows begin with the first window starting at or after this instant; null:
   *   begin after the first sample, which only sets the baseline
   * @param base cumulative counters before the first row (e.g. from `stats`); samples of
   *   windows before the first row replace it
   */
  constructor(
    readonly periodNs: bigint,
    startNs: bigint | null,
    base: Counters | null,
  ) {
    this.next = startNs === null ? null : ((startNs + periodNs - 1n) / periodNs) * periodNs;
    this.base = base;
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
      if (this.next === null) {
        this.next = end;
        this.base = now;
        continue;
      }
      if (start < this.next) {
        // A window before the first row only sets the baseline. After rows began, an engine
        // that keeps its promise never delivers a window already closed as idle; if one did,
        // its growth goes into the next row (the baseline stays) so sums remain exact.
        if (!this.started) this.base = now;
        continue;
      }
      const base = this.base ?? now;
      if (lost > 0n) {
        rows.push({ startNs: this.next, endNs: end, frames: delta(now.frames, base.frames), bytes: delta(now.bytes, base.bytes), lost });
      } else {
        for (let t = this.next; t < start; t += P) rows.push(idle(t, P));
        rows.push({ startNs: start, endNs: end, frames: delta(now.frames, base.frames), bytes: delta(now.bytes, base.bytes), lost: 0n });
      }
      this.next = end;
      this.base = now;
      this.started = true;
    }
    return rows;
  }

  /** Zero rows for windows that ended at or before `knownNs` without a sample. */
  idleUntil(knownNs: bigint): Row[] {
    const rows: Row[] = [];
    if (this.next === null) return rows;
    const P = this.periodNs;
    while (this.next + P <= knownNs) {
      rows.push(idle(this.next, P));
      this.next += P;
    }
    if (rows.length > 0) this.started = true;
    return rows;
  }

  private started = false;
}

function idle(start: bigint, P: bigint): Row {
  return { startNs: start, endNs: start + P, frames: 0n, bytes: 0n, lost: 0n };
}

export const CSV_HEADER = 'start_ns,end_ns,frames,bytes,lost\n';

export function csvLine(r: Row): string {
  return `${r.startNs},${r.endNs},${r.frames},${r.bytes},${r.lost}\n`;
}
