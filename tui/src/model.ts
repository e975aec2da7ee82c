// The dashboard's data: per counter set a bounded ring of recent windows, fed by the engine
// (or a replay file), and the figures the table shows.
import type { SetStatus } from '../../addon/types.js';
import type { Feed } from './engine.js';
import { bigField, readKeyValues } from './procfs.js';
import { type Row, Tiler } from './tiler.js';
import { join } from 'node:path';

/** Windows kept per set: enough for a full-width chart at the largest zoom. */
export const RING_WINDOWS = 16_384;

export class SetSeries {
  private buf: Row[] = [];
  private head = 0;
  /** Cumulative counters at the end of the latest window, when known. */
  totalFrames: bigint | null = null;
  totalBytes: bigint | null = null;

  constructor(
    readonly name: string,
    readonly periodNs: bigint,
    readonly capacity = RING_WINDOWS,
  ) {}

  add(rows: readonly Row[]): void {
    for (const r of rows) {
      if (this.buf.length < this.capacity) this.buf.push(r);
      else {
        this.buf[this.head] = r;
        this.head = (this.head + 1) % this.capacity;
      }
    }
  }

  /** Kept rows, oldest first. */
  rows(): Row[] {
    return this.head === 0 ? this.buf.slice() : [...this.buf.slice(this.head), ...this.buf.slice(0, this.head)];
  }

  get length(): number {
    return this.buf.length;
  }

  clone(): SetSeries {
    const c = new SetSeries(this.name, this.periodNs, this.capacity);
    c.buf = this.rows();
    c.totalFrames = this.totalFrames;
    c.totalBytes = this.totalBytes;
    return c;
  }
}

/** What the table shows for one set. */
export interface SetView {
  readonly name: string;
  readonly periodNs: bigint;
  /** e.g. "3/1024"; "-" when unknown. */
  readonly fifo: string;
  readonly latest: Row | null;
  readonly peakFrames: bigint;
  readonly peakBytes: bigint;
  /** Frames and bits per second over the latest second of windows. */
  readonly pps: number;
  readonly bps: number;
  readonly totalFrames: bigint | null;
  readonly totalBytes: bigint | null;
  readonly lost: bigint;
  readonly error: string | null;
}

const SECOND_NS = 1_000_000_000n;

