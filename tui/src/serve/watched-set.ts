// Everything the exporter reports about one counter set, from the moment it started watching
// it: the set's windows (tiled, idle runs in bulk) counted into histograms, the trailing peak,
// bursts, and what could not be seen. Only the drain tick changes it; scrapes read it.
import type { SampleBatch } from '../../../addon/types.js';
import { BurstDetector } from '../windows/bursts.js';
import type { Thresholds } from '../windows/threshold.js';
import { type Counters, type Origin, partsNumber, type ReadProgress, type RowSink, Tiler } from '../windows/tiler.js';
import { TrailingPeak } from './trailing-peak.js';
import { BYTE_BUCKETS, FRAME_BUCKETS, WindowCounts } from './window-counts.js';

interface WatchOptions {
  readonly name: string;
  readonly periodNs: bigint;
  /** When watching began and the counters then (from `stats`); null: the first sample sets them. */
  readonly origin: Origin | null;
  /** Burst counting, with --threshold only. */
  readonly thresholds: Thresholds | null;
  readonly peakIntervalSeconds: number;
}

/** A high half below this: the 64-bit value is below 2^52, a safe integer (what the counting takes as a number). */
const HI_EXACT = 2 ** 20;

export class WatchedSet {
  readonly name: string;
  /** { set: name }, one object for the set's life (the exposition caches its text per object). */
  readonly labels: Readonly<{ set: string }>;
  readonly periodNs: bigint;
  readonly thresholds: Thresholds | null;
  readonly frames = new WindowCounts(FRAME_BUCKETS);
  readonly bytes = new WindowCounts(BYTE_BUCKETS);
  /** Windows inside lost stretches: ended, but their detail is gone. */
  unobservedWindows = 0;
  /** Samples missed since watching began (`# lost K`, and the drain's own ring overflow). */
  lostSamples = 0n;
  readonly peak: TrailingPeak;
  readonly detector: BurstDetector | null;
  readonly #tiler: Tiler;

  constructor(o: WatchOptions) {
    this.name = o.name;
    this.labels = Object.freeze({ set: o.name });
    this.periodNs = o.periodNs;
    this.thresholds = o.thresholds;
    this.peak = new TrailingPeak(o.peakIntervalSeconds, o.periodNs);
    this.detector = o.thresholds === null ? null : new BurstDetector(o.periodNs, o.thresholds);
    this.#tiler = new Tiler(o.periodNs, o.origin, 'bulk');
  }

  /** The set's cumulative totals as of its latest sample (or the origin); null before any. */
  get totals(): Counters | null {
    return this.#tiler.counters;
  }

  /** Samples the drain took from the set. */
  ingest(batch: SampleBatch): void {
    this.#tiler.tile(batch, this.#count);
  }

  /** Windows without a sample that the drain's progress shows idle (see ReadProgress). */
  idleUntil(read: ReadProgress): void {
    this.#tiler.idleInto(read, this.#count);
  }

  /**
   * One row of the tiling: window numbers, its growth in 32-bit halves (no Row object, no
   * bigint per window).
   */
  readonly #count: RowSink = (start, windows, fHi, fLo, bHi, bLo, lost) => {
    if (lost > 0) {
      // Samples missed once watching began; the stretch they leave has no per-window detail.
      this.lostSamples += BigInt(lost);
      this.unobservedWindows += windows;
      this.detector?.pushWindow(start, windows, 0, 0, lost);
    } else if (fHi === 0 && fLo === 0 && bHi === 0 && bLo === 0) {
      this.frames.add(0n, windows);
      this.bytes.add(0n, windows);
      this.detector?.pushWindow(start, windows, 0, 0, 0);
    } else if (fHi < HI_EXACT && bHi < HI_EXACT) {
      // A row with traffic and nothing lost is one window (only idle runs come in bulk); both
      // growths are below 2^52 (high halves below 2^20), so numbers hold them exactly.
      const frames = partsNumber(fHi, fLo);
      const bytes = partsNumber(bHi, bLo);
      this.frames.addWindow(frames);
      this.bytes.addWindow(bytes);
      this.peak.record(start + 1, frames, bytes);
      this.detector?.pushWindow(start, 1, frames, bytes, 0);
    } else {
      // A growth of 2^52 or more in one window (no real link gets near): exact in bigints.
      const frames = (BigInt(fHi) << 32n) | BigInt(fLo);
      const bytes = (BigInt(bHi) << 32n) | BigInt(bLo);
      this.frames.add(frames, 1);
      this.bytes.add(bytes, 1);
      this.peak.record(start + 1, Number(frames), Number(bytes));
      const startNs = BigInt(start) * this.periodNs;
      this.detector?.push({ startNs, endNs: startNs + this.periodNs, frames, bytes, lost: 0n });
    }
  };
}
