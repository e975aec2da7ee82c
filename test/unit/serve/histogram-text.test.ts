import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HistogramText } from '../../../tui/src/serve/histogram-text.js';
import { PowerOfTwoBuckets, WindowCounts } from '../../../tui/src/serve/window-counts.js';
import { promtoolCheck } from './exposition.js';

test('a family: cumulative buckets, +Inf, an exact sum beyond 2^53, label values escaped', () => {
  const counts = new WindowCounts(new PowerOfTwoBuckets(0, 2));
  counts.add(0n, 3);
  counts.addWindow(2);
  counts.add(2n ** 60n + 1n, 1);
  const labels = { set: 'a"b\\c\nd' };
  const h = new HistogramText('x_frames', 'Help with \\ and\nnewline.', () => [[labels, counts]]);
  const text = h.text();
  assert.equal(
    text,
    [
      '# HELP x_frames Help with \\\\ and\\nnewline.',
      '# TYPE x_frames histogram',
      'x_frames_bucket{set="a\\"b\\\\c\\nd",le="0"} 3',
      'x_frames_bucket{set="a\\"b\\\\c\\nd",le="1"} 3',
      'x_frames_bucket{set="a\\"b\\\\c\\nd",le="2"} 4',
      'x_frames_bucket{set="a\\"b\\\\c\\nd",le="4"} 4',
      'x_frames_bucket{set="a\\"b\\\\c\\nd",le="+Inf"} 5',
      'x_frames_sum{set="a\\"b\\\\c\\nd"} 1152921504606846979',
      'x_frames_count{set="a\\"b\\\\c\\nd"} 5',
      '',
    ].join('\n'),
  );
  assert.equal(promtoolCheck(text), null);
  // The same labels object later: the same text, from the cache.
  assert.equal(h.text(), text);
});
