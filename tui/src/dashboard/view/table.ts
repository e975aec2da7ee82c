// The table of counter sets: as many fields as the width allows, most important first.
import chalk from 'chalk';
import type { SetView } from '../model.js';
import { LinePainter, truncateEnd } from '../paint.js';
import { SPARK_WIDTH, sparkCells } from '../sparkline.js';
import { formatNs, si } from '../units.js';

/** "3/1024": exact while it fits `width`, in k/M beyond; "-" for a replay. */
function fifoText(fifo: SetView['fifo'], width: number): string {
  if (fifo === null) return '-';
  const exact = `${fifo.queued}/${fifo.capacity}`;
  return exact.length <= width ? exact : `${si(fifo.queued)}/${si(fifo.capacity)}`;
}

interface Field {
  readonly header: string;
  readonly width: number;
  /** Lower keeps its place on narrow terminals. */
  readonly priority: number;
  readonly cell: (s: SetView) => string;
  /** The sparkline: drawn per character (hot columns in red), `cell` gives its plain text. */
  readonly spark?: true;
}

const sparkText = (s: SetView) =>
  sparkCells(s.spark, s.limits)
    .map((c) => c.char)
    .join('');

export const TABLE_FIELDS: readonly Field[] = [
  { header: 'name', width: 14, priority: 0, cell: (s) => s.name },
  { header: 'period', width: 6, priority: 0, cell: (s) => formatNs(s.periodNs) },
  { header: 'fifo', width: 11, priority: 2, cell: (s) => fifoText(s.fifo, 11) },
  { header: 'recent peaks', width: SPARK_WIDTH, priority: 0, cell: sparkText, spark: true },
  { header: 'fr/win', width: 6, priority: 3, cell: (s) => (s.latest ? si(s.latest.frames) : '-') },
  { header: 'B/win', width: 6, priority: 4, cell: (s) => (s.latest ? si(s.latest.bytes) : '-') },
  { header: 'peak fr', width: 7, priority: 1, cell: (s) => si(s.peakFrames) },
  { header: 'peak B', width: 7, priority: 4, cell: (s) => si(s.peakBytes) },
  { header: 'pkt/s', width: 6, priority: 1, cell: (s) => si(s.pps) },
  { header: 'bit/s', width: 6, priority: 1, cell: (s) => si(s.bps) },
  { header: 'frames', width: 7, priority: 5, cell: (s) => (s.totalFrames === null ? '-' : si(s.totalFrames)) },
  { header: 'bytes', width: 7, priority: 5, cell: (s) => (s.totalBytes === null ? '-' : si(s.totalBytes)) },
  { header: 'bursts', width: 6, priority: 0, cell: (s) => (s.burstCount === null ? '-' : si(s.burstCount)) },
  { header: 'lost', width: 5, priority: 0, cell: (s) => si(s.lost) },
];

/** The columns that fit in a terminal `width` wide, in display order. */
export function fitFields(width: number): Field[] {
  const chosen = new Set<Field>();
  let used = 2; // the selection marker
  for (const c of [...TABLE_FIELDS].sort((a, b) => a.priority - b.priority)) {
    if (used + c.width + 1 > width) continue;
    chosen.add(c);
    used += c.width + 1;
  }
  return TABLE_FIELDS.filter((c) => chosen.has(c));
}

const fit = (text: string, width: number, left: boolean) =>
  text.length > width ? truncateEnd(text, width) : left ? text.padEnd(width) : text.padStart(width);

const RED = '\x1b[31m';
const CYAN = '\x1b[36m';
const DEFAULT = '\x1b[39m';

/** The sparkline as one string, hot columns in red, one colour code per run of them. */
function spark(s: SetView, color: boolean): string {
  const cells = sparkCells(s.spark, s.limits);
  if (!color) return cells.map((c) => c.char).join('');
  // Runs end in DEFAULT, which leaves the selected row's inverse and an error row's red alone.
  const line = new LinePainter(DEFAULT);
  for (const c of cells) line.add(c.char, c.hot ? RED : CYAN);
  return line.done();
}

/** The table's header and a line per set shown, `rows` of them around the selected one. */
export function tableLines(
  sets: readonly SetView[],
  selected: number,
  width: number,
  rows: number,
  color: boolean,
): string[] {
  const cols = fitFields(width);
  const header = chalk.bold('  ' + cols.map((c, i) => fit(c.header, c.width, i === 0)).join(' '));
  if (sets.length === 0) return [header, chalk.dim(' no counter sets yet: press a to add a rule')];
  // Keep the selected row visible when there are more sets than rows.
  const first = Math.max(0, Math.min(selected - rows + 1, sets.length - rows));
  const lines = sets.slice(first, first + rows).map((s, i) => {
    // The sparkline is SPARK_WIDTH wide already, its colour codes take no room.
    const text = cols.map((c, k) => (c.spark ? spark(s, color) : fit(c.cell(s), c.width, k === 0))).join(' ');
    // A set in error is red throughout: the sparkline's own colours give way back to red.
    const styled = color && s.error !== null ? RED + text.replaceAll(DEFAULT, DEFAULT + RED) + DEFAULT : text;
    // Inverse through chalk (none where the output has no colours).
    return first + i === selected ? chalk.inverse(`> ${styled}`) : `  ${styled}`;
  });
  return [header, ...lines];
}

/** Every figure of one set on one line, for when the table had to drop fields. */
export function detailsLine(s: SetView, width: number): string {
  const parts = [
    `${s.name}: fifo ${fifoText(s.fifo, 11)}`,
    `total ${s.totalFrames === null ? '-' : si(s.totalFrames)} fr ${s.totalBytes === null ? '-' : si(s.totalBytes)}B`,
    `peak ${si(s.peakFrames)} fr ${si(s.peakBytes)}B`,
    `bursts ${s.burstCount === null ? '-' : si(s.burstCount)}`,
    `lost ${si(s.lost)}`,
  ];
  if (s.error !== null) parts.push(s.error);
  return truncateEnd(parts.join('  '), width);
}
