// Bottom line: drain rate, losses, live/paused, last error.
import { Text } from 'ink';
import type { Burst } from '../bursts.js';
import { formatLocalNs, formatNs, si } from '../units.js';

/** The most recent burst of any set. */
export interface LastBurst {
  readonly name: string;
  readonly burst: Burst;
}

export function StatusLine(props: {
  state: string;
  drainRate: number | null;
  lost: bigint;
  /** What the last key did or why it could not (plain). */
  message: string | null;
  error: string | null;
  lastBurst: LastBurst | null;
  color: boolean;
}) {
  const parts = [props.state];
  if (props.message !== null) parts.push(props.message);
  if (props.drainRate !== null) parts.push(`drain ${si(Math.round(props.drainRate))} samples/s`);
  parts.push(`lost ${si(props.lost)}`);
  const lb = props.lastBurst;
  if (lb !== null) {
    const b = lb.burst;
    // The time of day is enough on the status line; `b` shows the date.
    const at = formatLocalNs(b.startNs).slice(11);
    parts.push(`last burst ${lb.name} ${at} ${formatNs(b.endNs - b.startNs)} peak ${si(b.peakFrames)} fr`);
  }
  parts.push('? help');
  return (
    <Text wrap="truncate-end">
      {parts.join(' | ')}
      {props.error !== null ? <Text color={props.color ? 'red' : undefined}>{` | error: ${props.error}`}</Text> : null}
    </Text>
  );
}
