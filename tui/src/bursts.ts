// Bursts as SPEC section 4 defines them: maximal runs of consecutive hot windows. An idle
// window, an idle or lost stretch given as one row, a gap between rows, or any window that is
// not hot ends a run.
// One definition for the dashboard, both exports and the exporter.
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

interface Run {
  startNs: bigint;
  endNs: bigint;
  windows: number;
  frames: bigint;
  bytes: bigint;
  peakFrames: bigint;
  peakBytes: bigint;
}

// No limit: a bigint no u64 window exceeds.
const NEVER = 1n << 64n;

export class BurstDetector {
  readonly #periodNs: bigint;
  readonly #framesLimit: bigint;
  readonly #bytesLimit: bigint;
  readonly #framesLimitNumber: number;
  readonly #bytesLimitNumber: number;
  #run: Run | null = null;
  #hotWindows = 0;
  #bursts = 0;

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
  get bursts(): number {
    return this.#bursts;
  }

  /** The burst still running (its hot windows so far), or null. */
  get running(): Burst | null {
    return this.#run === null ? null : { ...this.#run };
  }

  /**
   * One row of a tiling, in time order; returns the burst it ended, or null. Only an exact
   * window (lost 0) can be hot; a stretch of several windows is either lost or idle (zero
   * frames and bytes, so below any limit), and both end a run.
   */
  push(row: Row): Burst | null {
    if (row.lost === 0n && (row.frames > this.#framesLimit || row.bytes > this.#bytesLimit)) {
      return this.#hot(row.startNs, row.endNs, row.frames, row.bytes);
    }
    return this.#end();
  }

  /** The same for a window held as numbers (the dashboard's series); span in windows. */
  pushWindow(startNs: bigint, span: number, frames: number, bytes: number, lost: number): Burst | null {
    if (lost === 0 && span === 1 && (frames > this.#framesLimitNumber || bytes > this.#bytesLimitNumber)) {
      return this.#hot(startNs, startNs + this.#periodNs, BigInt(frames), BigInt(bytes));
    }
    return this.#end();
  }

  /** Ends the running burst because the input ended (a replay file, a test); returns it. */
  finish(): Burst | null {
    return this.#end();
  }

  /** Returns the burst that a gap before this window ended, or null. */
  #hot(startNs: bigint, endNs: bigint, frames: bigint, bytes: bigint): Burst | null {
    this.#hotWindows++;
    // A gap (windows that came as no row at all) is idle time: it ends a run.
    const ended = this.#run !== null && this.#run.endNs !== startNs ? this.#end() : null;
    const r = this.#run;
    if (r === null) {
      this.#run = { startNs, endNs, windows: 1, frames, bytes, peakFrames: frames, peakBytes: bytes };
      return ended;
    }
    r.endNs = endNs;
    r.windows++;
    r.frames += frames;
    r.bytes += bytes;
    if (frames > r.peakFrames) r.peakFrames = frames;
    if (bytes > r.peakBytes) r.peakBytes = bytes;
    return null;
  }

  #end(): Burst | null {
    const r = this.#run;
    if (r === null) return null;
    this.#run = null;
    this.#bursts++;
    return r;
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
