// The `b` list: the selected set's bursts, biggest peak first (ties: earliest first), with start
// (local time), duration, windows, frames, bytes and peak rates. ↑/↓ scroll, Enter moves the
// charts to the burst, Esc closes.
import { Box, Text, useInput } from 'ink';
import { useMemo, useState } from 'react';
import { type Burst, byPeak } from '../../windows/bursts.js';
import { formatLocalNs, formatNs, si } from '../units.js';

const HEADER = ['start', 'duration', 'windows', 'frames', 'bytes', 'peak pps', 'peak bps'];
const WIDTHS = [26, 8, 7, 6, 7, 8, 8];

function burstCells(b: Burst, periodNs: bigint): string[] {
  const perSecond = 1e9 / Number(periodNs);
  return [
    formatLocalNs(b.startNs),
    formatNs(b.endNs - b.startNs),
    String(b.windows),
    si(b.frames),
    si(b.bytes) + 'B',
    si(Number(b.peakFrames) * perSecond),
    si(Number(b.peakBytes) * 8 * perSecond),
  ];
}

const row = (cells: readonly string[]) =>
  cells.map((c, i) => (i === 0 ? c.padEnd(WIDTHS[i]) : c.padStart(WIDTHS[i]))).join(' ');

export function Bursts(props: {
  name: string;
  periodNs: bigint;
  /** Bursts in any order; the list sorts them. */
  bursts: readonly Burst[];
  /** Bursts so far, the ones not kept included. */
  count: number;
  /** Whether the set has a threshold at all. */
  thresholds: string;
  /** Rows for the list itself. */
  rows: number;
  goto: (b: Burst) => void;
  close: () => void;
}) {
  const sorted = useMemo(() => [...props.bursts].sort(byPeak), [props.bursts]);
  const [cursor, setCursor] = useState(0);
  const rows = Math.max(1, props.rows);
  const sel = Math.min(cursor, Math.max(0, sorted.length - 1));
  useInput((input, key) => {
    if (key.escape || input === 'b' || input === 'q') props.close();
    else if (key.upArrow) setCursor(Math.max(0, sel - 1));
    else if (key.downArrow) setCursor(Math.min(sorted.length - 1, sel + 1));
    else if (key.pageUp) setCursor(Math.max(0, sel - rows));
    else if (key.pageDown) setCursor(Math.max(0, Math.min(sorted.length - 1, sel + rows)));
    else if (key.return && sorted[sel] !== undefined) props.goto(sorted[sel]);
  });
  const first = Math.max(0, Math.min(sel - Math.floor(rows / 2), sorted.length - rows));
  const shown = sorted.slice(first, first + rows);
  const title =
    props.thresholds === ''
      ? `bursts of ${props.name}: no threshold (press t to set one)`
      : `bursts of ${props.name} above ${props.thresholds}: ${props.count}, biggest peak first` +
        (sorted.length < props.count ? ` (the ${sorted.length} biggest kept)` : '') +
        (sorted.length > 0 ? `  (${sel + 1}/${sorted.length}; ↑/↓, Enter shows it, Esc closes)` : '');
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate-end">
        {title}
      </Text>
      <Text bold wrap="truncate-end">
        {'  ' + row(HEADER)}
      </Text>
      {shown.map((b, i) => (
        <Text key={String(b.startNs)} inverse={first + i === sel} wrap="truncate-end">
          {(first + i === sel ? '> ' : '  ') + row(burstCells(b, props.periodNs))}
        </Text>
      ))}
    </Box>
  );
}
