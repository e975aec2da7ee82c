import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TrailingPeak } from '../../../tui/src/serve/trailing-peak.js';

const S = 1_000_000_000n;
const T = 1_764_288_000n * S; // a whole second

test('the largest window of the trailing interval, frames and bytes each on its own', () => {
  const p = new TrailingPeak(60);
  p.record(T + 100n, 5, 9000);
  p.record(T + 2n * S, 40, 3000);
  p.record(T + 2n * S + 5n, 7, 100);
  assert.deepEqual(p.peak(T + 3n * S), { frames: 40, bytes: 9000 });
  // Reading never changes it: two scrapers see the same.
  assert.deepEqual(p.peak(T + 3n * S), { frames: 40, bytes: 9000 });
  // The second holding 9000 bytes leaves the 60 s interval first, then the one with 40 frames.
  assert.deepEqual(p.peak(T + 59n * S), { frames: 40, bytes: 9000 });
  assert.deepEqual(p.peak(T + 60n * S), { frames: 40, bytes: 3000 });
  assert.deepEqual(p.peak(T + 62n * S), { frames: 0, bytes: 0 });
});

test('a slot reused a full interval later starts from the new second, not the old maximum', () => {
  const p = new TrailingPeak(10);
  p.record(T, 100, 100);
  p.record(T + 10n * S, 3, 30); // same slot, ten seconds on
  assert.deepEqual(p.peak(T + 10n * S), { frames: 3, bytes: 30 });
  // A window older than what its slot holds is outside any interval still asked for.
  p.record(T + 1n, 500, 500);
  assert.deepEqual(p.peak(T + 10n * S), { frames: 3, bytes: 30 });
  p.record(T + 10n * S + 7n, 4, 10);
  assert.deepEqual(p.peak(T + 10n * S), { frames: 4, bytes: 30 });
});
