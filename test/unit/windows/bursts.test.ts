import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Burst, BurstDetector, burstCsvLine, byPeak, findBursts } from '../../../tui/src/windows/bursts.js';
import { parseThresholds, type Thresholds } from '../../../tui/src/windows/threshold.js';
import { type Row, rowNumbers } from '../../../tui/src/windows/tiler.js';
import { seededRandom } from '../helpers.js';

// Epoch timestamps above 2^53, so a trip through a number would show.
const T = 1_764_288_000_000_000_000n;
const P = 100_000n;
const win = (i: number, frames: bigint, bytes = frames * 100n): Row => ({
  startNs: T + BigInt(i) * P,
  endNs: T + BigInt(i + 1) * P,
  frames,
  bytes,
  lost: 0n,
});
const lostRow = (i: number, span: number, frames: bigint, lost: bigint): Row => ({
  startNs: T + BigInt(i) * P,
  endNs: T + BigInt(i + span) * P,
  frames,
  bytes: frames * 100n,
  lost,
});
const th = (...t: string[]): Thresholds => parseThresholds(t);
const burst = (first: number, last: number, frames: bigint[], bytes: bigint[]): Burst => ({
  startNs: T + BigInt(first) * P,
  endNs: T + BigInt(last + 1) * P,
  windows: last - first + 1,
  frames: frames.reduce((a, b) => a + b, 0n),
  bytes: bytes.reduce((a, b) => a + b, 0n),
  peakFrames: frames.reduce((a, b) => (b > a ? b : a), 0n),
  peakBytes: bytes.reduce((a, b) => (b > a ? b : a), 0n),
});

test('a burst is a maximal run of hot windows; an idle window ends it', () => {
  // 33 kpps at 100 µs: hot above 3 frames.
  const rows = [win(0, 3n), win(1, 4n), win(2, 9n), win(3, 0n), win(4, 5n), win(5, 3n)];
  assert.deepEqual(findBursts(rows, P, th('33kpps')), [burst(1, 2, [4n, 9n], [400n, 900n]), burst(4, 4, [5n], [500n])]);
});

test('a lost stretch is never hot and ends a burst, however many frames it holds', () => {
  const rows = [win(0, 10n), lostRow(1, 5, 1000n, 3n), win(6, 10n), win(7, 10n)];
  const d = new BurstDetector(P, th('33kpps'));
  assert.equal(d.push(rows[0]), null);
  assert.deepEqual(d.push(rows[1]), burst(0, 0, [10n], [1000n]));
  assert.equal(d.push(rows[2]), null);
  assert.equal(d.push(rows[3]), null);
  assert.equal(d.hotWindows, 3);
  assert.equal(d.endedCount, 1);
});

test('a gap between rows is idle time and ends a burst', () => {
  const found = findBursts([win(0, 7n), win(2, 9n)], P, th('1pps'));
  assert.deepEqual(found, [burst(0, 0, [7n], [700n]), burst(2, 2, [9n], [900n])]);
});

test('idle windows given in bulk as one row end a burst', () => {
  const idle: Row = { startNs: T + P, endNs: T + 1000n * P, frames: 0n, bytes: 0n, lost: 0n };
  assert.deepEqual(findBursts([win(0, 50n), idle, win(1000, 50n)], P, th('1pps')).length, 2);
});

test('a burst still running at the end is not ended until finish()', () => {
  const d = new BurstDetector(P, th('33kpps'));
  d.push(win(0, 4n));
  d.push(win(1, 6n));
  assert.deepEqual(d.running, burst(0, 1, [4n, 6n], [400n, 600n]));
  assert.equal(d.endedCount, 0);
  assert.deepEqual(d.finish(), burst(0, 1, [4n, 6n], [400n, 600n]));
  assert.equal(d.running, null);
  assert.equal(d.finish(), null);
  assert.equal(d.endedCount, 1);
});

test('pps and bps together: a window is hot when it exceeds either', () => {
  // 33 kpps → above 3 frames; 8 Mbps at 100 µs → 800 bits → above 100 bytes.
  const rows = [win(0, 2n, 100n), win(1, 2n, 101n), win(2, 4n, 50n), win(3, 3n, 100n)];
  assert.deepEqual(findBursts(rows, P, th('33kpps', '8Mbps')), [burst(1, 2, [2n, 4n], [101n, 50n])]);
  assert.deepEqual(findBursts(rows, P, th('8Mbps')), [burst(1, 1, [2n], [101n])]);
  assert.deepEqual(findBursts(rows, P, th('33kpps')), [burst(2, 2, [4n], [50n])]);
  assert.deepEqual(findBursts(rows, P, th()), []);
});

