// Bottom line: drain rate, losses, live/paused, last error, cut to the terminal's width.
import chalk from 'chalk';
import type { Burst } from '../../windows/bursts.js';
import { truncateEnd } from '../paint.js';
import { formatLocalNs, formatNs, si } from '../units.js';

/** The most recent burst of any set. */
export interface LastBurst {
  readonly name: string;
  readonly burst: Burst;
}

export function statusLine(props: {
  state: string;
  drainRate: number | null;
  lost: bigint;
  /** What the last key did or why it could not (plain). */
  message: string | null;
  error: string | null;
  lastBurst: LastBurst | null;
  color: boolean;
  width: number;
}): string {
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
  const plain = parts.join(' | ');
  const error = props.error !== null ? ` | error: ${props.error}` : '';
  const line = truncateEnd(plain + error, props.width);
  // The error's part of the line red, the ellipsis of a cut line not.
  const cut = line.length < plain.length + error.length ? line.slice(0, -1) : line;
  const red = cut.slice(plain.length);
  return cut.slice(0, plain.length) + (props.color && red !== '' ? chalk.red(red) : red) + line.slice(cut.length);
}
