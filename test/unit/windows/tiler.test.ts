import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csvLine } from '../../../tui/src/export/export.js';
import { delta, Tiler, type Row } from '../../../tui/src/windows/tiler.js';
import { batch } from '../helpers.js';

// Realistic epoch timestamps: above 2^53, so any trip through a number would show.
const T = 1_764_288_000_000_000_000n;
const P = 100_000n;
/** The drain's progress: every window that ended by `ns` was read, nothing owed. */
const read = (ns: bigint) => ({ lastReadStartNs: ns, queueOwedLost: 0n });
const row = (start: bigint, end: bigint, frames: bigint, bytes: bigint, lost = 0n): Row => ({
  startNs: start,
  endNs: end,
  frames,
  bytes,
  lost,
});

test('rows start with the first window after the export began; earlier samples set the baseline', () => {
  const t = new Tiler(P, { startNs: T + 1n, base: { frames: 10n, bytes: 1000n } });
  assert.equal(t.nextStartNs, T + P);
  const rows = t.feed(
    batch('x', P, [
      { t: T - P, frames: 11n, bytes: 1100n },
      { t: T, frames: 12n, bytes: 1200n },
      { t: T + P, frames: 15n, bytes: 1500n },
      { t: T + 4n * P, frames: 20n, bytes: 2100n },
    ]),
  );
  assert.deepEqual(rows, [
    row(T + P, T + 2n * P, 3n, 300n),
    row(T + 2n * P, T + 3n * P, 0n, 0n),
    row(T + 3n * P, T + 4n * P, 0n, 0n),
    row(T + 4n * P, T + 5n * P, 5n, 600n),
  ]);
  assert.equal(csvLine(rows[0]), `${T + P},${T + 2n * P},3,300,0\n`);
});

test('windows are not idle while the native queue owes the announcement of a loss', () => {
  const t = new Tiler(P, { startNs: T, base: { frames: 0n, bytes: 0n } });
  assert.deepEqual(t.idleUntil({ lastReadStartNs: T + 2n * P, queueOwedLost: 1n }), []);
  assert.deepEqual(t.idleUntil(read(T + 2n * P)), [row(T, T + P, 0n, 0n), row(T + P, T + 2n * P, 0n, 0n)]);
});

test('idle windows up to the latest read are zero rows, and only whole windows', () => {
  const t = new Tiler(P, { startNs: T, base: { frames: 0n, bytes: 0n } });
  assert.deepEqual(t.idleUntil(read(T + 2n * P + 50n)), [row(T, T + P, 0n, 0n), row(T + P, T + 2n * P, 0n, 0n)]);
  assert.deepEqual(t.idleUntil(read(T + 2n * P + 99n)), []);
  assert.deepEqual(t.feed(batch('x', P, [{ t: T + 3n * P, frames: 7n, bytes: 70n }])), [
    row(T + 2n * P, T + 3n * P, 0n, 0n),
    row(T + 3n * P, T + 4n * P, 7n, 70n),
  ]);
});

test('a sample after lost ones gives one row from the previous end to its window end', () => {
  const t = new Tiler(P, { startNs: T, base: { frames: 100n, bytes: 10_000n } });
  const rows = t.feed(
    batch('x', P, [
      { t: T, frames: 101n, bytes: 10_100n },
      { t: T + 5n * P, frames: 140n, bytes: 14_000n, lostBefore: 3n },
      { t: T + 6n * P, frames: 141n, bytes: 14_064n },
    ]),
  );
  assert.deepEqual(rows, [
    row(T, T + P, 1n, 100n),
    row(T + P, T + 6n * P, 39n, 3900n, 3n),
    row(T + 6n * P, T + 7n * P, 1n, 64n),
  ]);
  // Rows tile time and their sums equal the counters' growth.
  const frames = rows.reduce((s, r) => s + r.frames, 0n);
  assert.equal(frames, 141n - 100n);
  for (let i = 1; i < rows.length; i++) assert.equal(rows[i].startNs, rows[i - 1].endNs);
});

test('counters wrapping past 2^64 give the true growth', () => {
  const max = (1n << 64n) - 1n;
  assert.equal(delta(2n, max - 2n), 5n);
  const t = new Tiler(P, { startNs: T, base: { frames: max - 1n, bytes: max - 999n } });
  assert.deepEqual(t.feed(batch('x', P, [{ t: T, frames: 3n, bytes: 500n }])), [row(T, T + P, 5n, 1500n)]);
});

test('without a baseline the first sample only sets it (dashboard)', () => {
  const t = new Tiler(P, null);
  assert.deepEqual(t.feed(batch('x', P, [{ t: T, frames: 50n, bytes: 5000n }])), []);
  assert.equal(t.nextStartNs, T + P);
  assert.deepEqual(t.feed(batch('x', P, [{ t: T + 2n * P, frames: 52n, bytes: 5128n }])), [
    row(T + P, T + 2n * P, 0n, 0n),
    row(T + 2n * P, T + 3n * P, 2n, 128n),
  ]);
  assert.deepEqual(t.counters, { frames: 52n, bytes: 5128n });
});

