import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderChart } from '../../../tui/src/dashboard/chart.js';
import { buildColumns, NO_LIMITS } from '../../../tui/src/dashboard/columns.js';
import { histogram } from '../../../tui/src/windows/histogram.js';
import { SetSeries } from '../../../tui/src/windows/series.js';
import { SPARK_WIDTH, SparkTrack, sparkCells } from '../../../tui/src/dashboard/sparkline.js';
import { type Row, rowNumbers } from '../../../tui/src/windows/tiler.js';

const T = 1_764_288_000_000_000_000n;
const P = 1000n;
const row = (i: number, frames: number, lost = 0, span = 1): Row => ({
  startNs: T + BigInt(i) * P,
  endNs: T + BigInt(i + span) * P,
  frames: BigInt(frames),
  bytes: BigInt(frames * 100),
  lost: BigInt(lost),
});
const rows: Row[] = [1, 2, 3, 4, 5, 6, 7, 8].map((f, i) => row(i, f));

function series(rs: readonly Row[], capacity = 64): SetSeries {
  const s = new SetSeries('x', P, capacity);
  s.add(rs);
  return s;
}
const list = (a: Float64Array) => Array.from(a);

test('a column shows its largest window, the sums and the count beside it, newest on the right', () => {
  const c1 = buildColumns(series(rows), 1, 4);
  assert.deepEqual(list(c1.columns.peakFrames), [5, 6, 7, 8]);
  assert.equal(c1.toWindow - c1.fromWindow, 4);
  const c2 = buildColumns(series(rows), 2, 4);
  assert.deepEqual(list(c2.columns.peakFrames), [2, 4, 6, 8]);
  assert.deepEqual(list(c2.columns.peakBytes), [200, 400, 600, 800]);
  assert.deepEqual(list(c2.columns.sumFrames), [3, 7, 11, 15]);
  assert.deepEqual(list(c2.columns.windows), [2, 2, 2, 2]);
  assert.equal(c2.columns.avgFrames(3), 7.5);
  assert.equal(BigInt(c2.fromWindow) * P, T);
  // More columns than history: only what is kept; the oldest column is partly empty.
  const c4 = buildColumns(series(rows), 4, 80);
  assert.deepEqual(list(c4.columns.peakFrames), [4, 8]);
  assert.deepEqual(list(c4.columns.windows), [4, 4]);
  const c3 = buildColumns(series(rows), 3, 80);
  assert.deepEqual(list(c3.columns.peakFrames), [2, 5, 8]);
  assert.deepEqual(list(c3.columns.windows), [2, 3, 3]);
});

test('one hot window among idle ones keeps its height at every zoom', () => {
  const rs = Array.from({ length: 1024 }, (_, i) => row(i, i === 1000 ? 9 : 0));
  for (const zoom of [1, 2, 4, 16, 256]) {
    const v = buildColumns(series(rs, 2048), zoom, 80);
    assert.equal(v.columns.maxPeakFrames(), 9, `zoom ${zoom}`);
    const hot = [...Array(v.columns.count).keys()].filter((c) => v.columns.hot(c, { frames: 8, bytes: Infinity }));
    assert.equal(hot.length, 1, `one hot column at zoom ${zoom}`);
    assert.equal(v.columns.hot(hot[0], { frames: 9, bytes: Infinity }), false, 'not above 9');
  }
});

test('paging back by an offset shows older windows', () => {
  const v = buildColumns(series(rows), 1, 3, 3);
  assert.deepEqual(list(v.columns.peakFrames), [3, 4, 5]);
  assert.equal(BigInt(v.toWindow) * P, T + 5n * P);
  assert.deepEqual(list(buildColumns(series(rows), 2, 2, 1).columns.peakFrames), [5, 7]);
});

test('a lost stretch is counted as lost: neither zeros nor a peak, its total in the sums', () => {
  const lost: Row[] = [...rows, row(8, 400, 2, 4), row(12, 1)];
  const v = buildColumns(series(lost), 1, 6);
  assert.deepEqual(list(v.columns.peakFrames), [8, 0, 0, 0, 0, 1]);
  assert.deepEqual(list(v.columns.lostWindows), [0, 1, 1, 1, 1, 0]);
  assert.deepEqual(list(v.columns.sumFrames), [8, 100, 100, 100, 100, 1]);
  assert.equal(v.columns.onlyLost(2), true);
  assert.equal(v.columns.hot(2, { frames: 0, bytes: 0 }), false, 'a lost stretch is never hot');
  // Columns of two windows: one half lost takes its peak from the exact window.
  const z2 = buildColumns(series(lost), 2, 3);
  assert.deepEqual(list(z2.columns.peakFrames), [8, 0, 1]);
  assert.deepEqual(list(z2.columns.lostWindows), [1, 2, 1]);
  assert.deepEqual([z2.columns.onlyLost(1), z2.columns.onlyLost(2)], [true, false]);
});

