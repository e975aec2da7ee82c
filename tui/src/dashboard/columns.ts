// The one reduction of windows into display columns (chart columns, sparkline characters):
// per column the largest exact window (the peak), the sums for an average, how many windows it
// holds and how many of them a lost stretch covers. A peak is never averaged away, and a lost
// stretch counts neither as zeros nor as a peak: only its known totals go into the sums.
import type { SetSeries } from '../windows/series.js';

/** Per-window limits as numbers (Infinity where none): a window above either is hot. */
export interface Limits {
  readonly frames: number;
  readonly bytes: number;
}

export const NO_LIMITS: Limits = { frames: Infinity, bytes: Infinity };

/** Marks lost windows in a column of a chart or a sparkline; a character, so it survives NO_COLOR. */
export const LOST_MARK = '?';

export class Columns {
  readonly peakFrames: Float64Array;
  readonly peakBytes: Float64Array;
  readonly sumFrames: Float64Array;
  readonly sumBytes: Float64Array;
  /** Windows in the column, lost ones included. */
  readonly windows: Float64Array;
  /** Windows of the column that a lost stretch covers. */
  readonly lostWindows: Float64Array;
  /** The six arrays above, one after the other: one allocation per build, not six. */
  readonly #all: Float64Array;

  constructor(readonly count: number) {
    this.#all = new Float64Array(6 * count);
    const part = (i: number) => this.#all.subarray(i * count, (i + 1) * count);
    this.peakFrames = part(0);
    this.peakBytes = part(1);
    this.sumFrames = part(2);
    this.sumBytes = part(3);
    this.windows = part(4);
    this.lostWindows = part(5);
  }

  /** One exact window into column c. */
  addWindow(c: number, frames: number, bytes: number): void {
    if (frames > this.peakFrames[c]) this.peakFrames[c] = frames;
    if (bytes > this.peakBytes[c]) this.peakBytes[c] = bytes;
    this.sumFrames[c] += frames;
    this.sumBytes[c] += bytes;
    this.windows[c]++;
  }

  /** `k` exact windows of `frames` and `bytes` each (an idle run: zeros). */
  addWindows(c: number, k: number, frames: number, bytes: number): void {
    if (frames > this.peakFrames[c]) this.peakFrames[c] = frames;
    if (bytes > this.peakBytes[c]) this.peakBytes[c] = bytes;
    this.sumFrames[c] += frames * k;
    this.sumBytes[c] += bytes * k;
    this.windows[c] += k;
  }

  /** `windows` windows of a lost stretch into column c, with their share of its totals. */
  addLost(c: number, windows: number, frames: number, bytes: number): void {
    this.sumFrames[c] += frames;
    this.sumBytes[c] += bytes;
    this.windows[c] += windows;
    this.lostWindows[c] += windows;
  }

  clone(): Columns {
    const c = new Columns(this.count);
    c.#all.set(this.#all);
    return c;
  }

  clear(c: number): void {
    this.peakFrames[c] = 0;
    this.peakBytes[c] = 0;
    this.sumFrames[c] = 0;
    this.sumBytes[c] = 0;
    this.windows[c] = 0;
    this.lostWindows[c] = 0;
  }

  /** Exact windows (not lost) in column c: only these have a peak. */
  exact(c: number): number {
    return this.windows[c] - this.lostWindows[c];
  }

  /** Whether column c holds a hot window: its largest exact window exceeds a limit. */
  hot(c: number, limits: Limits): boolean {
    return this.exact(c) > 0 && (this.peakFrames[c] > limits.frames || this.peakBytes[c] > limits.bytes);
  }

  /** Column c covers only lost windows: nothing is known of its windows one by one. */
  onlyLost(c: number): boolean {
    return this.lostWindows[c] > 0 && this.exact(c) === 0;
  }

  avgFrames(c: number): number {
    return this.windows[c] > 0 ? this.sumFrames[c] / this.windows[c] : 0;
  }

  avgBytes(c: number): number {
    return this.windows[c] > 0 ? this.sumBytes[c] / this.windows[c] : 0;
  }

  /** The largest peak over all columns. */
  maxPeakFrames(): number {
    let m = 0;
    for (let c = 0; c < this.count; c++) if (this.peakFrames[c] > m) m = this.peakFrames[c];
    return m;
  }

  maxPeakBytes(): number {
    let m = 0;
    for (let c = 0; c < this.count; c++) if (this.peakBytes[c] > m) m = this.peakBytes[c];
    return m;
  }

  /** Windows, frames and bytes summed over all columns (for averages and rates). */
  totals(): { windows: number; frames: number; bytes: number } {
    let windows = 0;
    let frames = 0;
    let bytes = 0;
    for (let c = 0; c < this.count; c++) {
      windows += this.windows[c];
      frames += this.sumFrames[c];
      bytes += this.sumBytes[c];
    }
    return { windows, frames, bytes };
  }
}

export interface ColumnView {
  readonly columns: Columns;
  /** Windows per column. */
  readonly zoom: number;
  /** Windows the columns cover, as window numbers: [fromWindow, toWindow). */
  readonly fromWindow: number;
  readonly toWindow: number;
}

/**
 * The kept windows as at most `width` columns of `zoom` windows each, the newest column ending
 * `offset` windows before the latest window. Fewer columns when less history is kept.
 */
export function buildColumns(s: SetSeries, zoom: number, width: number, offset = 0): ColumnView {
  const available = Math.ceil((s.windows - offset) / zoom);
  const n = Math.max(0, Math.min(width, available));
  const cols = new Columns(n);
  const toWindow = s.endWindow - offset;
  const shown = n * zoom;
  // `back`: windows between the end of row i and the latest window's end.
  for (let i = s.length - 1, back = 0; i >= 0 && back < offset + shown; i--) {
    const span = s.span(i);
    const lo = back - offset;
    back += span;
    if (lo + span <= 0) continue;
    if (span === 1 && s.lost(i) === 0) {
      cols.addWindow(n - 1 - Math.floor(lo / zoom), s.frames(i), s.bytes(i));
      continue;
    }
    // A row of several windows (a lost stretch or an idle run): each column gets its share.
    const frames = s.frames(i) / span;
    const bytes = s.bytes(i) / span;
    const end = Math.min(lo + span, shown);
    for (let w = Math.max(lo, 0); w < end;) {
      const c = Math.floor(w / zoom);
      const upto = Math.min(end, (c + 1) * zoom);
      const k = upto - w;
      if (s.lost(i) === 0) cols.addWindows(n - 1 - c, k, frames, bytes);
      else cols.addLost(n - 1 - c, k, frames * k, bytes * k);
      w = upto;
    }
  }
  return { columns: cols, zoom, fromWindow: toWindow - shown, toWindow };
}
