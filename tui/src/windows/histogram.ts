// How often windows of each size occur: a set's kept windows counted by frames in powers of two
// (0, 1, 2-3, 4-7, ...). Lost stretches are counted apart: their windows have no size one by one.
import type { SetSeries } from './series.js';

interface Bucket {
  /** Frames of the bucket's windows: lo ≤ frames ≤ hi. */
  readonly lo: number;
  readonly hi: number;
  readonly windows: number;
}

export interface FrameHistogram {
  /** From the bucket of 0 frames up to the largest window's. */
  readonly buckets: readonly Bucket[];
  /** Windows covered by lost stretches. */
  readonly lostWindows: number;
}

/** Bucket k holds 0 frames for k = 0, else 2^(k-1) .. 2^k - 1. */
const bucketOf = (frames: number): number =>
  frames < 2 ** 32 ? 32 - Math.clz32(frames) : 32 + bucketOf(Math.floor(frames / 2 ** 32));

export function histogram(s: SetSeries): FrameHistogram {
  const counts: number[] = [0];
  let lostWindows = 0;
  for (let i = 0; i < s.length; i++) {
    if (s.lost(i) !== 0) {
      lostWindows += s.span(i);
      continue;
    }
    const k = bucketOf(s.frames(i));
    while (counts.length <= k) counts.push(0);
    counts[k] += s.span(i);
  }
  const buckets = counts.map((windows, k) => ({
    lo: k === 0 ? 0 : 2 ** (k - 1),
    hi: k === 0 ? 0 : 2 ** k - 1,
    windows,
  }));
  return { buckets, lostWindows };
}
