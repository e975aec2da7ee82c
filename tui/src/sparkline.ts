// A set's sparkline for the table: the recent windows as SPARK_WIDTH columns of about 100 ms,
// kept up to date as rows arrive (O(1) a row), so that every set can be watched at every redraw
// without rescanning its windows. Columns are aligned to absolute window numbers, so a finished
// column never changes. The same reduction as the charts (Columns): peak, sums, lost.
import { Columns, type Limits } from './columns.js';
import type { Row } from './tiler.js';

export const SPARK_WIDTH = 16;
/** Time a sparkline character covers, about. */
const COLUMN_NS = 100_000_000n;
export const BLOCKS = '▁▂▃▄▅▆▇█';
/** A column whose windows were all lost: nothing is known of them one by one. */
export const LOST_MARK = '?';

export class SparkTrack {
  readonly columns = new Columns(SPARK_WIDTH);
  /** Windows per column. */
  readonly zoom: number;
  private readonly columnNs: bigint;
  /** Where the next row should start, and where the newest column ends; null before a row. */
  private next: bigint | null = null;
  private newestEnd = 0n;

  constructor(readonly periodNs: bigint) {
    const z = COLUMN_NS / periodNs;
    this.zoom = z > 0n ? Number(z) : 1;
    this.columnNs = periodNs * BigInt(this.zoom);
  }

  add(rows: readonly Row[]): void {
    const last = SPARK_WIDTH - 1;
    for (const r of rows) {
      // The common case, the next window inside the newest column, takes two comparisons.
      if (r.lost === 0n && r.startNs === this.next && r.endNs <= this.newestEnd) {
        this.columns.addWindow(last, Number(r.frames), Number(r.bytes));
        this.next = r.endNs;
        continue;
      }
      const windows = Number((r.endNs - r.startNs) / this.periodNs) || 1;
      for (let w = r.startNs; w < r.endNs;) {
        this.shiftTo(w);
        const upto = r.endNs < this.newestEnd ? r.endNs : this.newestEnd;
        const k = Number((upto - w) / this.periodNs) || 1;
        if (r.lost === 0n)
          for (let j = 0; j < k; j++)
            this.columns.addWindow(last, j === 0 ? Number(r.frames) : 0, j === 0 ? Number(r.bytes) : 0);
        else this.columns.addLost(last, k, (Number(r.frames) * k) / windows, (Number(r.bytes) * k) / windows);
        w = upto;
      }
      this.next = r.endNs;
    }
  }

  /** Makes the column holding the instant `t` the newest (a later row never goes back). */
  private shiftTo(t: bigint): void {
    if (this.next !== null && t < this.newestEnd) return;
    const end = t - (t % this.columnNs) + this.columnNs;
    const steps = this.next === null ? SPARK_WIDTH : Number((end - this.newestEnd) / this.columnNs);
    const keep = Math.max(0, SPARK_WIDTH - steps);
    const cols = this.columns;
    for (const a of [cols.peakFrames, cols.peakBytes, cols.sumFrames, cols.sumBytes, cols.windows, cols.lostWindows])
      a.copyWithin(0, SPARK_WIDTH - keep);
    for (let c = keep; c < SPARK_WIDTH; c++) cols.clear(c);
    this.newestEnd = end;
  }
}

export interface SparkCell {
  readonly char: string;
  readonly hot: boolean;
}

/**
 * One character per column: the column's peak frames on a scale whose top is the largest peak
 * shown; blank for no frames (and before the first window), LOST_MARK for a lost-only column.
 */
export function sparkCells(cols: Columns, limits: Limits): SparkCell[] {
  const max = cols.maxPeakFrames();
  const cells: SparkCell[] = [];
  for (let c = 0; c < cols.count; c++) {
    const peak = cols.peakFrames[c];
    let char = ' ';
    if (cols.onlyLost(c)) char = LOST_MARK;
    else if (peak > 0) char = BLOCKS[Math.max(0, Math.ceil((peak / max) * BLOCKS.length) - 1)];
    cells.push({ char, hot: cols.hot(c, limits) });
  }
  return cells;
}
