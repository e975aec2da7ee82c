// pktstat-top --serve under a real Prometheus: two servers scrape it every second while the
// test plays the kernel (a proc dir it writes, as the addon tests do), then their HTTP API is
// asked for totals, histogram sums and quantiles, compared exactly with the traffic written.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { FRAME_BUCKETS } from '../../tui/src/serve/window-counts.js';
import { HEADER, line } from '../unit/addon/fixture.js';
import { promtoolCheck, samples } from '../unit/serve/exposition.js';
import { LE_ZERO, Prometheus, leKey } from './prometheus.js';

const CLI = fileURLToPath(new URL('../../tui/src/cli.js', import.meta.url));
const RULES = fileURLToPath(new URL('../../../contrib/prometheus/pktstat.rules.yml', import.meta.url));
const DASHBOARD = fileURLToPath(new URL('../../../contrib/prometheus/grafana-dashboard.json', import.meta.url));
const MS = 1_000_000n;
const US100 = 100_000n;
const nowNs = () => BigInt(Date.now()) * MS;

const root = mkdtempSync(join(tmpdir(), 'pktstat-prom-suite-'));
const procDir = join(root, 'xt_pktstat');
const proms = [new Prometheus(), new Prometheus()];
let exporter: ChildProcess;
let exporterLog = '';
let metricsUrl = '';

function addSet(name: string, periodNs: bigint, frames: bigint, bytes: bigint): void {
  mkdirSync(join(procDir, name), { recursive: true });
  writeFileSync(join(procDir, name, 'config'), `name: ${name}\nperiod_ns: ${periodNs}\ncapacity: 1048576\nrules: 1\n`);
  writeFileSync(join(procDir, name, 'stats'), `frames: ${frames}\nbytes: ${bytes}\nsamples: 0\nlost: 0\nqueued: 0\n`);
  const old = ((nowNs() - 60_000n * MS) / periodNs) * periodNs;
  writeFileSync(join(procDir, name, 'stream'), HEADER + line(old, frames, bytes));
}

/** Set a: 100 windows of 1 ms with traffic, an idle window after each. */
const A_FRAMES = [
  ...Array<bigint>(10).fill(1n),
  ...Array<bigint>(20).fill(3n),
  ...Array<bigint>(30).fill(6n),
  ...Array<bigint>(30).fill(12n),
  ...Array<bigint>(10).fill(100n),
];
const A_BASE = { frames: 5000n, bytes: 700_000n };
const aBytes = (f: bigint) => f * 100n + 20n;
/** Set b: 150,000 windows of 100 us back to back, written in 30 chunks while being scraped. */
const B_WINDOWS = 150_000;
const bFrames = (i: number) => BigInt((i % 7) + 1);

const sum = (xs: readonly bigint[]) => xs.reduce((a, b) => a + b, 0n);

/** histogram_quantile's answer for these values in the exporter's frame buckets. */
function quantile(q: number, values: readonly bigint[]): number {
  const bounds = FRAME_BUCKETS.bounds;
  const cumulative = bounds.map((b) => values.filter((v) => v <= BigInt(b)).length);
  const rank = q * values.length;
  const i = cumulative.findIndex((c) => c >= rank);
  const lower = i === 0 ? 0 : bounds[i - 1];
  const below = i === 0 ? 0 : cumulative[i - 1];
  return lower + ((bounds[i] - lower) * (rank - below)) / (cumulative[i] - below);
}

async function scrape(): Promise<string> {
  const res = await fetch(metricsUrl);
  assert.equal(res.status, 200);
  return res.text();
}

