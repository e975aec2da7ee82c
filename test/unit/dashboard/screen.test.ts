import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Screen } from '../../../tui/src/dashboard/screen.js';
import { seededRandom } from '../helpers.js';
import { VirtualTerminal } from './terminal.js';

/** After the Screen's paint (it paints once the current task is done). */
const painted = () => new Promise((resolve) => setImmediate(resolve));

// eslint-disable-next-line no-control-regex
const plain = (line: string) => line.replace(/\x1b\[[0-9;]*m/g, '');

/** What a terminal `rows` high shows of these lines. */
function expected(lines: readonly string[], rows: number): string {
  const shown = lines.slice(0, rows).map((l) => plain(l).trimEnd());
  while (shown.length > 0 && shown.at(-1) === '') shown.pop();
  return shown.join('\n');
}

function randomLines(rnd: (n: number) => number, columns: number, rows: number, previous: readonly string[]): string[] {
  const count = rnd(rows + 4);
  return Array.from({ length: count }, (_, i) => {
    // Most rows unchanged, as a dashboard frame (while they fit); some exactly as wide as the terminal.
    const before = previous[i];
    if (before !== undefined && plain(before).length <= columns && rnd(10) < 6) return before;
    const width = rnd(5) === 0 ? columns : rnd(columns + 1);
    let line = '';
    while (plain(line).length < width) {
      const run = Math.min(width - plain(line).length, 1 + rnd(12));
      const ch = ' ab█▁╌│'[rnd(7)]!.repeat(run);
      line += rnd(10) < 3 ? `\x1b[3${rnd(8)}m${ch}\x1b[39m` : ch;
    }
    return line;
  });
}

test('every frame, main view or Ink, ends up on the terminal as given, however it changed', async () => {
  const rnd = seededRandom(0x5eed);
  const terminal = new VirtualTerminal(40, 12);
  const screen = new Screen(terminal);
  let lines: string[] = [];
  for (let frame = 0; frame < 600; frame++) {
    if (frame % 97 === 96) terminal.resize(20 + rnd(40), 5 + rnd(15));
    lines = randomLines(rnd, terminal.columns, terminal.rows, lines);
    if (rnd(2) === 0) screen.show(lines);
    else {
      screen.show(null);
      screen.inkStdout.write(lines.join('\n'));
    }
    await painted();
    assert.equal(terminal.text(), expected(lines, terminal.rows), `frame ${frame}`);
  }
});

test('only the rows that changed are written, nothing when no row did', async () => {
  const terminal = new VirtualTerminal(30, 10);
  const screen = new Screen(terminal);
  const frame = ['table', '> alpha 3', '  beta 4', 'chart ▁█', 'status'];
  screen.show(frame);
  await painted();
  const rowWrites = () => terminal.writes.join('').split('\x1b[2K').length - 1;
  assert.equal(rowWrites(), 5);
  screen.show([...frame]);
  await painted();
  assert.equal(terminal.writes.length, 1, 'an unchanged frame writes nothing');
  screen.show(['table', '> alpha 3', '  beta 5', 'chart ▁█', 'status']);
  await painted();
  assert.equal(rowWrites(), 6);
  assert.ok(terminal.writes.at(-1)!.includes('\x1b[3;1H\x1b[2K  beta 5'), 'row 3 written');
  // Fewer lines: the rows below are cleared, in one erase.
  screen.show(['table']);
  await painted();
  assert.equal(rowWrites(), 6);
  assert.equal(terminal.text(), 'table');
});

test("switching between the main view and Ink's frame is one paint", async () => {
  const terminal = new VirtualTerminal(30, 10);
  const screen = new Screen(terminal);
  screen.show(['main view', 'status']);
  await painted();
  // As in a React commit: Ink writes its frame, then the layout effect says there is no main view.
  screen.inkStdout.write('┌help┐\n└────┘\nstatus');
  screen.show(null);
  await painted();
  assert.equal(terminal.writes.length, 2);
  assert.equal(terminal.text(), '┌help┐\n└────┘\nstatus');
});

test('a resize clears the terminal and draws the whole frame again; Ink hears of it', async () => {
  const terminal = new VirtualTerminal(30, 10);
  const screen = new Screen(terminal);
  let inkHeard = 0;
  screen.inkStdout.on('resize', () => inkHeard++);
  screen.show(['a'.repeat(30), 'b'.repeat(30)]);
  await painted();
  terminal.resize(20, 10);
  assert.equal(inkHeard, 1);
  assert.equal(screen.inkStdout.columns, 20);
  screen.show(['a'.repeat(20), 'b'.repeat(20)]);
  await painted();
  assert.ok(terminal.writes.at(-1)!.includes('\x1b[H\x1b[2J'), 'the terminal cleared');
  assert.equal(terminal.text(), `${'a'.repeat(20)}\n${'b'.repeat(20)}`);
});
