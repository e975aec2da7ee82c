// The dashboard's main view as lines for the Screen: the table, the selected set's details when
// the table had to drop fields, its two charts, and the status line under them.
import chalk from 'chalk';
import type { SetView } from '../model.js';
import type { SetSeries } from '../../windows/series.js';
import { formatThresholds } from '../../windows/threshold.js';
import { chartLines } from './charts.js';
import { detailsLine, fitFields, TABLE_FIELDS, tableLines } from './table.js';

export function mainViewLines(v: {
  sets: readonly SetView[];
  selected: number;
  /** The selected set's windows; undefined when nothing is selected. */
  series: SetSeries | undefined;
  zoom: number;
  offset: number;
  width: number;
  rows: number;
  color: boolean;
  status: string;
}): string[] {
  const current: SetView | undefined = v.sets[v.selected];
  // Rows: table header + sets, two chart titles, status; the rest goes to the charts.
  const tableRows = Math.max(1, Math.min(v.sets.length, Math.floor(v.rows / 4)));
  const narrow = fitFields(v.width).length < TABLE_FIELDS.length;
  const chartHeight = Math.max(2, Math.floor((v.rows - 1 - (tableRows + 1) - (narrow ? 1 : 0) - 2 - 1) / 2));
  const lines = tableLines(v.sets, v.selected, v.width, tableRows, v.color);
  if (current !== undefined) {
    if (narrow) lines.push(detailsLine(current, v.width));
    if (v.series !== undefined && v.series.length > 0)
      lines.push(
        ...chartLines({
          series: v.series,
          zoom: v.zoom,
          offset: v.offset,
          width: v.width,
          height: chartHeight,
          color: v.color,
          limits: current.limits,
          thresholds: formatThresholds(current.thresholds),
        }),
      );
    else lines.push(chalk.dim('waiting for the first window…'));
  }
  lines.push(v.status);
  return lines;
}