test('equal peaks sort earliest first, bigger peaks before', () => {
  const rows = [win(0, 7n), win(2, 9n), win(4, 7n), win(6, 9n), win(8, 5n)];
  const found = findBursts(rows, P, th('1pps'));
  const order = [...found].sort(byPeak).map((b) => Number((b.startNs - T) / P));
  assert.deepEqual(order, [2, 6, 0, 4, 8]);
  // Sorting again, or from another order, gives the same.
  assert.deepEqual([...found].reverse().sort(byPeak), [...found].sort(byPeak));
});

test('64-bit windows and sums stay exact', () => {
  const big = (1n << 63n) + 12345n;
  const rows = [win(0, big, big), win(1, big, big)];
  const [b] = findBursts(rows, P, th('1pps'));
  assert.equal(b.frames, 2n * big);
  assert.equal(b.peakBytes, big);
  assert.equal(burstCsvLine(b), `${T},${T + 2n * P},2,${2n * big},${2n * big},${big},${big}\n`);
});

test('numbers from the dashboard series give the same bursts as rows', () => {
  const rows = [win(0, 3n), win(1, 4n), win(2, 4n), lostRow(3, 4, 99n, 2n), win(7, 8n), win(8, 0n)];
  const d = new BurstDetector(P, th('33kpps'));
  const fromNumbers: Burst[] = [];
  for (const r of rows) {
    const span = Number((r.endNs - r.startNs) / P);
    if (d.pushWindow(Number(r.startNs / P), span, Number(r.frames), Number(r.bytes), Number(r.lost)))
      fromNumbers.push(d.lastEnded!);
  }
  assert.deepEqual(fromNumbers, findBursts(rows, P, th('33kpps')));
});

test('agrees with the definition computed directly on 2000 random tilings', () => {
  const rnd = seededRandom(12345);
  for (let round = 0; round < 2000; round++) {
    const period = BigInt(1 + rnd(5000)) * 1000n;
    const ppsRate = BigInt(1 + rnd(200)) * 1000n;
    const bpsRate = BigInt(1 + rnd(200)) * 100_000n;
    const useBps = rnd(2) === 1;
    const rows: Row[] = [];
    // On the period's grid, as a Tiler makes rows (SPEC 2: timestamps are multiples of the period).
    const t0 = T - (T % period);
    let i = 0;
    while (rows.length < 40) {
      const span = rnd(8) === 0 ? 1 + rnd(4) : 1;
      const lost = span > 1 || rnd(10) === 0 ? BigInt(rnd(3)) : 0n;
      const frames = rnd(4) === 0 ? 0n : BigInt(rnd(1200));
      const start = t0 + BigInt(i) * period;
      rows.push({ startNs: start, endNs: start + BigInt(span) * period, frames, bytes: frames * 64n, lost });
      i += span;
    }
    // SPEC §4 verbatim: frames × 10⁹ > rate × P, or 8 × bytes × 10⁹ > rate × P, on exact windows only.
    const hot = (r: Row) =>
      r.lost === 0n &&
      r.endNs - r.startNs === period &&
      (r.frames * 1_000_000_000n > ppsRate * period || (useBps && 8n * r.bytes * 1_000_000_000n > bpsRate * period));
    const expected: Burst[] = [];
    let run: Row[] = [];
    const close = () => {
      if (run.length === 0) return;
      expected.push({
        startNs: run[0].startNs,
        endNs: run[run.length - 1].endNs,
        windows: run.length,
        frames: run.reduce((a, r) => a + r.frames, 0n),
        bytes: run.reduce((a, r) => a + r.bytes, 0n),
        peakFrames: run.reduce((a, r) => (r.frames > a ? r.frames : a), 0n),
        peakBytes: run.reduce((a, r) => (r.bytes > a ? r.bytes : a), 0n),
      });
      run = [];
    };
    for (const r of rows) {
      if (hot(r)) run.push(r);
      else close();
    }
    close();
    const texts = [`${ppsRate}pps`, ...(useBps ? [`${bpsRate}bps`] : [])];
    assert.deepEqual(findBursts(rows, period, parseThresholds(texts)), expected, `round ${round}`);
    // The number path (window numbers, as the dashboard and the exporter feed it) agrees, also
    // mixed with rows in one detector (the exporter gives a window past 2^52 frames as a row).
    const d = new BurstDetector(period, parseThresholds(texts));
    const fromNumbers: Burst[] = [];
    rows.forEach((r, k) => {
      if ((k + round) % 3 === 0) {
        const b = d.push(r);
        if (b !== null) fromNumbers.push(b);
      } else if (d.pushWindow(...rowNumbers(r, period))) fromNumbers.push(d.lastEnded!);
    });
    const last = d.finish();
    if (last !== null) fromNumbers.push(last);
    assert.deepEqual(fromNumbers, expected, `round ${round}, numbers`);
  }
});
