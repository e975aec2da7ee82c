// The `d` confirmation: lists the exact rules of the set first; y deletes those, n or Esc keeps them.
import { Box, Text, useInput } from 'ink';
import { useEffect, useState } from 'react';
import { printable } from '../../args/printable.js';
import type { SetRule } from '../../rules/iptables.js';

export function ConfirmDelete(props: {
  name: string;
  find: (name: string) => Promise<SetRule[] | string>;
  remove: (rules: readonly SetRule[]) => Promise<string | null>;
  close: (error: string | null) => void;
}) {
  const { name, close } = props;
  // Listed once, when the dialog opens: what y deletes is what was shown.
  const [listing] = useState(() => props.find(name));
  const [rules, setRules] = useState<SetRule[] | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    let open = true;
    void listing.then((found) => {
      if (!open) return;
      if (typeof found === 'string') close(found);
      else setRules(found);
    });
    return () => {
      open = false;
    };
  }, [listing, close]);
  useInput((input, key) => {
    if (busy) return;
    if (rules !== null && (input === 'y' || input === 'Y')) {
      setBusy(true);
      void props.remove(rules).then(props.close);
    } else if (input === 'n' || input === 'N' || key.escape) props.close(null);
  });
  const count = rules?.length === 1 ? 'this rule' : `these ${rules?.length} rules`;
  return (
    <Box borderStyle="single" paddingX={1} flexDirection="column">
      <Text>
        {rules === null
          ? `listing the rules of ${name}…`
          : busy
            ? `deleting the rules of ${name}…`
            : `delete ${count} of counter set ${name}? (y/n)`}
      </Text>
      {rules?.map((r, i) => (
        <Text key={i}>{printable(r.shown)}</Text>
      ))}
    </Box>
  );
}