export function summarize(s: SetSeries, extra: { fifo: string; lost: bigint; error: string | null }): SetView {
  const rows = s.rows();
  let peakFrames = 0n;
  let peakBytes = 0n;
  for (const r of rows) {
    if (r.lost !== 0n) continue; // a lost stretch is not one window
    if (r.frames > peakFrames) peakFrames = r.frames;
    if (r.bytes > peakBytes) peakBytes = r.bytes;
  }
  const latest = rows.length > 0 ? rows[rows.length - 1] : null;
  let pps = 0;
  let bps = 0;
  if (latest !== null) {
    const from = latest.endNs - (s.periodNs > SECOND_NS ? s.periodNs : SECOND_NS);
    let frames = 0n;
    let bytes = 0n;
    let spanStart = latest.endNs;
    for (let i = rows.length - 1; i >= 0 && rows[i].startNs >= from; i--) {
      frames += rows[i].frames;
      bytes += rows[i].bytes;
      spanStart = rows[i].startNs;
    }
    if (spanStart === latest.endNs) spanStart = latest.startNs; // one window longer than the span
    const secs = Number(latest.endNs - spanStart) / 1e9;
    if (secs > 0) {
      pps = Number(frames) / secs;
      bps = (Number(bytes) * 8) / secs;
    }
  }
  return {
    name: s.name,
    periodNs: s.periodNs,
    fifo: extra.fifo,
    latest,
    peakFrames,
    peakBytes,
    pps,
    bps,
    totalFrames: s.totalFrames,
    totalBytes: s.totalBytes,
    lost: extra.lost,
    error: extra.error,
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
  series: SetSeries;
  tiler: Tiler;
  queued: bigint | null;
}

/** Live model: call update() on every tick; snapshot() for the view. */
export class LiveModel {
  private sets = new Map<string, Tracked>();
  private status: SetStatus[] = [];
  private lastError: string | null = null;
  private drainRate = 0;
  private prevSamples: { total: bigint; atMs: number } | null = null;
  private statsAtMs = -Infinity;

  constructor(
    private readonly feed: Feed,
    /** Where `stats` is read for the kernel FIFO fill; null to show the native ring's. */
    private readonly procDir: string | null,
  ) {}

  update(nowMs: number): void {
    // Status before take: windows up to lastReadStartNs are then in the batch or idle.
    this.status = this.feed.status();
    const batches = this.feed.take();
    for (const ev of this.feed.events()) {
      if (ev.type === 'error') this.lastError = ev.name !== null ? `${ev.name}: ${ev.message}` : ev.message;
      if (ev.type === 'removed') this.sets.delete(ev.name);
    }
    for (const st of this.status) {
      let t = this.sets.get(st.name);
      if (t === undefined || t.series.periodNs !== st.periodNs) {
        t = { series: new SetSeries(st.name, st.periodNs), tiler: new Tiler(st.periodNs, null, RING_WINDOWS), queued: null };
        this.sets.set(st.name, t);
      }
    }
    for (const b of batches) {
      const t = this.sets.get(b.name);
      if (t !== undefined) t.series.add(t.tiler.feed(b));
    }
    let total = 0n;
    for (const st of this.status) {
      const t = this.sets.get(st.name);
      if (t === undefined) continue;
      t.series.add(t.tiler.idleUntil(st.lastReadStartNs));
      const c = t.tiler.counters;
      if (c !== null) {
        t.series.totalFrames = c.frames;
        t.series.totalBytes = c.bytes;
      }
      total += st.samplesRead;
    }
    if (this.prevSamples !== null && nowMs - this.prevSamples.atMs >= 1000) {
      this.drainRate = (Number(total - this.prevSamples.total) * 1000) / (nowMs - this.prevSamples.atMs);
      this.prevSamples = { total, atMs: nowMs };
    } else if (this.prevSamples === null) this.prevSamples = { total, atMs: nowMs };
    if (this.procDir !== null && nowMs - this.statsAtMs >= 500) {
      this.statsAtMs = nowMs;
      for (const [name, t] of this.sets) t.queued = bigField(readKeyValues(join(this.procDir, name, 'stats')), 'queued');
    }
  }

  /** The current figures; with `freeze` the series are copied so later updates do not show. */
  snapshot(freeze = false): Snapshot {
    const sets: SetView[] = [];
    const series = new Map<string, SetSeries>();
    let lost = 0n;
    for (const st of this.status) {
      const t = this.sets.get(st.name);
      if (t === undefined) continue;
      const s = freeze ? t.series.clone() : t.series;
      series.set(st.name, s);
      const setLost = st.kernelLost + st.ringDropped;
      lost += setLost;
      const fifo = t.queued !== null ? `${t.queued}/${st.capacity}` : `${st.ringQueued}/${st.capacity}`;
      sets.push(summarize(s, { fifo, lost: setLost, error: st.error }));
    }
    return { sets, series, drainRate: this.drainRate, lost, lastError: this.lastError };
  }
}

/** A replay file's rows as a snapshot: one set, nothing draining. */
export function replaySnapshot(name: string, rows: readonly Row[], periodNs: bigint): Snapshot {
  const s = new SetSeries(name, periodNs, Math.max(rows.length, 1));
  s.add(rows);
  let frames = 0n;
  let bytes = 0n;
  let lost = 0n;
  for (const r of rows) {
    frames += r.frames;
    bytes += r.bytes;
    lost += r.lost;
  }
  s.totalFrames = frames;
  s.totalBytes = bytes;
  return { sets: [summarize(s, { fifo: '-', lost, error: null })], series: new Map([[name, s]]), drainRate: 0, lost, lastError: null };
}
