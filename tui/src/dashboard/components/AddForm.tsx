// The `a` form: fields of a new rule, validated before iptables runs; its refusal is shown here.
import { Box, Text, useInput } from 'ink';
import TextInput from 'ink-text-input';
import { useState } from 'react';
import { type FieldErrors, type RuleForm, type RuleSpec, validateRule } from '../../rules/validate.js';

// Tabs, newlines and other control characters, which a paste may carry.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\x00-\x1f\x7f]/g;

const FIELDS: ReadonlyArray<readonly [keyof RuleForm, string]> = [
  ['family', 'family (ipv4/ipv6)'],
  ['chain', 'chain'],
  ['matches', 'extra matches'],
  ['period', 'period (e.g. 100us)'],
  ['samples', 'samples'],
  ['name', 'name (optional)'],
];

const EMPTY_FORM: RuleForm = { family: 'ipv4', chain: 'INPUT', matches: '', period: '', samples: '', name: '' };

/** `submit` resolves to the command's error line, or null when the rule was added. */
export function AddForm(props: {
  submit: (spec: RuleSpec) => Promise<string | null>;
  close: () => void;
  color: boolean;
}) {
  const [form, setForm] = useState<RuleForm>(EMPTY_FORM);
  const [field, setField] = useState(0);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [refusal, setRefusal] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useInput((_input, key) => {
    if (busy) return;
    if (key.escape) props.close();
    else if (key.downArrow || (key.tab && !key.shift)) setField((f) => (f + 1) % FIELDS.length);
    else if (key.upArrow || (key.tab && key.shift)) setField((f) => (f + FIELDS.length - 1) % FIELDS.length);
  });

  const submit = () => {
    if (busy) return;
    const { spec, errors: errs } = validateRule(form);
    setErrors(errs);
    setRefusal(null);
    if (spec === null) return;
    setBusy(true);
    void props.submit(spec).then((err) => {
      setBusy(false);
      if (err === null) props.close();
      else setRefusal(err);
    });
  };

  const red = props.color ? 'red' : undefined;
  return (
    <Box flexDirection="column" borderStyle="single" paddingX={1}>
      <Text bold>add a pktstat rule (Tab/↑/↓ move, Enter runs iptables, Esc cancels)</Text>
      {FIELDS.map(([key, label], i) => (
        <Box key={key} flexDirection="column">
          <Box>
            <Text>{`${i === field ? '>' : ' '} ${label.padEnd(20)} `}</Text>
            <TextInput
              value={form[key]}
              focus={i === field && !busy}
              // A paste may carry tabs or newlines: they would break the layout, and mean spaces here.
              onChange={(v) => setForm((f) => ({ ...f, [key]: v.replace(CONTROL_CHARS, ' ') }))}
              onSubmit={submit}
            />
          </Box>
          {errors[key] !== undefined ? <Text color={red}>{`  ${errors[key]}`}</Text> : null}
        </Box>
      ))}
      {busy ? <Text>running iptables…</Text> : null}
      {refusal !== null ? <Text color={red}>{`refused: ${refusal}`}</Text> : null}
    </Box>
  );
}
