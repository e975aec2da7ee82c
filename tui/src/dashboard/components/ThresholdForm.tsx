// The `t` prompt: the selected set's thresholds, e.g. "50kpps" or "50kpps 800Mbps"; empty clears
// them. A bad rate is refused with one line and the prompt stays; Esc cancels.
import { Box, Text, useInput } from 'ink';
import TextInput from 'ink-text-input';
import { useState } from 'react';
import { NO_THRESHOLDS, parseThresholds, type Thresholds } from '../../windows/threshold.js';

function parseThresholdInput(text: string): Thresholds {
  const words = text.split(/[\s,]+/).filter((w) => w !== '');
  return words.length === 0 ? NO_THRESHOLDS : parseThresholds(words);
}

export function ThresholdForm(props: {
  name: string;
  current: string;
  apply: (t: Thresholds) => void;
  close: () => void;
  color: boolean;
}) {
  const [text, setText] = useState(props.current);
  const [error, setError] = useState<string | null>(null);
  useInput((_input, key) => {
    if (key.escape) props.close();
  });
  const submit = () => {
    let t: Thresholds;
    try {
      t = parseThresholdInput(text);
    } catch (e) {
      setError((e as Error).message);
      return;
    }
    props.apply(t);
  };
  return (
    <Box flexDirection="column" borderStyle="single" paddingX={1}>
      <Text
        bold
      >{`threshold of ${props.name} (e.g. 50kpps, 800Mbps, both; empty clears; Enter sets, Esc cancels)`}</Text>
      <Box>
        <Text>{'> '}</Text>
        <TextInput value={text} onChange={setText} onSubmit={submit} />
      </Box>
      {error !== null ? <Text color={props.color ? 'red' : undefined}>{error}</Text> : null}
    </Box>
  );
}
