// Lines that change at every redraw, drawn without Ink measuring them. Ink 6 keeps every text
// it measures in a module cache that is never emptied, so a chart redrawn five times a second
// would grow the heap by tens of MiB a minute, and measuring costs CPU at every redraw. Ink measures
// a blank block `width` wide instead (one cache entry per size), and the lines replace it one by
// one as it is written. Each line must fit in `width` columns.
import { Transform } from 'ink';

export function Lines(props: { lines: readonly string[]; width: number }) {
  const { lines } = props;
  if (lines.length === 0) return null;
  const blank = ' '.repeat(props.width);
  return <Transform transform={(_, i) => lines[i] ?? ''}>{Array(lines.length).fill(blank).join('\n')}</Transform>;
}
