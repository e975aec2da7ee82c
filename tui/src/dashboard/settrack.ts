// What the dashboard keeps of one counter set: the ring of recent windows for the charts, the
// sparkline, and its bursts under its thresholds (SPEC section 4, through bursts.ts). Memory is
// bounded: the ring, SPARK_WIDTH columns and the KEPT_BURSTS biggest bursts plus counts.
import { type Burst, BurstDetector } from '../windows/bursts.js';
import type { Limits } from './columns.js';
import { KeptBursts } from './kept-bursts.js';
import { RING_WINDOWS, SetSeries } from '../windows/series.js';
import { SparkTrack } from './sparkline.js';
import { hasThresholds, type Thresholds, windowLimitsNumber } from '../windows/threshold.js';
import { partsNumber, type Row, type RowSink, rowNumbers } from '../windows/tiler.js';

/** Bursts listed per set (`b`): the first of the list's order; the others are only counted. */
const KEPT_BURSTS = 1000;

/** A set's bursts under thresholds: the detector, and the ones kept for the `b` list. */
interface Finding {
  readonly detector: BurstDetector;
  readonly kept: KeptBursts;
}

/** Nothing to find (and no columns for kept bursts) without thresholds. */
const finding = (periodNs: bigint, t: Thresholds): Finding | null =>
  hasThresholds(t) ? { detector: new BurstDetector(periodNs, t), kept: new KeptBursts(KEPT_BURSTS) } : null;

export class SetTrack {
  readonly series: SetSeries;
  readonly spark: SparkTrack;
  private finding: Finding | null;
  private thresholdsSet: Thresholds;
  limits: Limits;

  constructor(name: string, periodNs: bigint, thresholds: Thresholds, capacity = RING_WINDOWS) {
    this.series = new SetSeries(name, periodNs, capacity);
    this.spark = new SparkTrack(periodNs);
    this.thresholdsSet = thresholds;
    this.limits = windowLimitsNumber(thresholds, periodNs);
    this.finding = finding(periodNs, thresholds);
  }

  get thresholds(): Thresholds {
    return this.thresholdsSet;
  }

  /** Rows of a tiling in time order (idle runs may come in bulk), on the period's grid. */
  add(rows: readonly Row[]): void {
    for (const r of rows) this.push(...rowNumbers(r, this.series.periodNs));
  }

  /** A Tiler's rows straight in, without Row objects (the live dashboard's path). */
  readonly sink: RowSink = (startWindow, windows, fHi, fLo, bHi, bLo, lost) =>
    this.push(startWindow, windows, partsNumber(fHi, fLo), partsNumber(bHi, bLo), lost);

  /** One row as numbers: its first window's number, its width in windows, its figures (far below 2^53). */
  private push(startWindow: number, span: number, frames: number, bytes: number, lost: number): void {
    this.series.push(span, frames, bytes, lost, startWindow + span);
    this.spark.push(startWindow, span, frames, bytes, lost);
    const f = this.finding;
    if (f !== null && f.detector.pushWindow(startWindow, span, frames, bytes, lost)) keepEnded(f);
  }

  /** New thresholds: the bursts are found again in the windows the ring still holds. */
  setThresholds(t: Thresholds): void {
    const s = this.series;
    this.thresholdsSet = t;
    this.limits = windowLimitsNumber(t, s.periodNs);
    const f = (this.finding = finding(s.periodNs, t));
    if (f === null) return;
    let start = s.endWindow - s.windows;
    for (let i = 0; i < s.length; i++) {
      const span = s.span(i);
      if (f.detector.pushWindow(start, span, s.frames(i), s.bytes(i), s.lost(i))) keepEnded(f);
      start += span;
    }
  }

  /** Bursts ended, plus the one running; null without thresholds. */
  get count(): number | null {
    const d = this.finding?.detector;
    return d === undefined ? null : d.endedCount + (d.running !== null ? 1 : 0);
  }

  /** The latest burst: the running one, else the last that ended. */
  get last(): Burst | null {
    const d = this.finding?.detector;
    return d === undefined ? null : (d.running ?? d.lastEnded);
  }

  /** The kept bursts (in no order) and the running one, whatever its rank. */
  bursts(): Burst[] {
    const f = this.finding;
    if (f === null) return [];
    const list = f.kept.list();
    const running = f.detector.running;
    if (running !== null) list.push(running);
    return list;
  }
}

/** The burst the detector has just ended, to the kept ones. */
function keepEnded(f: Finding): void {
  const b = f.detector.lastEnded;
  if (b !== null) f.kept.add(b);
}
