// A set's sparkline for the table: the recent windows as SPARK_WIDTH columns of about 100 ms,
// kept up to date as rows arrive (O(1) a row), so that every set can be watched at every redraw
// without rescanning its windows. Columns are aligned to absolute window numbers, so a finished
// column never changes. The same reduction as the charts (Columns): peak, sums, lost.
import { Columns, LOST_MARK, type Limits } from './columns.js';

export const SPARK_WIDTH = 16;
/** Time a sparkline character covers, about. */
const COLUMN_NS = 100_000_000n;
const BLOCKS = '▁▂▃▄▅▆▇█';

export class SparkTrack {
  readonly columns = new Columns(SPARK_WIDTH);
  /** Windows per column. */
  readonly zoom: number;
  /** Windows the newest column still takes; null before the first row. */
  private left: number | null = null;

  constructor(periodNs: bigint) {
    const z = COLUMN_NS / periodNs;
    this.zoom = z > 0n ? Number(z) : 1;
  }

  /**
   * One row of a tiling, as numbers, from window number startWindow; rows follow each other
   * without gaps (as the Tiler gives them), so only the first one's start is looked at, to
   * align the columns.
   */
  push(startWindow: number, span: number, frames: number, bytes: number, lost: number): void {
    if (this.left === null) this.left = this.zoom - (startWindow % this.zoom);
    let remaining = span;
    // Columns this row would fill and scroll out again are skipped: an idle hour is one step.
    const beyond = Math.ceil((remaining - this.left) / this.zoom);
    if (beyond >= SPARK_WIDTH) {
      this.shift(SPARK_WIDTH);
      remaining -= this.left + (beyond - SPARK_WIDTH) * this.zoom;
      this.left = 0;
    }
    while (remaining > 0) {
      if (this.left === 0) {
        this.shift(1);
        this.left = this.zoom;
      }
      const k = Math.min(this.left, remaining);
      this.into(SPARK_WIDTH - 1, k, span, frames, bytes, lost);
      this.left -= k;
      remaining -= k;
    }
  }

  /** `k` of a row's `span` windows into column c. */
  private into(c: number, k: number, span: number, frames: number, bytes: number, lost: number): void {
    if (k === 0) return;
    if (lost > 0) this.columns.addLost(c, k, (frames * k) / span, (bytes * k) / span);
    else if (span === 1) this.columns.addWindow(c, frames, bytes);
    else this.columns.addWindows(c, k, frames / span, bytes / span);
  }

  /** Moves the columns `steps` to the left, the new ones empty. */
  private shift(steps: number): void {
    const cols = this.columns;
    const keep = Math.max(0, SPARK_WIDTH - steps);
    for (const a of [cols.peakFrames, cols.peakBytes, cols.sumFrames, cols.sumBytes, cols.windows, cols.lostWindows])
      a.copyWithin(0, SPARK_WIDTH - keep);
    for (let c = keep; c < SPARK_WIDTH; c++) cols.clear(c);
  }
}

interface SparkCell {
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
