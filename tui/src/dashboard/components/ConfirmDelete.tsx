// The `d` confirmation: y deletes every rule of the set, n or Esc keeps them.
import { Box, Text, useInput } from 'ink';
import { useState } from 'react';

export function ConfirmDelete(props: {
  name: string;
  remove: (name: string) => Promise<string | null>;
  close: (error: string | null) => void;
}) {
  const [busy, setBusy] = useState(false);
  useInput((input, key) => {
    if (busy) return;
    if (input === 'y' || input === 'Y') {
      setBusy(true);
      void props.remove(props.name).then(props.close);
    } else if (input === 'n' || input === 'N' || key.escape) props.close(null);
  });
  return (
    <Box borderStyle="single" paddingX={1}>
      <Text>
        {busy ? `deleting the rules of ${props.name}…` : `delete every rule of counter set ${props.name}? (y/n)`}
      </Text>
    </Box>
  );
}
