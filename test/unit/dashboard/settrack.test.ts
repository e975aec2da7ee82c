import assert from 'node:assert/strict';
import { test } from 'node:test';
import { byPeak } from '../../../tui/src/windows/bursts.js';
import { SetTrack } from '../../../tui/src/dashboard/settrack.js';
import { parseThresholds } from '../../../tui/src/windows/threshold.js';

const P = 100_000n;

test('the b list keeps the 1000 biggest bursts and the running one; the others are counted', () => {
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
  // Burst k (from 0): k % 7 + 1 hot windows, the first of them its peak, a permutation of
  // 1..1300 frames (7919 is prime to 1300); then an idle window.
  const peak = (k: number) => ((k * 7919) % 1300) + 1;
  let w = 1_000_000;
  for (let k = 0; k < 1300; k++) {
    window(w++, peak(k));
    for (let i = 0; i < k % 7; i++) window(w++, 1);
    window(w++, 0);
  }
  assert.equal(track.count, 1300);
  let list = track.bursts().sort(byPeak);
  assert.deepEqual(
    list.map((b) => Number(b.peakFrames)),
    Array.from({ length: 1000 }, (_, i) => 1300 - i),
  );
  const k = [...Array(1300).keys()].find((j) => peak(j) === 1300)!;
  assert.equal(list[0]!.windows, (k % 7) + 1);
  assert.equal(list[0]!.frames, 1300n + BigInt(k % 7));
  // A small burst still running: listed all the same, and it is the latest.
  window(w, 2);
  window(w + 1, 3);
  assert.equal(track.count, 1301);
  list = track.bursts().sort(byPeak);
  assert.equal(list.length, 1001);
  assert.equal(list.at(-1)!.frames, 5n);
  assert.deepEqual(track.last, list.at(-1));
  // New thresholds find the bursts again in the windows the chart ring still holds.
  track.setThresholds(parseThresholds(['10Mpps']));
  assert.ok(track.bursts().every((b) => b.peakFrames > 1000n));
});
