// Chart data: recent windows grouped into columns (zoom = windows per column, summed), with
// the time span they cover, and the asciichart rendering with human-unit axis labels.
import asciichart from 'asciichart';
import type { SetSeries } from './series.js';
import { si } from './units.js';

interface Columns {
  readonly frames: number[];
  readonly bytes: number[];
  /** Time covered by the columns: [fromNs, toNs). */
  readonly fromNs: bigint;
  readonly toNs: bigint;
}

/**
 * Groups the kept windows into at most `width` columns of `zoom` windows each, ending
 * `offset` windows before the latest. A row spanning several windows (lost detail) is spread
 * evenly over them: only its total is known.
 */
export function columns(s: SetSeries, zoom: number, width: number, offset = 0): Columns {
  const available = Math.ceil((s.windows - offset) / zoom);
  const n = Math.max(0, Math.min(width, available));
  const toNs = s.endNs - s.periodNs * BigInt(offset);
  const fromNs = toNs - s.periodNs * BigInt(n * zoom);
  const frames = new Array<number>(n).fill(0);
  const bytes = new Array<number>(n).fill(0);
  const shown = n * zoom;
  // `back`: windows between the end of row i and the latest window's end.
  for (let i = s.length - 1, back = 0; i >= 0 && back < offset + shown; i--) {
    const span = s.span(i);
    const f = s.frames(i) / span;
    const b = s.bytes(i) / span;
    // Windows of this row, counted back from `to`, that fall inside the columns.
    const lo = Math.max(back - offset, 0);
    const hi = Math.min(back + span - offset, shown);
    for (let w = lo; w < hi; w++) {
      const c = n - 1 - Math.floor(w / zoom);
      frames[c] += f;
      bytes[c] += b;
    }
    back += span;
  }
  return { frames, bytes, fromNs, toNs };
}

const LABEL_WIDTH = 6;
/** Columns the y-axis label, a space and the axis take in front of the plot. */
export const AXIS_WIDTH = LABEL_WIDTH + 2;

export const FRAMES_COLOR = asciichart.cyan;
export const BYTES_COLOR = asciichart.yellow;

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
