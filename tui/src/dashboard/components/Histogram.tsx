// The `h` screen: how often windows of each size occur in the selected set's kept windows, by
// frames in powers of two; buckets above the threshold are marked. Any key closes it.
import { Box, Text } from 'ink';
import { HOT_MARK } from '../chart.js';
import { histogram } from '../../windows/histogram.js';
import type { SetSeries } from '../../windows/series.js';
import { formatNs, si } from '../units.js';

export function Histogram(props: { series: SetSeries; limit: number; width: number; rows: number; color: boolean }) {
  const h = histogram(props.series);
  const max = Math.max(1, ...h.buckets.map((b) => b.windows));
  const barWidth = Math.max(1, props.width - 28);
  // The largest buckets when they do not all fit: small windows are the many, big ones matter.
  const buckets = h.buckets.slice(-Math.max(1, props.rows - 3));
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate-end">
        {`windows of ${props.series.name} by frames (${si(props.series.windows)} windows of ${formatNs(props.series.periodNs)}), any key closes`}
      </Text>
      {buckets.map((b) => {
        const range = b.lo === b.hi ? String(b.lo) : `${si(b.lo)}-${si(b.hi)}`;
        const bar = '█'.repeat(b.windows > 0 ? Math.max(1, Math.round((b.windows / max) * barWidth)) : 0);
        const hot = b.hi > props.limit;
        return (
          <Text key={b.lo} wrap="truncate-end">
            {`${range.padStart(11)} ${hot ? HOT_MARK : ' '}│`}
            <Text color={props.color ? (hot ? 'red' : 'cyan') : undefined}>{bar}</Text>
            {` ${si(b.windows)}`}
          </Text>
        );
      })}
      {h.lostWindows > 0 ? (
        <Text>{`${'lost'.padStart(11)}  │ ${si(h.lostWindows)} windows without detail`}</Text>
      ) : null}
    </Box>
  );
}
