import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExactSum } from '../../../tui/src/windows/exact-sum.js';

test('a sum past 2^53 stays exact, added as numbers and as bigints', () => {
  const s = new ExactSum();
  const big = Number.MAX_SAFE_INTEGER; // 2^53 - 1
  s.add(big);
  s.add(big);
  s.add(3);
  s.addBig(1n << 64n);
  assert.equal(s.value, 2n * BigInt(big) + 3n + (1n << 64n));
  s.reset();
  s.add(5);
  assert.equal(s.value, 5n);
});
