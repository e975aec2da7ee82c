// What the dashboard keeps of one counter set: the ring of recent windows for the charts, the
// sparkline, and its bursts under its thresholds (SPEC section 4, through bursts.ts). Memory is
// bounded: the ring, SPARK_WIDTH columns and the KEPT_BURSTS most recent bursts plus counts.
import { type Burst, BurstDetector } from './bursts.js';
import type { Limits } from './columns.js';
import { RING_WINDOWS, SetSeries } from './series.js';
import { SparkTrack } from './sparkline.js';
import { hasThresholds, type Thresholds, windowLimitsNumber } from './threshold.js';
import { partsNumber, type Row, type RowSink, rowNumbers } from './tiler.js';

/** Bursts listed per set (`b`); older ones are only counted. */
const KEPT_BURSTS = 1000;

export class SetTrack {
  readonly series: SetSeries;
  readonly spark: SparkTrack;
  /** Finds the bursts and keeps the KEPT_BURSTS latest that ended. */
  private detector: BurstDetector | null = null;
  private thresholdsSet: Thresholds;
  limits: Limits;

  constructor(name: string, periodNs: bigint, thresholds: Thresholds, capacity = RING_WINDOWS) {
    this.series = new SetSeries(name, periodNs, capacity);
    this.spark = new SparkTrack(periodNs);
    this.thresholdsSet = thresholds;
    this.limits = windowLimitsNumber(thresholds, periodNs);
    if (hasThresholds(thresholds)) this.detector = new BurstDetector(periodNs, thresholds, KEPT_BURSTS);
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
    this.detector?.pushWindow(startWindow, span, frames, bytes, lost);
  }

  /** New thresholds: the bursts are found again in the windows the ring still holds. */
  setThresholds(t: Thresholds): void {
    const s = this.series;
    this.thresholdsSet = t;
    this.limits = windowLimitsNumber(t, s.periodNs);
    this.detector = hasThresholds(t) ? new BurstDetector(s.periodNs, t, KEPT_BURSTS) : null;
    const d = this.detector;
    if (d === null) return;
    let start = s.endWindow - s.windows;
    for (let i = 0; i < s.length; i++) {
      const span = s.span(i);
      d.pushWindow(start, span, s.frames(i), s.bytes(i), s.lost(i));
      start += span;
    }
  }

  /** Bursts ended, plus the one running; null without thresholds. */
  get count(): number | null {
    const d = this.detector;
    return d === null ? null : d.bursts + (d.running !== null ? 1 : 0);
  }

  /** The latest burst: the running one, else the last that ended. */
  get last(): Burst | null {
    const d = this.detector;
    return d === null ? null : (d.running ?? d.lastEnded);
  }

  /** The KEPT_BURSTS most recent bursts (the running one included), oldest first. */
  bursts(): Burst[] {
    const d = this.detector;
    if (d === null) return [];
    const list = d.ended();
    const running = d.running;
    if (running !== null) {
      if (list.length === KEPT_BURSTS) list.shift();
      list.push(running);
    }
    return list;
  }
}
