// Everything the exporter reports about one counter set, from the moment it started watching
// it: the set's windows (tiled, idle runs in bulk) counted into histograms, the trailing peak,
// bursts, and what could not be seen. Only the drain tick changes it; scrapes read it.
import type { SampleBatch } from '../../../addon/types.js';
import { BurstDetector } from '../bursts.js';
import type { Thresholds } from '../threshold.js';
import { type Counters, type Origin, type Row, Tiler } from '../tiler.js';
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
  readonly bursts: BurstDetector | null;
  readonly #tiler: Tiler;

  constructor(o: WatchOptions) {
    this.name = o.name;
    this.labels = Object.freeze({ set: o.name });
    this.periodNs = o.periodNs;
    this.thresholds = o.thresholds;
    this.peak = new TrailingPeak(o.peakIntervalSeconds);
    this.bursts = o.thresholds === null ? null : new BurstDetector(o.periodNs, o.thresholds);
    this.#tiler = new Tiler(o.periodNs, o.origin, 'bulk');
  }

  /** The set's cumulative totals as of its latest sample (or the origin); null before any. */
  get totals(): Counters | null {
    return this.#tiler.counters;
  }

  /** Samples the drain took from the set. */
  ingest(batch: SampleBatch): void {
    for (const r of this.#tiler.feed(batch)) this.#count(r);
  }

  /** Windows that ended by `knownNs` without a sample were idle (see SetStatus.lastReadStartNs). */
  idleUntil(knownNs: bigint): void {
    for (const r of this.#tiler.idleUntil(knownNs)) this.#count(r);
  }

  #count(r: Row): void {
    if (r.lost > 0n) {
      // Samples missed once watching began; the stretch they leave has no per-window detail.
      this.lostSamples += r.lost;
      this.unobservedWindows += this.#windows(r);
    } else if (r.frames !== 0n || r.bytes !== 0n) {
      // A row with traffic and nothing lost is one window (only idle runs come in bulk).
      this.frames.add(r.frames, 1);
      this.bytes.add(r.bytes, 1);
      this.peak.record(r.endNs, r.frames, r.bytes);
    } else {
      const windows = this.#windows(r);
      this.frames.add(0n, windows);
      this.bytes.add(0n, windows);
    }
    this.bursts?.push(r);
  }

  #windows(r: Row): number {
    return Number((r.endNs - r.startNs) / this.periodNs);
  }
}
