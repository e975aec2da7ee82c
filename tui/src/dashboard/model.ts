// The dashboard's data: per counter set a bounded ring of recent windows, fed by the drain
// (or a replay file), and the figures the table shows.
import type { SetStatus } from '../../../addon/types.js';
import type { Feed } from '../windows/feed.js';
import type { SetSeries } from '../windows/series.js';
import type { Burst } from '../windows/bursts.js';
import type { Columns, Limits } from './columns.js';
import { SetTrack } from './settrack.js';
import type { Thresholds } from '../windows/threshold.js';
import { type Row, Tiler } from '../windows/tiler.js';

/** What the table shows for one set. */
export interface SetView {
  readonly name: string;
  readonly periodNs: bigint;
  /** How far behind the set's newest sample the drain's latest read was, of the set's capacity
   * (at capacity it loses samples); null for a replay. */
  readonly fifo: { readonly queued: number; readonly capacity: number } | null;
  /** Frames and bytes of the latest window, null before the first. */
  readonly latest: { readonly frames: number; readonly bytes: number } | null;
  /** The largest window of the sparkline's span (about the last 1.6 s). */
  readonly peakFrames: number;
  readonly peakBytes: number;
  /** Frames and bits per second over the sparkline's span. */
  readonly pps: number;
  readonly bps: number;
  readonly totalFrames: bigint | null;
  readonly totalBytes: bigint | null;
  readonly lost: bigint;
  readonly error: string | null;
  /** The sparkline's columns, oldest first. */
  readonly spark: Columns;
  readonly thresholds: Thresholds;
  /** Per-window limits of the thresholds (Infinity where none). */
  readonly limits: Limits;
  /** Bursts so far (the running one included); null without a threshold. */
  readonly burstCount: number | null;
  readonly lastBurst: Burst | null;
  /** The bursts kept for the `b` list (the biggest, and the running one), in no order. */
  readonly bursts: () => readonly Burst[];
}

function summarize(t: SetTrack, extra: Pick<SetView, 'fifo' | 'lost' | 'error'>, freeze = false): SetView {
  const s = t.series;
  const spark = freeze ? t.spark.columns.clone() : t.spark.columns;
  const { windows, frames, bytes } = spark.totals();
  const secs = (windows * Number(s.periodNs)) / 1e9;
  const last = s.length - 1;
  const frozen = freeze ? t.bursts() : null;
  return {
    name: s.name,
    periodNs: s.periodNs,
    fifo: extra.fifo,
    latest: last >= 0 ? { frames: s.frames(last), bytes: s.bytes(last) } : null,
    peakFrames: spark.maxPeakFrames(),
    peakBytes: spark.maxPeakBytes(),
    pps: secs > 0 ? frames / secs : 0,
    bps: secs > 0 ? (bytes * 8) / secs : 0,
    totalFrames: s.totalFrames,
    totalBytes: s.totalBytes,
    lost: extra.lost,
    error: extra.error,
    spark,
    thresholds: t.thresholds,
    limits: t.limits,
    burstCount: t.count,
    lastBurst: t.last,
    bursts: frozen !== null ? () => frozen : () => t.bursts(),
  };
}

/** What every view of the dashboard needs, frozen while paused. */
export interface Snapshot {
  readonly sets: readonly SetView[];
  readonly series: ReadonlyMap<string, SetSeries>;
  /** Samples per second drained, summed over sets. */
  readonly drainRate: number;
  readonly lost: bigint;
  readonly lastError: string | null;
}

interface Tracked {
  track: SetTrack;
  tiler: Tiler;
}

/** What the dashboard asks of its data, live or replayed. */
export interface Model {
  update(nowMs: number): void;
  /** The current figures; with `freeze` copied, so that later updates do not show. */
  snapshot(freeze?: boolean): Snapshot;
  /** Sets one set's thresholds (`t`); its bursts are found again in the windows kept. */
  setThresholds(name: string, t: Thresholds): void;
}

/** Live model: call update() on every tick; snapshot() for the view. */
export class LiveModel implements Model {
  private sets = new Map<string, Tracked>();
  /** Thresholds given to a set with `t`; the others have the default. */
  private thresholds = new Map<string, Thresholds>();
  private status: SetStatus[] = [];
  private lastError: string | null = null;
  private drainRate = 0;
  private prevSamples: { total: bigint; atMs: number } | null = null;

