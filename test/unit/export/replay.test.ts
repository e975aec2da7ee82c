import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseReplay, readReplay } from '../../../tui/src/export/replay.js';

const T = 1_764_288_000_000_000_000n;
const H = 'start_ns,end_ns,frames,bytes,lost\n';

test('an exported CSV reads back exactly, lost stretches included', () => {
  const text = `${H}${T},${T + 1000n},3,300,0\n${T + 1000n},${T + 6000n},40,4000,4\n${T + 6000n},${T + 7000n},0,0,0\n`;
  const r = parseReplay(text, 'f.csv');
  assert.equal(r.periodNs, 1000n);
  assert.deepEqual(r.rows[1], { startNs: T + 1000n, endNs: T + 6000n, frames: 40n, bytes: 4000n, lost: 4n });
  assert.equal(r.rows[2].endNs, 1_764_288_000_000_007_000n);
});

test('malformed replay files name the line and the problem', () => {
  const bad: Array<[string, RegExp]> = [
    ['', /f.csv: empty file, expected the header start_ns,end_ns,frames,bytes,lost/],
    ['start,end\n1,2\n', /f.csv line 1: expected the header/],
    [H, /f.csv: no rows after the header/],
    [`${H}${T},${T + 1000n},3,300\n`, /f.csv line 2: expected 5 fields, found 4/],
    [
      `${H}${T},${T + 1000n},3,300,0\n${T + 1000n},${T + 2000n},x,300,0\n`,
      /f.csv line 3: field 3 'x' is not an unsigned integer/,
    ],
    [`${H}${T},${T + 1000n},-3,300,0\n`, /line 2: field 3 '-3' is not an unsigned integer/],
    [`${H}${T},${T},3,300,0\n`, /line 2: end_ns \d+ is not after start_ns/],
    [
      `${H}${T},${T + 1000n},1,1,0\n${T + 1500n},${T + 2500n},1,1,0\n`,
      /line 3: start_ns \d+ does not continue the previous row's end_ns \d+/,
    ],
    [
      `${H}${T},${T + 1000n},1,1,0\n${T + 1000n},${T + 3000n},1,1,0\n`,
      /line 3: window of 2000 ns, earlier windows are 1000 ns/,
    ],
    [`${H}${T},${T + 1000n},18446744073709551616,1,0\n`, /line 2: field 3 exceeds 2\^64-1/],
    // Windows are numbered start / period: a row off that grid has no window number.
    [
      `${H}${T},${T + 1000n},1,1,0\n${T + 1000n},${T + 2500n},1,1,3\n`,
      new RegExp(`line 3: row ${T + 1000n}\\.\\.${T + 2500n} is not on the 1000 ns windows' grid`),
    ],
    [`${H}${T + 500n},${T + 1500n},1,1,0\n`, /line 2: row \d+\.\.\d+ is not on the 1000 ns windows' grid/],
  ];
  for (const [text, re] of bad) assert.throws(() => parseReplay(text, 'f.csv'), re);
});

test('an unreadable replay file is one clear line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'replay-'));
  assert.throws(
    () => readReplay(join(dir, 'missing.csv')),
    new RegExp(`cannot read replay file ${dir}/missing.csv: ENOENT`),
  );
  writeFileSync(join(dir, 'ok.csv'), `${H}${T},${T + 1000n},3,300,0\n`);
  assert.equal(readReplay(join(dir, 'ok.csv')).rows.length, 1);
});

// OSC 52: a terminal that gets this raw puts "hello" on the clipboard; OSC 0 retitles the window.
const OSC52 = '\x1b]52;c;aGVsbG8=\x07';
const OSC0 = '\x1b]0;pwned\x07';

test('control characters in a replayed file and in its name are never written raw; long fields are cut', () => {
  const field = (f: string) => () => parseReplay(`${H}${T},${T + 1000n},${f},1,0\n`, 'f.csv');
  assert.throws(field(OSC52), { message: "f.csv line 2: field 3 '?]52;c;aGVsbG8=?' is not an unsigned integer" });
  // C1 controls too (U+009B is CSI in one character), DEL and NUL.
  assert.throws(field('\u009b2J\x7f\x00'), { message: "f.csv line 2: field 3 '?2J??' is not an unsigned integer" });
  // Cut as the drain cuts a malformed line: 48 characters, then "...".
  assert.throws(field('9'.repeat(47) + 'x'.repeat(100_000)), {
    message: `f.csv line 2: field 3 '${'9'.repeat(47)}x...' is not an unsigned integer`,
  });

  const dir = mkdtempSync(join(tmpdir(), 'replay-'));
  const named = join(dir, `lab${OSC0}.csv`);
  writeFileSync(named, `${H}${T},${T + 1000n},3,300,0\n`);
  const r = readReplay(named);
  assert.equal(r.name, 'lab?]0;pwned?');
  assert.equal(r.fileName, 'lab?]0;pwned?.csv');
  writeFileSync(named, `${H}x\n`);
  assert.throws(() => readReplay(named), { message: `${dir}/lab?]0;pwned?.csv line 2: expected 5 fields, found 1` });
  assert.throws(() => readReplay(join(dir, `no${OSC52}.csv`)), {
    message: `cannot read replay file ${dir}/no?]52;c;aGVsbG8=?.csv: ENOENT`,
  });
});

test('a period below 1 µs is refused, naming the line it comes from', () => {
  assert.throws(() => parseReplay(`${H}${T},${T + 999n},1,1,0\n`, 'f.csv'), {
    message: 'f.csv line 2: windows of 999 ns: the shortest period is 1 µs',
  });
  // The period is that of the first exact window; without one, that of the first row.
  assert.throws(() => parseReplay(`${H}${T},${T + 1000n},1,1,3\n${T + 1000n},${T + 1500n},1,1,0\n`, 'f.csv'), {
    message: 'f.csv line 3: windows of 500 ns: the shortest period is 1 µs',
  });
  assert.throws(() => parseReplay(`${H}${T},${T + 10n},1,1,5\n`, 'f.csv'), {
    message: 'f.csv line 2: windows of 10 ns: the shortest period is 1 µs',
  });
  assert.equal(parseReplay(`${H}${T},${T + 1000n},1,1,0\n`, 'f.csv').periodNs, 1000n);
});
