import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { Box, Text } from 'ink';
import { cleanup, render } from 'ink-testing-library';
import { statusLine } from '../../../tui/src/dashboard/view/status-line.js';

afterEach(() => cleanup());

const line = (width: number, error: string | null) =>
  statusLine({
    state: 'live',
    drainRate: 316_000,
    lost: 2n,
    message: null,
    error,
    lastBurst: null,
    color: false,
    width,
  });

test('the status line is cut at the width as <Text wrap="truncate-end"> cuts it, the error included', () => {
  const text = 'live | drain 316k samples/s | lost 2 | ? help';
  assert.equal(line(80, null), text);
  assert.equal(line(80, 'set1: read failed'), `${text} | error: set1: read failed`);
  for (const width of [20, 50, 60]) {
    const full = `${text} | error: set1: read failed`;
    const expected = full.slice(0, width - 1) + '…';
    assert.equal(line(width, 'set1: read failed'), expected);
    // Ink's own cut of the same text, as the line was drawn before.
    const ink = render(
      <Box width={width}>
        <Text wrap="truncate-end">{full}</Text>
      </Box>,
    ).lastFrame();
    assert.equal(ink, expected);
  }
});
