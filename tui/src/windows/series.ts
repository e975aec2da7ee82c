// A bounded ring of a set's recent windows for the dashboard. Per-window figures are stored as
// numbers in typed arrays (a window's delta never nears 2^53), so a redraw scans them without
// allocating. Time is a window number (ns / period, exact in a number); endNs gives it in ns.
import { type Row, rowNumbers } from './tiler.js';

/** Windows kept per set: enough for a full-width chart at the largest zoom. */
export const RING_WINDOWS = 16_384;

export class SetSeries {
  private spans: Float64Array;
  private framesA: Float64Array;
  private bytesA: Float64Array;
  private lostA: Float64Array;
  private head = 0;
  private count = 0;
  /** Windows the kept rows cover (a lost stretch covers several). */
  windows = 0;
  /** Window number the latest row ends at (the next window's start). */
  endWindow = 0;
  /** The set's running totals (`stats`; sums for a replay), when known. */
  totalFrames: bigint | null = null;
  totalBytes: bigint | null = null;

  constructor(
    readonly name: string,
    readonly periodNs: bigint,
    readonly capacity = RING_WINDOWS,
  ) {
    this.spans = new Float64Array(capacity);
    this.framesA = new Float64Array(capacity);
    this.bytesA = new Float64Array(capacity);
    this.lostA = new Float64Array(capacity);
  }

  /** End of the latest row, ns since the epoch. */
  get endNs(): bigint {
    return BigInt(this.endWindow) * this.periodNs;
  }

  /** Rows on the period's grid, in time order. */
  add(rows: readonly Row[]): void {
    for (const r of rows) {
      const [start, span, frames, bytes, lost] = rowNumbers(r, this.periodNs);
      this.push(span, frames, bytes, lost, start + span);
    }
  }

  /** One row as numbers: its width in windows, figures, and the window number it ends at. */
  push(span: number, frames: number, bytes: number, lost: number, endWindow: number): void {
    let k: number;
    if (this.count === this.capacity) {
      k = this.head;
      this.windows -= this.spans[k];
      this.head = this.head + 1 === this.capacity ? 0 : this.head + 1;
    } else {
      k = (this.head + this.count) % this.capacity;
      this.count++;
    }
    this.spans[k] = span;
    this.framesA[k] = frames;
    this.bytesA[k] = bytes;
    this.lostA[k] = lost;
    this.windows += span;
    this.endWindow = endWindow;
  }

  get length(): number {
    return this.count;
  }

  /** Row i, 0 being the oldest kept: its width in windows and figures. */
  span(i: number): number {
    return this.spans[(this.head + i) % this.capacity];
  }
  frames(i: number): number {
    return this.framesA[(this.head + i) % this.capacity];
  }
  bytes(i: number): number {
    return this.bytesA[(this.head + i) % this.capacity];
  }
  lost(i: number): number {
    return this.lostA[(this.head + i) % this.capacity];
  }

  clone(): SetSeries {
    const c = new SetSeries(this.name, this.periodNs, this.capacity);
    c.spans = this.spans.slice();
    c.framesA = this.framesA.slice();
    c.bytesA = this.bytesA.slice();
    c.lostA = this.lostA.slice();
    c.head = this.head;
    c.count = this.count;
    c.windows = this.windows;
    c.endWindow = this.endWindow;
    c.totalFrames = this.totalFrames;
    c.totalBytes = this.totalBytes;
    return c;
  }
}
