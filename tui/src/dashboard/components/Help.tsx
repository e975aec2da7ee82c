// The `?` screen: every key.
import { Box, Text } from 'ink';

const KEYS: ReadonlyArray<readonly [string, string]> = [
  ['↑/↓', 'select a counter set'],
  ['←/→', 'page the charts back/forward in time'],
  ['+/-', 'zoom out/in: windows per column, each shows its peak window'],
  ['t', "set or clear the selected set's threshold (e.g. 50kpps, 800Mbps)"],
  ['b', "the selected set's bursts, biggest peak first (Enter shows one)"],
  ['h', "histogram of the selected set's windows by frames"],
  ['a', 'add a rule (iptables/ip6tables)'],
  ['d', "delete the selected set's rules (asks y/n)"],
  ['p', 'pause/resume the view (draining goes on)'],
  ['?', 'show/hide this help'],
  ['q, Ctrl-C', 'quit'],
];

export function Help() {
  return (
    <Box flexDirection="column" borderStyle="single" paddingX={1}>
      <Text bold>pktstat-top keys</Text>
      {KEYS.map(([k, what]) => (
        <Text key={k}>{`${k.padEnd(10)} ${what}`}</Text>
      ))}
      <Text>{'charts: ▲ hot column (above the threshold ╌), ? lost windows, ▒ peak above the average'}</Text>
      <Text dimColor>press any key to close</Text>
    </Box>
  );
}
