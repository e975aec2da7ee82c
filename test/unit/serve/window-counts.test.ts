import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  BYTE_BUCKETS,
  FRAME_BUCKETS,
  type PowerOfTwoBuckets,
  WindowCounts,
} from '../../../tui/src/serve/window-counts.js';

// The obvious definition: the first bound at or above the value.
const byScan = (b: PowerOfTwoBuckets, v: bigint): number => {
  const i = b.bounds.findIndex((x) => v <= BigInt(x));
  return i < 0 ? b.bounds.length : i;
};

test('bounds are SPEC 5: frames 0, 1, 2, 4 … 2^20; bytes 0, 64, 128 … 2^30', () => {
  assert.deepEqual(FRAME_BUCKETS.bounds, [0, ...Array.from({ length: 21 }, (_, i) => 2 ** i)]);
  assert.deepEqual(BYTE_BUCKETS.bounds, [0, ...Array.from({ length: 25 }, (_, i) => 2 ** (i + 6))]);
});

test('index() agrees with a scan at every bound, either side of it, and far beyond', () => {
  for (const b of [FRAME_BUCKETS, BYTE_BUCKETS]) {
    const values = new Set<bigint>([0n, 1n, 2n, 3n, 5n, 63n, 64n, 65n, 2n ** 53n, 2n ** 64n - 1n]);
    for (const x of b.bounds) for (const d of [-1n, 0n, 1n]) if (BigInt(x) + d >= 0n) values.add(BigInt(x) + d);
    for (let v = 0n; v < 5000n; v++) values.add(v);
    for (const v of values) assert.equal(b.index(Number(v)), byScan(b, v), `value ${v}`);
  }
});

test('a run of windows is one add: counts, sum and +Inf', () => {
  const c = new WindowCounts(FRAME_BUCKETS);
  c.add(0n, 36_000_000);
  c.add(3n, 2);
  c.add(2n ** 21n, 1);
  assert.equal(c.count, 36_000_003);
  assert.equal(c.sum, 6n + 2n ** 21n);
  assert.equal(c.perBucket[0], 36_000_000);
  assert.equal(c.perBucket[FRAME_BUCKETS.index(4)], 2);
  assert.equal(c.perBucket[FRAME_BUCKETS.bounds.length], 1);
  assert.equal(
    c.perBucket.reduce((a, b) => a + b, 0),
    c.count,
  );
});

test('the sum stays exact past 2^53, whatever the mix of small, huge, bulk and number additions', () => {
  const c = new WindowCounts(BYTE_BUCKETS);
  let expected = 0n;
  let x = 12345n;
  for (let i = 0; i < 20_000; i++) {
    x = (x * 6364136223846793005n + 1442695040888963407n) & ((1n << 64n) - 1n);
    // Mostly ordinary windows, some near 2^52, one in a thousand beyond 2^53, now and then a run.
    const v = i % 1000 === 0 ? x : i % 7 === 0 ? (1n << 52n) - (x % 1000n) : x % 100_000n;
    const n = i % 97 === 0 ? 3 : 1;
    // One window below 2^52 goes in as a number (the exporter's per-window path).
    if (n === 1 && v < 1n << 52n) c.addWindow(Number(v));
    else c.add(v, n);
    expected += v * BigInt(n);
  }
  assert.equal(c.sum, expected);
  assert.equal(c.count, 20_000 + 2 * Math.ceil(20_000 / 97));
});