test('the chart: top is the biggest window, threshold line, hot and lost marks on the axis', () => {
  const rs = [row(0, 2), row(1, 8), row(2, 4), row(3, 0, 1, 2), row(5, 1)];
  const v = buildColumns(series(rs), 1, 10);
  const lines = renderChart(v, {
    height: 4,
    unit: '',
    of: 'frames',
    limits: { frames: 5, bytes: Infinity },
    color: null,
  });
  // Without colour the marks still show; blank cells at a line's end are left out.
  assert.deepEqual(lines, ['     8 ┤ █', '       │╌█╌╌╌╌', '     4 ┤ ██', '       │███  ▄', '     0 ┼─▲─??─']);
  // Zoom 2: the column of 2 and 8 frames shows 8, the cells wholly above its average 5 shaded.
  const z = buildColumns(series(rs), 2, 10);
  const zl = renderChart(z, { height: 4, unit: '', of: 'frames', limits: NO_LIMITS, color: null });
  assert.deepEqual(zl, ['     8 ┤▒', '       │█', '     4 ┤█▒', '       │██▄', '     0 ┼─??']);
  const colored = renderChart(v, {
    height: 4,
    unit: '',
    of: 'frames',
    limits: { frames: 5, bytes: Infinity },
    color: '\x1b[36m',
  });
  // One colour code per run of cells (blank cells join the run they fall in): the hot column
  // red, the threshold and lost marks magenta.
  assert.deepEqual(colored, [
    '     8 ┤ \x1b[31m█\x1b[0m',
    '       │\x1b[35m╌\x1b[0m\x1b[31m█\x1b[0m\x1b[35m╌╌╌╌\x1b[0m',
    '     4 ┤ \x1b[31m█\x1b[0m\x1b[36m█\x1b[0m',
    '       │\x1b[36m█\x1b[0m\x1b[31m█\x1b[0m\x1b[36m█  ▄\x1b[0m',
    '     0 ┼─\x1b[31m▲\x1b[0m─\x1b[35m??\x1b[0m─',
  ]);
  // Cells wholly above the column's average are dim.
  const zc = renderChart(z, { height: 4, unit: '', of: 'frames', limits: NO_LIMITS, color: '\x1b[36m' });
  assert.deepEqual(zc, [
    '     8 ┤\x1b[2m\x1b[36m▒\x1b[0m',
    '       │\x1b[36m█\x1b[0m',
    '     4 ┤\x1b[36m█\x1b[0m\x1b[2m\x1b[36m▒\x1b[0m',
    '       │\x1b[36m██▄\x1b[0m',
    '     0 ┼─\x1b[35m??\x1b[0m',
  ]);
});

/** Rows into a sparkline as SetTrack gives them. */
function feed(track: SparkTrack, p: bigint, rows: readonly Row[]): void {
  for (const r of rows) track.push(...rowNumbers(r, p));
}

test('the sparkline: one character per ~100 ms column, peak-preserving, lost as ?', () => {
  const p = 10_000_000n; // 10 ms: 10 windows per character
  const track = new SparkTrack(p);
  assert.equal(track.zoom, 10);
  const t0 = 1_764_288_000_000_000_000n; // a multiple of 100 ms
  const w = (i: number, frames: number, lost = 0n, span = 1): Row => ({
    startNs: t0 + BigInt(i) * p,
    endNs: t0 + BigInt(i + span) * p,
    frames: BigInt(frames),
    bytes: BigInt(frames),
    lost,
  });
  // Columns: [0..9] one window of 80, [10..19] idle, [20..29] lost, [30..31] 10 and 40.
  feed(track, p, [
    w(0, 1),
    w(1, 80),
    ...Array.from({ length: 18 }, (_, i) => w(i + 2, 0)),
    w(20, 50, 3n, 10),
    w(30, 10),
    w(31, 40),
  ]);
  const cells = sparkCells(track.columns, { frames: 39, bytes: Infinity });
  assert.equal(cells.length, SPARK_WIDTH);
  assert.equal(cells.map((c) => c.char).join(''), '            █ ?▄');
  assert.deepEqual(
    cells.map((c) => c.hot),
    [...Array(12).fill(false), true, false, false, true],
  );
  // An idle run in bulk moves the line on; old columns leave on the left.
  feed(track, p, [w(32, 0, 0n, 149), w(181, 8)]);
  assert.equal(
    sparkCells(track.columns, NO_LIMITS)
      .map((c) => c.char)
      .join(''),
    '█              ▂',
  );
  feed(track, p, [w(182, 0, 0n, 9), w(191, 8)]);
  assert.equal(
    sparkCells(track.columns, NO_LIMITS)
      .map((c) => c.char)
      .join(''),
    '              ██',
  );
  // An idle run longer than the whole line: only its end is kept.
  feed(track, p, [w(192, 0, 0n, 100_000), w(100_192, 8)]);
  assert.equal(
    sparkCells(track.columns, NO_LIMITS)
      .map((c) => c.char)
      .join(''),
    '               █',
  );
  assert.deepEqual([...track.columns.windows], [...Array(15).fill(10), 3], 'the newest column: windows 100190-100192');
});

test('the histogram counts windows by frames in powers of two, lost windows apart', () => {
  const rs = [0, 1, 2, 3, 4, 7, 8, 1000, 0].map((f, i) => row(i, f));
  const h = histogram(series([...rs, row(9, 5, 1, 3)]));
  assert.deepEqual(
    h.buckets.map((b) => [b.lo, b.hi, b.windows]),
    [
      [0, 0, 2],
      [1, 1, 1],
      [2, 3, 2],
      [4, 7, 2],
      [8, 15, 1],
      [16, 31, 0],
      [32, 63, 0],
      [64, 127, 0],
      [128, 255, 0],
      [256, 511, 0],
      [512, 1023, 1],
    ],
  );
  assert.equal(h.lostWindows, 3);
});
