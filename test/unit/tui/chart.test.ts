import assert from 'node:assert/strict';
import { test } from 'node:test';
import { columns, plot } from '../../../tui/src/chart.js';
import { SetSeries } from '../../../tui/src/series.js';
import type { Row } from '../../../tui/src/tiler.js';

const T = 1_764_288_000_000_000_000n;
const P = 1000n;
const rows: Row[] = [1, 2, 3, 4, 5, 6, 7, 8].map((f, i) => ({
  startNs: T + BigInt(i) * P,
  endNs: T + BigInt(i + 1) * P,
  frames: BigInt(f),
  bytes: BigInt(f * 100),
  lost: 0n,
}));

function series(rs: readonly Row[], capacity = 64): SetSeries {
  const s = new SetSeries('x', P, capacity);
  s.add(rs);
  return s;
}

test('zoom sums whole windows per column, newest on the right', () => {
  const c1 = columns(series(rows), 1, 4);
  assert.deepEqual(c1.frames, [5, 6, 7, 8]);
  assert.equal(c1.toNs - c1.fromNs, 4n * P);
  const c2 = columns(series(rows), 2, 4);
  assert.deepEqual(c2.frames, [3, 7, 11, 15]);
  assert.deepEqual(c2.bytes, [300, 700, 1100, 1500]);
  assert.equal(c2.fromNs, T);
  // More columns than history: only what is known.
  assert.deepEqual(columns(series(rows), 4, 80).frames, [10, 26]);
});

test('paging back by an offset shows older windows', () => {
  assert.deepEqual(columns(series(rows), 1, 3, 3).frames, [3, 4, 5]);
  assert.equal(columns(series(rows), 1, 3, 3).toNs, T + 5n * P);
});

test('a lost stretch spreads its known total over its windows', () => {
  const lost: Row[] = [...rows, { startNs: T + 8n * P, endNs: T + 12n * P, frames: 40n, bytes: 400n, lost: 2n }];
  assert.deepEqual(columns(series(lost), 1, 6).frames, [7, 8, 10, 10, 10, 10]);
});

test('the y axis is labelled in human units', () => {
  const out = plot([0, 1500, 3000], 3, 'B');
  const lines = out.split('\n');
  assert.equal(lines.length, 3);
  assert.match(lines[0], /^3\.00kB [┤┼]/);
  assert.match(lines[1], /^1\.50kB ┤/);
  assert.match(lines[2], /^ {4}0B ┼/);
});

test('the ring keeps the latest windows only, and the columns follow it', () => {
  const s = series(rows, 5);
  assert.equal(s.length, 5);
  assert.equal(s.windows, 5);
  assert.deepEqual(columns(s, 1, 80).frames, [4, 5, 6, 7, 8]);
  assert.equal(columns(s, 1, 80).fromNs, T + 3n * P);
  const frozen = s.clone();
  s.add([{ startNs: T + 8n * P, endNs: T + 9n * P, frames: 9n, bytes: 900n, lost: 0n }]);
  assert.deepEqual(columns(s, 1, 80).frames, [5, 6, 7, 8, 9]);
  assert.deepEqual(columns(frozen, 1, 80).frames, [4, 5, 6, 7, 8], 'a clone does not move');
});
