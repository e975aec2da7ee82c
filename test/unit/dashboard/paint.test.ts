import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LinePainter, RESET, truncateEnd } from '../../../tui/src/dashboard/paint.js';

const RED = '\x1b[31m';
const CYAN = '\x1b[36m';
const DIM_CYAN = '\x1b[2m\x1b[36m';

test('the painter writes one escape sequence per run of same-styled cells', () => {
  const p = new LinePainter();
  p.add('  0 ┼', null);
  for (const [char, style] of [
    ['█', CYAN],
    ['█', CYAN],
    ['▲', RED],
    ['▲', RED],
    [' ', null],
    ['▒', DIM_CYAN],
    ['▄', CYAN],
  ] as const)
    p.add(char, style);
  assert.equal(p.done(), `  0 ┼${CYAN}██${RESET}${RED}▲▲${RESET} ${DIM_CYAN}▒${RESET}${CYAN}▄${RESET}`);
});

test('an unstyled line has no escape sequence; the painter starts over after done()', () => {
  const p = new LinePainter();
  p.add('a', RED);
  assert.equal(p.done(), `${RED}a${RESET}`);
  for (const c of '▁▂?▲') p.add(c, null);
  assert.equal(p.done(), '▁▂?▲');
  assert.equal(p.done(), '');
});

test('runs can end in a code other than RESET, leaving the styles around the line alone', () => {
  const DEFAULT = '\x1b[39m';
  const p = new LinePainter(DEFAULT);
  for (const [c, style] of [
    ['▁', CYAN],
    ['█', RED],
    ['█', RED],
    ['▂', CYAN],
  ] as const)
    p.add(c, style);
  assert.equal(p.done(), `${CYAN}▁${DEFAULT}${RED}██${DEFAULT}${CYAN}▂${DEFAULT}`);
});

test('blank cells join the run they fall in, and the blanks at the end are left out', () => {
  const p = new LinePainter();
  p.add('  8 ┤', null);
  p.blank();
  p.add('█', CYAN);
  p.blank();
  p.blank();
  p.add('▄', CYAN);
  p.blank();
  p.add('█', RED);
  p.blank();
  p.blank();
  assert.equal(p.done(), `  8 ┤ ${CYAN}█  ▄ ${RESET}${RED}█${RESET}`);
  p.blank();
  p.add('?', null);
  p.blank();
  assert.equal(p.done(), ' ?', 'unstyled blanks inside a line stay');
});

test('truncateEnd cuts to the width with an ellipsis, as <Text wrap="truncate-end"> does', () => {
  assert.equal(truncateEnd('live | lost 0 | ? help', 30), 'live | lost 0 | ? help');
  assert.equal(truncateEnd('live | lost 0 | ? help', 22), 'live | lost 0 | ? help');
  assert.equal(truncateEnd('live | lost 0 | ? help', 10), 'live | lo…');
});
