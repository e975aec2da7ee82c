import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TrailingPeak } from '../../../tui/src/serve/trailing-peak.js';

const S = 1_000_000_000n;
const T = 1_764_288_000n * S; // a whole second
const P = 100_000n;
/** The window number that ends at `ns` (a multiple of P). */
const endingAt = (ns: bigint): number => Number(ns / P);

test('the largest window of the trailing interval, frames and bytes each on its own', () => {
  const p = new TrailingPeak(60, P);
  p.record(endingAt(T + P), 5, 9000);
  p.record(endingAt(T + 2n * S), 40, 3000);
  p.record(endingAt(T + 2n * S + P), 7, 100);
  assert.deepEqual(p.peak(T + 3n * S), { frames: 40, bytes: 9000 });
  // Reading never changes it: two scrapers see the same.
  assert.deepEqual(p.peak(T + 3n * S), { frames: 40, bytes: 9000 });
  // The second holding 9000 bytes leaves the 60 s interval first, then the one with 40 frames.
  assert.deepEqual(p.peak(T + 59n * S), { frames: 40, bytes: 9000 });
  assert.deepEqual(p.peak(T + 60n * S), { frames: 40, bytes: 3000 });
  assert.deepEqual(p.peak(T + 62n * S), { frames: 0, bytes: 0 });
});

test('a slot reused a full interval later starts from the new second, not the old maximum', () => {
  const p = new TrailingPeak(10, P);
  p.record(endingAt(T), 100, 100);
  p.record(endingAt(T + 10n * S), 3, 30); // same slot, ten seconds on
  assert.deepEqual(p.peak(T + 10n * S), { frames: 3, bytes: 30 });
  // A window older than what its slot holds is outside any interval still asked for.
  p.record(endingAt(T + P), 500, 500);
  assert.deepEqual(p.peak(T + 10n * S), { frames: 3, bytes: 30 });
  p.record(endingAt(T + 10n * S + 7n * P), 4, 10);
  assert.deepEqual(p.peak(T + 10n * S), { frames: 4, bytes: 30 });
});

// Periods that do not divide a second (300 µs, 7 µs), one that does, and the longest (1 h):
// the windows just before and after a second boundary fall in the seconds their ends are in.
for (const period of [300_000n, 7_000n, 100_000n, 3_600_000_000_000n]) {
  test(`windows around a second boundary at a period of ${period} ns fall in their end's second`, () => {
    const interval = 30_000; // seconds: holds six 1 h windows apart
    const boundary = T + S;
    const first = Number((boundary + period - 1n) / period); // first window ending at or after it
    const recorded = [-3, -2, -1, 0, 1, 2, 3].map((k, i) => ({ end: first + k, frames: 10 + i, bytes: 100 - i }));
    const p = new TrailingPeak(interval, period);
    for (const r of recorded) p.record(r.end, r.frames, r.bytes);
    // The oracle: each window's second straight from its end in ns.
    const secondOf = (end: number): bigint => (BigInt(end) * period) / S;
    assert.ok(secondOf(first - 1) < boundary / S && secondOf(first) >= boundary / S);
    const seconds = [...new Set(recorded.map((r) => secondOf(r.end)))];
    for (const s of seconds)
      for (const now of [s + BigInt(interval) - 1n, s + BigInt(interval)]) {
        const oldest = now - BigInt(interval);
        const inside = recorded.filter((r) => secondOf(r.end) > oldest);
        assert.deepEqual(
          p.peak(now * S),
          {
            frames: Math.max(0, ...inside.map((r) => r.frames)),
            bytes: Math.max(0, ...inside.map((r) => r.bytes)),
          },
          `at ${now} s`,
        );
      }
  });
}
