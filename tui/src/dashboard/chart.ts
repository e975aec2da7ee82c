// A chart as text: one bar per column, as tall as the column's peak window, so a single hot
// window is never flattened into its neighbours. The part of a bar above the column's average
// is shaded (and dim in colour); the threshold is a dashed line; the bottom axis marks hot
// columns with HOT_MARK and columns with lost windows with LOST_MARK, so both survive NO_COLOR.
import { type ColumnView, type Limits, LOST_MARK } from './columns.js';
import { LinePainter } from './paint.js';
import { si } from './units.js';

const LABEL_WIDTH = 6;
/** Columns the y-axis label, a space and the axis take in front of the plot. */
export const AXIS_WIDTH = LABEL_WIDTH + 2;

export const HOT_MARK = '▲';
const EIGHTHS = '▁▂▃▄▅▆▇█';
/** A full cell above the column's average. */
const ABOVE_AVERAGE = '▒';
const THRESHOLD = '╌';

export const COLORS = {
  frames: '\x1b[36m',
  bytes: '\x1b[33m',
  hot: '\x1b[31m',
  threshold: '\x1b[35m',
  lost: '\x1b[35m',
} as const;
const DIM = '\x1b[2m';

interface ChartOptions {
  /** Rows of bars; the axis adds one. */
  readonly height: number;
  readonly unit: string;
  /** Frames or bytes. */
  readonly of: 'frames' | 'bytes';
  /** Per-window limits: a column holding a window above either is hot; this chart's own unit's
   * limit is drawn as a line. */
  readonly limits: Limits;
  /** ANSI colour of the bars, or null without colour. */
  readonly color: string | null;
}

const label = (v: number, unit: string) => (si(Math.round(v)) + unit).padStart(LABEL_WIDTH).slice(-LABEL_WIDTH);

/**
 * The chart's lines; its top is the largest peak in view (at least 1). A line leaves out the
 * blank cells at its end: the Screen clears a row before it draws one.
 */
export function renderChart(view: ColumnView, o: ChartOptions): string[] {
  const cols = view.columns;
  const peaks = o.of === 'frames' ? cols.peakFrames : cols.peakBytes;
  const h = Math.max(1, o.height);
  const max = Math.max(1, o.of === 'frames' ? cols.maxPeakFrames() : cols.maxPeakBytes());
  const scale = (h * 8) / max;
  // In eighths of a cell: nothing non-zero is drawn as zero.
  const eighths = (v: number) => (v > 0 ? Math.max(1, Math.round(v * scale)) : 0);
  // Styles of the cells: none at all without colour; the part above the average dim.
  const styled = (color: string) => (o.color === null ? null : color);
  const bar = o.color;
  const hotBar = styled(COLORS.hot);
  const dimBar = o.color === null ? null : DIM + o.color;
  const dimHotBar = styled(DIM + COLORS.hot);
  const thresholdStyle = styled(COLORS.threshold);
  const lostStyle = styled(COLORS.lost);
  const limit = o.of === 'frames' ? o.limits.frames : o.limits.bytes;
  // The row holding the threshold's level; none when every window in view is below it.
  const thresholdRow = limit < max ? h - 1 - Math.floor((limit * scale) / 8) : -1;
  const hot: boolean[] = [];
  for (let c = 0; c < cols.count; c++) hot.push(cols.hot(c, o.limits));
  const line = new LinePainter();
  const lines: string[] = [];
  for (let r = 0; r < h; r++) {
    const bottom = (h - 1 - r) * 8;
    const labelled = r === 0 || r === Math.floor(h / 2);
    const level = max * ((h - r) / h);
    line.add(labelled ? `${label(level, o.unit)} ┤` : `${' '.repeat(LABEL_WIDTH)} │`, null);
    for (let c = 0; c < cols.count; c++) {
      const e = eighths(peaks[c]);
      const fill = Math.min(8, Math.max(0, e - bottom));
      if (fill === 0) {
        if (thresholdRow === r) line.add(THRESHOLD, thresholdStyle);
        else line.blank();
        continue;
      }
      const avg = eighths(o.of === 'frames' ? cols.avgFrames(c) : cols.avgBytes(c));
      const aboveAverage = bottom >= avg;
      const char = fill === 8 && aboveAverage ? ABOVE_AVERAGE : EIGHTHS[fill - 1];
      line.add(char, hot[c] ? (aboveAverage ? dimHotBar : hotBar) : aboveAverage ? dimBar : bar);
    }
    lines.push(line.done());
  }
  line.add(`${label(0, o.unit)} ┼`, null);
  for (let c = 0; c < cols.count; c++) {
    if (hot[c]) line.add(HOT_MARK, hotBar);
    else if (cols.lostWindows[c] > 0) line.add(LOST_MARK, lostStyle);
    else line.add('─', null);
  }
  lines.push(line.done());
  return lines;
}