  constructor(
    private readonly feed: Feed,
    /** Every set's thresholds until `t` changes one (--threshold). */
    private readonly defaultThresholds: Thresholds,
  ) {}

  setThresholds(name: string, t: Thresholds): void {
    this.thresholds.set(name, t);
    this.sets.get(name)?.track.setThresholds(t);
  }

  update(nowMs: number): void {
    // Status before take: windows up to lastReadStartNs are then in the batch or idle.
    this.status = this.feed.status();
    const batches = this.feed.take();
    for (const ev of this.feed.events()) {
      if (ev.type === 'error') this.lastError = ev.name !== null ? `${ev.name}: ${ev.message}` : ev.message;
    }
    // Status is the list of sets: one that left it has gone (its ring goes with it).
    const present = new Set(this.status.map((st) => st.name));
    for (const name of this.sets.keys()) if (!present.has(name)) this.sets.delete(name);
    for (const st of this.status) {
      let t = this.sets.get(st.name);
      if (t === undefined || t.track.series.periodNs !== st.periodNs) {
        t = {
          track: new SetTrack(st.name, st.periodNs, this.thresholds.get(st.name) ?? this.defaultThresholds),
          tiler: new Tiler(st.periodNs, null, 'bulk'),
        };
        this.sets.set(st.name, t);
      }
    }
    for (const b of batches) {
      const t = this.sets.get(b.name);
      if (t !== undefined) t.tiler.tile(b, t.track.sink);
    }
    let total = 0n;
    for (const st of this.status) {
      const t = this.sets.get(st.name);
      if (t === undefined) continue;
      t.tiler.idleInto(st, t.track.sink);
      t.track.series.totalFrames = st.totalFrames;
      t.track.series.totalBytes = st.totalBytes;
      total += st.samplesRead;
    }
    if (this.prevSamples !== null && nowMs - this.prevSamples.atMs >= 1000) {
      // A set that went away takes its count with it: never report a negative rate.
      this.drainRate = Math.max(0, (Number(total - this.prevSamples.total) * 1000) / (nowMs - this.prevSamples.atMs));
      this.prevSamples = { total, atMs: nowMs };
    } else if (this.prevSamples === null) this.prevSamples = { total, atMs: nowMs };
  }

  /** The current figures; with `freeze` the series are copied so later updates do not show. */
  snapshot(freeze = false): Snapshot {
    const sets: SetView[] = [];
    const series = new Map<string, SetSeries>();
    let lost = 0n;
    for (const st of this.status) {
      const t = this.sets.get(st.name);
      if (t === undefined) continue;
      series.set(st.name, freeze ? t.track.series.clone() : t.track.series);
      const setLost = st.kernelLost + st.queueDropped;
      lost += setLost;
      const fifo = { queued: st.lastReadSamples, capacity: st.capacity };
      sets.push(summarize(t.track, { fifo, lost: setLost, error: st.error }, freeze));
    }
    return { sets, series, drainRate: this.drainRate, lost, lastError: this.lastError };
  }
}

/** A replay file's rows: one set, nothing draining, every row kept. */
export class ReplayModel implements Model {
  private readonly track: SetTrack;
  private readonly lost: bigint;

  constructor(name: string, rows: readonly Row[], periodNs: bigint, thresholds: Thresholds) {
    this.track = new SetTrack(name, periodNs, thresholds, Math.max(rows.length, 1));
    this.track.add(rows);
    let frames = 0n;
    let bytes = 0n;
    let lost = 0n;
    for (const r of rows) {
      frames += r.frames;
      bytes += r.bytes;
      lost += r.lost;
    }
    this.track.series.totalFrames = frames;
    this.track.series.totalBytes = bytes;
    this.lost = lost;
  }

  update(): void {}

  setThresholds(_name: string, t: Thresholds): void {
    this.track.setThresholds(t);
  }

  snapshot(): Snapshot {
    const s = this.track.series;
    return {
      sets: [summarize(this.track, { fifo: null, lost: this.lost, error: null })],
      series: new Map([[s.name, s]]),
      drainRate: 0,
      lost: this.lost,
      lastError: null,
    };
  }
}
