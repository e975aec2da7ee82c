import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SetTrack } from '../../../tui/src/settrack.js';
import { parseThresholds } from '../../../tui/src/threshold.js';

const P = 100_000n;

test('the b list keeps the 1000 latest bursts, the running one last; older ones are counted', () => {
  // 1 kpps at 100 µs: a window of more than 0.1 frames is hot, so any traffic.
  const track = new SetTrack('web', P, parseThresholds(['1kpps']));
  const window = (w: number, frames: number) =>
    track.add([
      {
        startNs: BigInt(w) * P,
        endNs: BigInt(w + 1) * P,
        frames: BigInt(frames),
        bytes: BigInt(frames) * 100n,
        lost: 0n,
      },
    ]);
  // Burst k (from 0): k % 7 + 1 hot windows of k + 1 frames each, then an idle window.
  let w = 1_000_000;
  for (let k = 0; k < 1300; k++) {
    for (let i = 0; i <= k % 7; i++) window(w++, k + 1);
    window(w++, 0);
  }
  assert.equal(track.count, 1300);
  let list = track.bursts();
  assert.equal(list.length, 1000);
  assert.deepEqual(
    list.map((b) => Number(b.peakFrames)),
    Array.from({ length: 1000 }, (_, i) => 301 + i),
  );
  assert.deepEqual(track.last, list.at(-1));
  assert.equal(list.at(-1)!.windows, (1299 % 7) + 1);
  // One more burst, still running: it comes last and the oldest kept one leaves.
  window(w, 5000);
  window(w + 1, 5000);
  assert.equal(track.count, 1301);
  list = track.bursts();
  assert.equal(list.length, 1000);
  assert.equal(Number(list[0]!.peakFrames), 302);
  assert.equal(list.at(-1)!.windows, 2);
  assert.equal(list.at(-1)!.frames, 10_000n);
  assert.deepEqual(track.last, list.at(-1));
});
