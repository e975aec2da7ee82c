// Chart data: recent windows grouped into columns (zoom = windows per column, summed), with
// the time span they cover, and the asciichart rendering with human-unit axis labels.
import asciichart from 'asciichart';
import type { Row } from './tiler.js';
import { si } from './units.js';

export interface Columns {
  readonly frames: number[];
  readonly bytes: number[];
  /** Time covered by the columns: [fromNs, toNs). */
  readonly fromNs: bigint;
  readonly toNs: bigint;
}

/**
 * Groups `rows` (oldest first, tiling time) into at most `width` columns of `zoom` windows each,
 * ending `offset` windows before the latest. A row spanning several windows (lost detail)
 * is spread evenly over them: only its total is known.
 */
export function columns(rows: readonly Row[], periodNs: bigint, zoom: number, width: number, offset = 0): Columns {
  if (rows.length === 0 || width < 1) return { frames: [], bytes: [], fromNs: 0n, toNs: 0n };
  const colNs = periodNs * BigInt(zoom);
  const first = rows[0].startNs;
  const to = rows[rows.length - 1].endNs - periodNs * BigInt(offset);
  const available = to > first ? Number((to - first + colNs - 1n) / colNs) : 1;
  const n = Math.max(1, Math.min(width, available));
  const from = to - colNs * BigInt(n);
  const frames = new Array<number>(n).fill(0);
  const bytes = new Array<number>(n).fill(0);
  for (let i = rows.length - 1; i >= 0; i--) {
    const r = rows[i];
    if (r.endNs <= from) break;
    if (r.startNs >= to) continue;
    const windows = Number((r.endNs - r.startNs) / periodNs) || 1;
    const f = Number(r.frames) / windows;
    const b = Number(r.bytes) / windows;
    const lo = r.startNs > from ? r.startNs : from;
    const hi = r.endNs < to ? r.endNs : to;
    for (let w = lo; w < hi; w += periodNs) {
      const c = Number((w - from) / colNs);
      frames[c] += f;
      bytes[c] += b;
    }
  }
  return { frames, bytes, fromNs: from, toNs: to };
}

const LABEL_WIDTH = 6;
/** Columns the y-axis label, a space and the axis take in front of the plot. */
export const AXIS_WIDTH = LABEL_WIDTH + 2;

/** Plots one series with y labels like "1.2k"; the y axis always starts at zero. */
export function plot(values: readonly number[], height: number, unit: string, color?: string): string {
  const series = values.length > 0 ? [...values] : [0];
  return asciichart.plot(series, {
    height: Math.max(1, height - 1),
    min: 0,
    // asciichart puts the whole label in the first cell: with offset 2 the axis follows it.
    offset: 2,
    format: (x: number) => (si(Math.round(x)) + unit).padStart(LABEL_WIDTH).slice(-LABEL_WIDTH) + ' ',
    colors: color !== undefined ? [color] : undefined,
  });
}
