// Bottom line: drain rate, losses, live/paused, last error.
import { Text } from 'ink';
import { si } from '../units.js';

export function StatusLine(props: {
  state: string;
  drainRate: number | null;
  lost: bigint;
  error: string | null;
  color: boolean;
}) {
  const parts = [props.state];
  if (props.drainRate !== null) parts.push(`drain ${si(Math.round(props.drainRate))} samples/s`);
  parts.push(`lost ${si(props.lost)}`);
  parts.push('? help');
  return (
    <Text wrap="truncate-end">
      {parts.join(' | ')}
      {props.error !== null ? <Text color={props.color ? 'red' : undefined}>{` | error: ${props.error}`}</Text> : null}
    </Text>
  );
}
