import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseReplay, readReplay } from '../../../tui/src/export/replay.js';

const T = 1_764_288_000_000_000_000n;
const H = 'start_ns,end_ns,frames,bytes,lost\n';

test('an exported CSV reads back exactly, lost stretches included', () => {
  const text = `${H}${T},${T + 100n},3,300,0\n${T + 100n},${T + 600n},40,4000,4\n${T + 600n},${T + 700n},0,0,0\n`;
  const r = parseReplay(text, 'f.csv');
  assert.equal(r.periodNs, 100n);
  assert.deepEqual(r.rows[1], { startNs: T + 100n, endNs: T + 600n, frames: 40n, bytes: 4000n, lost: 4n });
  assert.equal(r.rows[2].endNs, 1_764_288_000_000_000_700n);
});

test('malformed replay files name the line and the problem', () => {
  const bad: Array<[string, RegExp]> = [
    ['', /f.csv: empty file, expected the header start_ns,end_ns,frames,bytes,lost/],
    ['start,end\n1,2\n', /f.csv line 1: expected the header/],
    [H, /f.csv: no rows after the header/],
    [`${H}${T},${T + 100n},3,300\n`, /f.csv line 2: expected 5 fields, found 4/],
    [
      `${H}${T},${T + 100n},3,300,0\n${T + 100n},${T + 200n},x,300,0\n`,
      /f.csv line 3: field 3 'x' is not an unsigned integer/,
    ],
    [`${H}${T},${T + 100n},-3,300,0\n`, /line 2: field 3 '-3' is not an unsigned integer/],
    [`${H}${T},${T},3,300,0\n`, /line 2: end_ns \d+ is not after start_ns/],
    [
      `${H}${T},${T + 100n},1,1,0\n${T + 150n},${T + 250n},1,1,0\n`,
      /line 3: start_ns \d+ does not continue the previous row's end_ns \d+/,
    ],
    [
      `${H}${T},${T + 100n},1,1,0\n${T + 100n},${T + 300n},1,1,0\n`,
      /line 3: window of 200 ns, earlier windows are 100 ns/,
    ],
    [`${H}${T},${T + 100n},18446744073709551616,1,0\n`, /line 2: field 3 exceeds 2\^64-1/],
    // Windows are numbered start / period: a row off that grid has no window number.
    [
      `${H}${T},${T + 100n},1,1,0\n${T + 100n},${T + 250n},1,1,3\n`,
      new RegExp(`line 3: row ${T + 100n}\\.\\.${T + 250n} is not on the 100 ns windows' grid`),
    ],
    [`${H}${T + 50n},${T + 150n},1,1,0\n`, /line 2: row \d+\.\.\d+ is not on the 100 ns windows' grid/],
  ];
  for (const [text, re] of bad) assert.throws(() => parseReplay(text, 'f.csv'), re);
});

test('an unreadable replay file is one clear line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'replay-'));
  assert.throws(
    () => readReplay(join(dir, 'missing.csv')),
    new RegExp(`cannot read replay file ${dir}/missing.csv: ENOENT`),
  );
  writeFileSync(join(dir, 'ok.csv'), `${H}${T},${T + 100n},3,300,0\n`);
  assert.equal(readReplay(join(dir, 'ok.csv')).rows.length, 1);
});
