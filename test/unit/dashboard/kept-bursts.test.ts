import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Burst, byPeak } from '../../../tui/src/windows/bursts.js';
import { KeptBursts } from '../../../tui/src/dashboard/kept-bursts.js';
import { seededRandom } from '../helpers.js';

test('keeps the first bursts of the list order (biggest peak, ties earliest) among all added', () => {
  const rnd = seededRandom(99);
  for (let round = 0; round < 300; round++) {
    const capacity = rnd(12);
    const kept = new KeptBursts(capacity);
    const all: Burst[] = [];
    let t = 1_764_288_000_000_000_000n;
    for (let i = 0; i < 60; i++) {
      // Few distinct peaks, so ties are many; figures past 2^53 and up to u64.
      const windows = 1 + rnd(5);
      const b: Burst = {
        startNs: t,
        endNs: t + BigInt(windows) * 100_000n,
        windows,
        frames: BigInt(rnd(1000)) << BigInt(rnd(54)),
        bytes: 2n ** 64n - 1n - BigInt(rnd(1000)),
        peakFrames: BigInt(rnd(6)) * 2n ** 60n,
        peakBytes: BigInt(rnd(1_000_000)),
      };
      t = b.endNs + BigInt(rnd(3)) * 100_000n;
      kept.add(b);
      all.push(b);
      assert.deepEqual(
        kept.list().sort(byPeak),
        [...all].sort(byPeak).slice(0, capacity),
        `round ${round}, burst ${i}`,
      );
    }
    assert.equal(kept.size, Math.min(capacity, 60));
    kept.clear();
    assert.deepEqual(kept.list(), []);
  }
});
