// Bursts as SPEC section 4 defines them: maximal runs of consecutive hot windows. An idle
// window, an idle or lost stretch given as one row, a gap between rows, or any window that is
// not hot ends a run.
// One definition for the dashboard, both exports and the exporter.
import { ExactSum } from './exact-sum.js';
import type { Row } from './tiler.js';
import { type Thresholds, windowLimits, windowLimitsNumber } from './threshold.js';

export interface Burst {
  /** Start of the first hot window. */
  readonly startNs: bigint;
  /** End of the last hot window. */
  readonly endNs: bigint;
  readonly windows: number;
  readonly frames: bigint;
  readonly bytes: bigint;
  /** The largest hot window's frames and bytes (each maximised on its own). */
  readonly peakFrames: bigint;
  readonly peakBytes: bigint;
}

/**
 * A run in window numbers (ns / period, exact in a number); a Burst is made from it in ns. A
 * detector keeps two and reuses them, so finding bursts allocates nothing per burst.
 */
class Run {
  start = 0;
  end = 0;
  windows = 0;
  readonly frames = new ExactSum();
  readonly bytes = new ExactSum();
  /** Peaks of the windows given as numbers, and of those given as rows; a burst's is the larger. */
  peakFrames = 0;
  peakBytes = 0;
  peakFramesRow = 0n;
  peakBytesRow = 0n;

  /** Starts afresh at window `start`: sums and peaks from 0 (a window's frames and bytes are never below). */
  begin(start: number): void {
    this.start = start;
    this.end = start + 1;
    this.windows = 1;
    this.frames.reset();
    this.bytes.reset();
    this.peakFrames = 0;
    this.peakBytes = 0;
    this.peakFramesRow = 0n;
    this.peakBytesRow = 0n;
  }
}

// No limit: a bigint no u64 window exceeds.
const NEVER = 1n << 64n;

const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);

export class BurstDetector {
  readonly #periodNs: bigint;
  readonly #framesLimit: bigint;
  readonly #bytesLimit: bigint;
  readonly #framesLimitNumber: number;
  readonly #bytesLimitNumber: number;
  /** The run going on (while #running), and the one that ended last (once #endedCount > 0). */
  #run = new Run();
  #last = new Run();
  #running = false;
  #hotWindows = 0;
  #endedCount = 0;

  constructor(periodNs: bigint, thresholds: Thresholds) {
    this.#periodNs = periodNs;
    const limits = windowLimits(thresholds, periodNs);
    this.#framesLimit = limits.frames ?? NEVER;
    this.#bytesLimit = limits.bytes ?? NEVER;
    const numbers = windowLimitsNumber(thresholds, periodNs);
    this.#framesLimitNumber = numbers.frames;
    this.#bytesLimitNumber = numbers.bytes;
  }

  /** Hot windows seen so far. */
  get hotWindows(): number {
    return this.#hotWindows;
  }

  /** Bursts ended so far. */
  get endedCount(): number {
    return this.#endedCount;
  }

  /** The burst still running (its hot windows so far), or null. */
  get running(): Burst | null {
    return this.#running ? this.#burstOf(this.#run) : null;
  }

  /** The burst that ended last, or null before any. */
  get lastEnded(): Burst | null {
    return this.#endedCount > 0 ? this.#burstOf(this.#last) : null;
  }

  /**
   * One row of a tiling, in time order; returns the burst it ended, or null. Only an exact
   * window (lost 0) can be hot; a stretch of several windows is either lost or idle (zero
   * frames and bytes, so below any limit), and both end a run. The row is on the period's grid.
   */
  push(row: Row): Burst | null {
    let ended: boolean;
    if (row.lost === 0n && (row.frames > this.#framesLimit || row.bytes > this.#bytesLimit)) {
      const start = Number(row.startNs / this.#periodNs);
      ended = this.#gapBefore(start);
      const r = this.#hot(start);
      r.frames.addBig(row.frames);
      r.bytes.addBig(row.bytes);
      if (row.frames > r.peakFramesRow) r.peakFramesRow = row.frames;
      if (row.bytes > r.peakBytesRow) r.peakBytesRow = row.bytes;
    } else {
      ended = this.#end();
    }
    return ended ? this.lastEnded : null;
  }

  /**
   * The same for a row held as numbers (safe integers: the dashboard's series, the exporter's
   * sink): its first window's number and its span in windows. Returns whether it ended a burst
   * (lastEnded gives it). Sums grow as numbers: nothing is allocated per window or per burst.
   */
  pushWindow(startWindow: number, span: number, frames: number, bytes: number, lost: number): boolean {
    if (lost === 0 && span === 1 && (frames > this.#framesLimitNumber || bytes > this.#bytesLimitNumber)) {
      const ended = this.#gapBefore(startWindow);
      const r = this.#hot(startWindow);
      r.frames.add(frames);
      r.bytes.add(bytes);
      if (frames > r.peakFrames) r.peakFrames = frames;
      if (bytes > r.peakBytes) r.peakBytes = bytes;
      return ended;
    }
    return this.#end();
  }

  /** Ends the running burst because the input ended (a replay file, a test); returns it. */
  finish(): Burst | null {
    return this.#end() ? this.lastEnded : null;
  }

  /** Ends the run if a gap (windows that came as no row at all: idle time) lies before window `start`. */
  #gapBefore(start: number): boolean {
    return this.#running && this.#run.end !== start && this.#end();
  }

  /** Hot window number `start` joins the run (a new one if none runs); the caller adds its counts. */
  #hot(start: number): Run {
    this.#hotWindows++;
    const r = this.#run;
    if (this.#running) {
      r.end = start + 1;
      r.windows++;
    } else {
      r.begin(start);
      this.#running = true;
    }
    return r;
  }

  /** Ends the running burst, if one runs: it becomes the last ended. */
  #end(): boolean {
    if (!this.#running) return false;
    const r = this.#run;
    this.#run = this.#last;
    this.#last = r;
    this.#running = false;
    this.#endedCount++;
    return true;
  }

  /** A run in exact ns and sums, made when asked for. */
  #burstOf(r: Run): Burst {
    return {
      startNs: BigInt(r.start) * this.#periodNs,
      endNs: BigInt(r.end) * this.#periodNs,
      windows: r.windows,
      frames: r.frames.value,
      bytes: r.bytes.value,
      peakFrames: max(BigInt(r.peakFrames), r.peakFramesRow),
      peakBytes: max(BigInt(r.peakBytes), r.peakBytesRow),
    };
  }
}

/** Biggest peak_frames first; equal peaks, earliest first. For Array.prototype.sort. */
export function byPeak(a: Burst, b: Burst): number {
  if (a.peakFrames !== b.peakFrames) return a.peakFrames > b.peakFrames ? -1 : 1;
  return a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : 0;
}

/** Every burst of rows in time order, one still running at the end included. */
export function findBursts(rows: Iterable<Row>, periodNs: bigint, thresholds: Thresholds): Burst[] {
  const detector = new BurstDetector(periodNs, thresholds);
  const found: Burst[] = [];
  for (const row of rows) {
    const ended = detector.push(row);
    if (ended !== null) found.push(ended);
  }
  const last = detector.finish();
  if (last !== null) found.push(last);
  return found;
}

export const BURSTS_CSV_HEADER = 'start_ns,end_ns,windows,frames,bytes,peak_frames,peak_bytes\n';

export function burstCsvLine(b: Burst): string {
  return `${b.startNs},${b.endNs},${b.windows},${b.frames},${b.bytes},${b.peakFrames},${b.peakBytes}\n`;
}
