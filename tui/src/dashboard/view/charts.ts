// The selected set's two charts, frames and bytes: per column the peak window of `zoom` windows,
// the average as the shaded part of the bar and in the title, the threshold as a line.
import chalk from 'chalk';
import { AXIS_WIDTH, COLORS, HOT_MARK, renderChart } from '../chart.js';
import { LOST_MARK } from '../columns.js';
import { buildColumns, type Limits } from '../columns.js';
import { truncateEnd } from '../paint.js';
import type { SetSeries } from '../../windows/series.js';
import { formatNs, si } from '../units.js';

/** The frames chart and the bytes chart, each with its title: 2 × `height` lines. */
export function chartLines(props: {
  series: SetSeries;
  zoom: number;
  offset: number;
  width: number;
  /** Rows of one chart with its axis. */
  height: number;
  color: boolean;
  limits: Limits;
  /** The thresholds as text ("33kpps 800Mbps"), "" when none. */
  thresholds: string;
}): string[] {
  const { series, zoom } = props;
  const view = buildColumns(series, zoom, Math.max(1, props.width - AXIS_WIDTH - 1), props.offset);
  const cols = view.columns;
  const { windows, frames, bytes } = cols.totals();
  let hot = 0;
  let lost = 0;
  for (let c = 0; c < cols.count; c++) {
    if (cols.hot(c, props.limits)) hot++;
    if (cols.lostWindows[c] > 0) lost++;
  }
  const period = formatNs(series.periodNs);
  const per = zoom === 1 ? ` per ${period} window` : `: peak of ${zoom}×${period} windows per column, ▒ above avg`;
  const where =
    props.offset > 0 ? `, ending ${formatNs(series.periodNs * BigInt(props.offset))} before the latest` : '';
  const avg = (v: number, unit: string) => `avg ${windows > 0 ? si(v / windows) : '-'}${unit}`;
  const marks = [
    props.thresholds !== '' ? `╌ ${props.thresholds}` : '',
    hot > 0 ? `${HOT_MARK} hot` : '',
    lost > 0 ? `${LOST_MARK} lost` : '',
  ]
    .filter((m) => m !== '')
    .join(' ');
  const rows = Math.max(1, props.height - 1);
  const options = { height: rows, limits: props.limits } as const;
  const framesChart = renderChart(view, {
    ...options,
    of: 'frames',
    unit: '',
    color: props.color ? COLORS.frames : null,
  });
  const bytesChart = renderChart(view, {
    ...options,
    of: 'bytes',
    unit: 'B',
    color: props.color ? COLORS.bytes : null,
  });
  const title = (text: string) => chalk.bold(truncateEnd(text, props.width));
  return [
    title(
      `frames${per}  ${series.name}  span ${formatNs(series.periodNs * BigInt(view.toWindow - view.fromWindow))}${where}`,
    ),
    ...framesChart,
    title(`bytes  ${avg(frames, ' fr')} ${avg(bytes, 'B')}  ${marks}`),
    ...bytesChart,
  ];
}
