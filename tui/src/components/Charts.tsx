// The selected set's two charts: frames and bytes per column of `zoom` windows.
import { Box, Text } from 'ink';
import { AXIS_WIDTH, BYTES_COLOR, columns, FRAMES_COLOR, plot } from '../chart.js';
import type { SetSeries } from '../series.js';
import { formatNs } from '../units.js';

export function Charts(props: {
  series: SetSeries;
  zoom: number;
  offset: number;
  width: number;
  height: number;
  color: boolean;
}) {
  const { series, zoom } = props;
  const cols = columns(series, zoom, Math.max(1, props.width - AXIS_WIDTH - 1), props.offset);
  const span = cols.toNs - cols.fromNs;
  const per = zoom === 1 ? formatNs(series.periodNs) : `${zoom}×${formatNs(series.periodNs)}`;
  const where =
    props.offset > 0 ? `, ending ${formatNs(series.periodNs * BigInt(props.offset))} before the latest` : '';
  return (
    <Box flexDirection="column">
      <Text bold>{`frames per ${per}  ${series.name}  span ${formatNs(span)}${where}`}</Text>
      <Text>{plot(cols.frames, props.height, '', props.color ? FRAMES_COLOR : undefined)}</Text>
      <Text bold>{`bytes per ${per}`}</Text>
      <Text>{plot(cols.bytes, props.height, 'B', props.color ? BYTES_COLOR : undefined)}</Text>
    </Box>
  );
}