test('a bounded view keeps only the last idle windows of a long gap', () => {
  const t = new Tiler(P, { startNs: T, base: { frames: 0n, bytes: 0n } }, 3);
  const rows = t.idleUntil(read(T + 1_000_000n * P));
  assert.deepEqual(
    rows.map((r) => r.startNs),
    [T + 999_997n * P, T + 999_998n * P, T + 999_999n * P],
  );
  assert.deepEqual(
    t.feed(batch('x', P, [{ t: T + 2_000_000n * P, frames: 4n, bytes: 40n }])).map((r) => [r.startNs, r.frames]),
    [
      [T + 1_999_997n * P, 0n],
      [T + 1_999_998n * P, 0n],
      [T + 1_999_999n * P, 0n],
      [T + 2_000_000n * P, 4n],
    ],
  );
});

test('in bulk, an idle run is one zero row whatever its length; windows and lost stretches are as before', () => {
  const t = new Tiler(P, { startNs: T, base: { frames: 0n, bytes: 0n } }, 'bulk');
  assert.deepEqual(t.idleUntil(read(T + 1_000_000n * P + 1n)), [row(T, T + 1_000_000n * P, 0n, 0n)]);
  assert.deepEqual(t.idleUntil(read(T + 1_000_000n * P + 99n)), []);
  assert.deepEqual(
    t.feed(
      batch('x', P, [
        { t: T + 1_000_003n * P, frames: 4n, bytes: 40n },
        { t: T + 1_000_004n * P, frames: 6n, bytes: 70n },
        { t: T + 1_000_010n * P, frames: 9n, bytes: 100n, lostBefore: 2n },
      ]),
    ),
    [
      row(T + 1_000_000n * P, T + 1_000_003n * P, 0n, 0n),
      row(T + 1_000_003n * P, T + 1_000_004n * P, 4n, 40n),
      row(T + 1_000_004n * P, T + 1_000_005n * P, 2n, 30n),
      row(T + 1_000_005n * P, T + 1_000_011n * P, 3n, 30n, 2n),
    ],
  );
  // Runs split across reads stay contiguous: each read's idle part starts where the last ended.
  assert.deepEqual(t.idleUntil(read(T + 1_000_013n * P)), [row(T + 1_000_011n * P, T + 1_000_013n * P, 0n, 0n)]);
  assert.equal(t.nextStartNs, T + 1_000_013n * P);
});

/** What a sink is handed, row by row: start window, windows, growth as numbers, lost. */
function sunk(t: Tiler, b: Parameters<Tiler['tile']>[0] | bigint): number[][] {
  const seen: number[][] = [];
  const sink = (start: number, windows: number, fHi: number, fLo: number, bHi: number, bLo: number, lost: number) =>
    seen.push([start, windows, fHi * 2 ** 32 + fLo, bHi * 2 ** 32 + bLo, lost]);
  if (typeof b === 'bigint') t.idleInto(read(b), sink);
  else t.tile(b, sink);
  return seen;
}

test('window numbers across 2^32 stay exact, in the sink and in the rows', () => {
  const W = 2 ** 32;
  const base = BigInt(W - 2) * P;
  const samples = [
    { t: base, frames: 1n, bytes: 10n },
    { t: base + 3n * P, frames: 5n, bytes: 50n, lostBefore: 1n },
    { t: base + 5n * P, frames: 2n ** 33n + 5n, bytes: 2n ** 40n },
  ];
  const origin = { startNs: base, base: { frames: 0n, bytes: 0n } };
  assert.deepEqual(sunk(new Tiler(P, origin, 'bulk'), batch('x', P, samples)), [
    [W - 2, 1, 1, 10, 0],
    [W - 1, 3, 4, 40, 1],
    [W + 2, 1, 0, 0, 0],
    [W + 3, 1, 2 ** 33, 2 ** 40 - 50, 0],
  ]);
  const t = new Tiler(P, origin, 'bulk');
  assert.deepEqual(t.feed(batch('x', P, samples)), [
    row(base, base + P, 1n, 10n),
    row(base + P, base + 4n * P, 4n, 40n, 1n),
    row(base + 4n * P, base + 5n * P, 0n, 0n),
    row(base + 5n * P, base + 6n * P, 2n ** 33n, 2n ** 40n - 50n),
  ]);
  assert.deepEqual(sunk(t, base + 9n * P + 1n), [[W + 4, 3, 0, 0, 0]]);
  assert.equal(t.nextStartNs, base + 9n * P);
});

test('a period of 1 h: window numbers from the epoch, rows in exact ns', () => {
  const H = 3_600_000_000_000n;
  const t0 = (T / H) * H;
  const t = new Tiler(H, { startNs: t0 - 1n, base: { frames: 0n, bytes: 0n } });
  assert.equal(t.nextStartNs, t0);
  assert.deepEqual(t.idleUntil(read(t0 + H - 1n)), []);
  assert.deepEqual(t.idleUntil(read(t0 + H)), [row(t0, t0 + H, 0n, 0n)]);
  assert.deepEqual(t.feed(batch('x', H, [{ t: t0 + 2n * H, frames: 9n, bytes: 900n }])), [
    row(t0 + H, t0 + 2n * H, 0n, 0n),
    row(t0 + 2n * H, t0 + 3n * H, 9n, 900n),
  ]);
  const w = Number(t0 / H);
  const bulk = new Tiler(H, { startNs: t0, base: { frames: 0n, bytes: 0n } }, 'bulk');
  assert.deepEqual(sunk(bulk, t0 + 24n * H + 5n), [[w, 24, 0, 0, 0]]);
});
