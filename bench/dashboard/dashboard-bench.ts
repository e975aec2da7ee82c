// Throughput of the dashboard's per-window work, in windows per second (goal: 10 million each):
// the burst detector (SPEC section 4) over rows and over number-valued windows, the column
// builder over a full ring at several zooms, and the per-set track (ring, sparkline, detector).
// Usage: node dist/bench/dashboard/dashboard-bench.js [windows=10000000]
import { BurstDetector } from '../../tui/src/windows/bursts.js';
import { buildColumns } from '../../tui/src/dashboard/columns.js';
import { RING_WINDOWS, SetSeries } from '../../tui/src/windows/series.js';
import { SetTrack } from '../../tui/src/dashboard/settrack.js';
import { parseThresholds } from '../../tui/src/windows/threshold.js';
import type { Row } from '../../tui/src/windows/tiler.js';

const total = Number(process.argv[2] ?? 10_000_000);
if (!Number.isSafeInteger(total) || total < 1)
  throw new Error(`dashboard-bench: not a positive integer: ${process.argv[2]}`);
const P = 100_000n;
const T0 = 1_764_288_000_000_000_000n;
const thresholds = parseThresholds(['200kpps', '1Gbps']);
const GOAL = 10e6;

// A million rows of realistic traffic: mostly a few frames, a burst past 20 frames now and then.
const N = 1_000_000;
const rows: Row[] = [];
/** The same windows as the live path sees them: window numbers and number-valued growth. */
const windows = new Float64Array(N);
const frames = new Float64Array(N);
const bytes = new Float64Array(N);
let seed = 12345;
const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
for (let i = 0; i < N; i++) {
  const f = i % 997 < 6 ? 20 + Math.floor(rand() * 50) : Math.floor(rand() * 6);
  windows[i] = Number(T0 / P) + i;
  frames[i] = f;
  bytes[i] = f * (64 + Math.floor(rand() * 1400));
  rows.push({
    startNs: T0 + BigInt(i) * P,
    endNs: T0 + BigInt(i + 1) * P,
    frames: BigInt(f),
    bytes: BigInt(bytes[i]),
    lost: 0n,
  });
}

function rate(label: string, windows: number, run: () => number): void {
  run(); // warm-up
  const t = process.hrtime.bigint();
  const check = run();
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  const perSecond = windows / s;
  console.log(
    `${label.padEnd(44)} ${(perSecond / 1e6).toFixed(1).padStart(7)} M windows/s  (${(perSecond / GOAL).toFixed(1)}x the goal; check ${check})`,
  );
}

const rounds = Math.max(1, Math.round(total / N));
rate('burst detector, rows (bigint)', rounds * N, () => {
  let bursts = 0;
  for (let r = 0; r < rounds; r++) {
    const d = new BurstDetector(P, thresholds);
    for (const row of rows) if (d.push(row) !== null) bursts++;
  }
  return bursts;
});
rate('burst detector, number-valued windows', rounds * N, () => {
  let bursts = 0;
  for (let r = 0; r < rounds; r++) {
    const d = new BurstDetector(P, thresholds);
    for (let i = 0; i < N; i++) if (d.pushWindow(windows[i], 1, frames[i], bytes[i], 0)) bursts++;
  }
  return bursts;
});

const ring = new SetSeries('bench', P, RING_WINDOWS);
ring.add(rows.slice(-RING_WINDOWS));
for (const [zoom, width] of [
  [1, 123],
  [16, 123],
  [128, 123],
] as const) {
  const shown = Math.min(RING_WINDOWS, zoom * width);
  const builds = Math.max(1, Math.round(total / shown));
  rate(`column builder, zoom ${zoom}, ${width} columns`, builds * shown, () => {
    let peak = 0;
    for (let b = 0; b < builds; b++) peak = Math.max(peak, buildColumns(ring, zoom, width).columns.maxPeakFrames());
    return peak;
  });
}

rate('set track, sink: ring + sparkline + detector', rounds * N, () => {
  const track = new SetTrack('bench', P, thresholds);
  // As a Tiler gives them: consecutive rounds continue the windows.
  for (let r = 0; r < rounds; r++)
    for (let i = 0; i < N; i++) track.sink(windows[i] + r * N, 1, 0, frames[i], 0, bytes[i], 0);
  return track.count ?? 0;
});