before(async () => {
  mkdirSync(procDir);
  addSet('a', MS, A_BASE.frames, A_BASE.bytes);
  addSet('b', US100, 0n, 0n);
  exporter = spawn(process.execPath, [CLI, '--serve', '127.0.0.1:0', '--proc-dir', procDir, '--threshold', '1500pps'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  exporter.stderr!.on('data', (d) => (exporterLog += d));
  const end = Date.now() + 10_000;
  while (!/serving (http:\S+)/.test(exporterLog)) {
    if (Date.now() > end || exporter.exitCode !== null) throw new Error(`exporter did not start: ${exporterLog}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  metricsUrl = /serving (http:\S+)/.exec(exporterLog)![1];
  const target = new URL(metricsUrl).host;
  await Promise.all(proms.map((p) => p.start(target, [RULES])));
});

after(async () => {
  await Promise.all(proms.map((p) => p.stop()));
  if (exporter.exitCode === null && exporter.signalCode === null) {
    const exited = once(exporter, 'exit');
    exporter.kill('SIGKILL');
    await exited;
  }
  rmSync(root, { recursive: true, force: true });
});

test('totals, sums, buckets and quantiles in Prometheus equal the traffic written, in both scrapers', async () => {
  // Windows written before they end, as the kernel's reads would deliver them.
  let t = ((nowNs() + 200n * MS) / MS) * MS;
  let frames = A_BASE.frames;
  let bytes = A_BASE.bytes;
  let text = '';
  for (const f of A_FRAMES) {
    frames += f;
    bytes += aBytes(f);
    text += line(t, frames, bytes);
    t += 2n * MS;
  }
  appendFileSync(join(procDir, 'a', 'stream'), text);
  const aFrames = Number(A_BASE.frames + sum(A_FRAMES));
  const aBytesTotal = Number(A_BASE.bytes + sum(A_FRAMES.map(aBytes)));

  for (const p of proms) {
    await p.until('pktstat_frames_total{set="a"}', (v) => v === aFrames);
    assert.equal(await p.until('pktstat_bytes_total{set="a"}', (v) => v !== undefined), aBytesTotal);
    assert.equal((await p.query('pktstat_window_frames_sum{set="a"}'))[0].value, Number(sum(A_FRAMES)));
    assert.equal((await p.query('pktstat_window_bytes_sum{set="a"}'))[0].value, Number(sum(A_FRAMES.map(aBytes))));
    // Busy windows per bucket: the idle ones (le="0") taken out of every bucket.
    const busy = await p.query(
      `pktstat_window_frames_bucket{set="a"} - ignoring(le) group_left pktstat_window_frames_bucket{set="a",${LE_ZERO}}`,
    );
    const byLe = new Map(busy.map((s) => [leKey(s.metric.le), s.value]));
    for (const le of ['1', '2', '4', '8', '16', '64', '128', '+Inf'])
      assert.equal(byLe.get(le), A_FRAMES.filter((f) => le === '+Inf' || f <= BigInt(le)).length, `le=${le}`);
    for (const q of [0.05, 0.5, 0.9, 0.95, 0.99]) {
      const [r] = await p.query(
        `histogram_quantile(${q}, pktstat_window_frames_bucket{set="a"} - ignoring(le) group_left pktstat_window_frames_bucket{set="a",${LE_ZERO}})`,
      );
      assert.ok(Math.abs(r.value - quantile(q, A_FRAMES)) < 1e-9, `q=${q}: ${r.value} vs ${quantile(q, A_FRAMES)}`);
    }
    // With the idle windows in, most windows carry nothing: the median is 0.
    assert.equal((await p.query('histogram_quantile(0.5, pktstat_window_frames_bucket{set="a"})'))[0].value, 0);
    assert.equal((await p.query('pktstat_window_frames_max{set="a"}'))[0].value, 100);
    assert.equal((await p.query('pktstat_window_bytes_max{set="a"}'))[0].value, 10_020);
    // 1500 pps at 1 ms: a window of more than 1 frame is hot; each stood alone between idle ones.
    assert.equal(
      await p.until('pktstat_bursts_total{set="a"}', (v) => v === 90),
      A_FRAMES.filter((f) => f > 1n).length,
    );
    assert.equal((await p.query('pktstat_threshold_frames_per_second{set="a"}'))[0].value, 1500);
    assert.equal((await p.query('pktstat_exporter_sets_failing'))[0].value, 0);
    assert.equal((await p.query('pktstat_exporter_drain_errors_total'))[0].value, 0);
    // The rules load and evaluate over the real series.
    await p.until('set:pktstat_window_frames_above_1024:ratio_rate5m{set="a"}', (v) => v === 0);
  }
});

test('a scrape during heavy traffic is whole and consistent; the totals end exact in both scrapers', async () => {
  const chunk = B_WINDOWS / 30;
  let t = ((nowNs() + 200n * MS) / US100) * US100;
  let frames = 0n;
  let busyFrames = 0n;
  const scrapes: string[] = [];
  for (let c = 0; c < 30; c++) {
    let text = '';
    for (let i = c * chunk; i < (c + 1) * chunk; i++) {
      frames += bFrames(i);
      busyFrames += bFrames(i);
      text += line(t, frames, frames * 64n);
      t += US100;
    }
    appendFileSync(join(procDir, 'b', 'stream'), text);
    scrapes.push(await scrape());
  }
  let previous = -1;
  for (const text of scrapes) {
    assert.equal(promtoolCheck(text), null);
    const m = samples(text);
    const total = m.get('pktstat_frames_total{set="b"}') ?? 0;
    assert.ok(total >= previous, 'totals never go back');
    // Whatever the moment, the histogram's sum is the totals' growth over the windows it has.
    assert.equal(m.get('pktstat_window_frames_sum{set="b"}') ?? 0, total);
    previous = total;
  }
  for (const p of proms) {
    await p.until('pktstat_frames_total{set="b"}', (v) => v === Number(frames), 20_000);
    assert.equal((await p.query('pktstat_bytes_total{set="b"}'))[0].value, Number(frames * 64n));
    assert.equal((await p.query('pktstat_window_frames_sum{set="b"}'))[0].value, Number(busyFrames));
    assert.equal(
      (
        await p.query(
          `pktstat_window_frames_count{set="b"} - ignoring(le) pktstat_window_frames_bucket{set="b",${LE_ZERO}}`,
        )
      )[0].value,
      B_WINDOWS,
    );
    assert.equal((await p.query('pktstat_lost_samples_total{set="b"}'))[0].value, 0);
    assert.equal((await p.query('pktstat_window_frames_max{set="b"}'))[0].value, 7);
  }
});

test("every query of the Grafana dashboard runs on Prometheus's real series", async () => {
  const dashboard = JSON.parse((await import('node:fs')).readFileSync(DASHBOARD, 'utf8')) as {
    panels: { title: string; targets: { expr: string }[] }[];
  };
  let queries = 0;
  for (const panel of dashboard.panels) {
    for (const target of panel.targets) {
      const expr = target.expr
        .replaceAll('$instance', '.*')
        .replaceAll('$set', '.*')
        .replaceAll('$__rate_interval', '1m');
      const r = await proms[0].query(expr);
      assert.ok(r.length > 0, `${panel.title}: ${expr} gave no series`);
      queries++;
    }
  }
  assert.ok(queries >= 8);
});

test('the module unloaded while serving: Prometheus sees pktstat_module_loaded 0 and the sets gone', async () => {
  rmSync(procDir, { recursive: true });
  for (const p of proms) {
    await p.until('pktstat_module_loaded', (v) => v === 0);
    await p.until('count(pktstat_frames_total)', (v) => v === undefined);
    assert.ok((await p.query('pktstat_exporter_drain_errors_total'))[0].value >= 1);
    assert.equal((await p.query('up{job="pktstat"}'))[0].value, 1);
  }
});

test('SIGTERM ends the exporter cleanly; Prometheus then sees it down', async () => {
  const exited = once(exporter, 'exit');
  exporter.kill('SIGTERM');
  const [code, signal] = (await exited) as [number | null, string | null];
  assert.equal(signal, null);
  assert.equal(code, 0, exporterLog);
  await proms[0].until('up{job="pktstat"}', (v) => v === 0);
});
