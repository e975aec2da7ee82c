// --serve in-process with the real drain thread over a proc dir the test writes (the addon
// tests' fixture plays the kernel): exact counts, a module missing at start and unloaded
// while serving, sets that appear and go.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runServe } from '../../../tui/src/serve/run-serve.js';
import { parseThresholds } from '../../../tui/src/windows/threshold.js';
import { FakeProc, HEADER, line } from '../addon/fixture.js';
import { waitFor } from '../helpers.js';
import { promtoolCheck, samples } from './exposition.js';

const MS = 1_000_000n;
const nowNs = () => BigInt(Date.now()) * MS;

const fake = new FakeProc();
after(() => fake.cleanup());
const procDir = join(fake.dir, 'xt_pktstat'); // absent until a test "loads the module"

interface Running {
  port: number;
  scrape: () => Promise<Map<string, number>>;
  text: () => Promise<string>;
  logs: string[];
  stop: () => Promise<void>;
}

async function start(rule: string | null = null): Promise<Running> {
  const ctl = new AbortController();
  const logs: string[] = [];
  const done = runServe({
    listen: { host: '127.0.0.1', port: 0 },
    procDir,
    rule,
    thresholds: parseThresholds(['1500pps']),
    peakIntervalSeconds: 60,
    stop: ctl.signal,
    log: (l) => logs.push(l),
    tickMs: 20,
    retryMs: 50,
  });
  const serving = await waitFor('the listening line', () => logs.find((l) => l.startsWith('serving ')));
  const port = Number(/:(\d+)\/metrics$/.exec(serving)![1]);
  const text = async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return {
    port,
    text,
    scrape: async () => samples(await text()),
    logs,
    stop: async () => {
      ctl.abort();
      await done;
    },
  };
}

/** Scrapes the exporter until check() holds, returning that scrape. */
const scrapeUntil = (r: Running, what: string, check: (m: Map<string, number>) => boolean) =>
  waitFor(
    what,
    async () => {
      const m = await r.scrape();
      return check(m) && m;
    },
    8000,
  );

function addSet(name: string, periodNs: bigint, frames: bigint, bytes: bigint): void {
  mkdirSync(join(procDir, name), { recursive: true });
  writeFileSync(join(procDir, name, 'config'), `name: ${name}\nperiod_ns: ${periodNs}\ncapacity: 1000\nrules: 1\n`);
  writeFileSync(join(procDir, name, 'stats'), `frames: ${frames}\nbytes: ${bytes}\nsamples: 0\nlost: 0\nqueued: 0\n`);
  // History from before the exporter watched: it only sets the baseline.
  const old = ((nowNs() - 10_000n * MS) / periodNs) * periodNs;
  writeFileSync(join(procDir, name, 'stream'), HEADER + line(old, frames, bytes));
}

test('module missing at start, then loaded: exact counts; unloaded while serving, then back', async () => {
  const r = await start();
  try {
    assert.match(r.logs.join('\n'), /xt_pktstat is missing: the module is not loaded/);
    let m = await r.scrape();
    assert.equal(m.get('pktstat_module_loaded'), 0);
    assert.equal(m.get('pktstat_exporter_drain_running'), 0);
    assert.equal(m.get('pktstat_exporter_sets'), 0);

    mkdirSync(procDir);
    addSet('a', MS, 1000n, 64_000n);
    m = await scrapeUntil(r, 'set a', (x) => x.get('pktstat_frames_total{set="a"}') === 1000);
    assert.equal(m.get('pktstat_module_loaded'), 1);
    assert.equal(m.get('pktstat_exporter_drain_running'), 1);

    // Windows with traffic, written before they end as the kernel's reads would deliver them.
    const perWindow = [1n, 3n, 8n, 100n, 2n];
    let t = ((nowNs() + 50n * MS) / MS) * MS;
    let frames = 1000n;
    let bytes = 64_000n;
    let text = '';
    for (const f of perWindow) {
      frames += f;
      bytes += f * 64n;
      text += line(t, frames, bytes);
      t += 2n * MS; // an idle window between each
    }
    fake.append('xt_pktstat/a', text);
    m = await scrapeUntil(r, 'the traffic', (x) => x.get('pktstat_frames_total{set="a"}') === 1114);
    const b = (le: string) => m.get(`pktstat_window_frames_bucket{le="${le}",set="a"}`)!;
    assert.equal(m.get('pktstat_bytes_total{set="a"}'), 64_000 + 114 * 64);
    assert.equal(m.get('pktstat_window_frames_sum{set="a"}'), 114);
    assert.equal(m.get('pktstat_window_bytes_sum{set="a"}'), 114 * 64);
    assert.equal(b('1') - b('0'), 1);
    assert.equal(b('2') - b('1'), 1);
    assert.equal(b('4') - b('2'), 1);
    assert.equal(b('8') - b('4'), 1);
    assert.equal(b('128') - b('64'), 1);
    assert.equal(b('+Inf') - b('0'), 5);
    assert.equal(m.get('pktstat_window_frames_max{set="a"}'), 100);
    assert.equal(m.get('pktstat_window_bytes_max{set="a"}'), 6400);
    assert.equal(m.get('pktstat_lost_samples_total{set="a"}'), 0);
    assert.equal(m.get('pktstat_unobserved_windows_total{set="a"}'), 0);
    // 1500 pps at 1 ms: more than 1 frame is hot; each hot window stood alone.
    assert.equal(m.get('pktstat_burst_windows_total{set="a"}'), 4);
    await scrapeUntil(r, 'the last burst to end', (x) => x.get('pktstat_bursts_total{set="a"}') === 4);
    assert.equal(promtoolCheck(await r.text()), null);

    // The module goes: the set goes with it and the exporter says so.
    rmSync(procDir, { recursive: true });
    m = await scrapeUntil(
      r,
      'the module gone',
      (x) => x.get('pktstat_module_loaded') === 0 && x.get('pktstat_exporter_sets') === 0,
    );
    assert.equal(m.has('pktstat_frames_total{set="a"}'), false);
    assert.ok(m.get('pktstat_exporter_drain_errors_total')! >= 1);
    assert.ok(r.logs.some((l) => l.includes(procDir)));

    // Back again, with a new set under the old name: from its own totals, not the old ones.
    mkdirSync(procDir);
    addSet('a', MS, 5n, 320n);
    m = await scrapeUntil(r, 'the set back', (x) => x.get('pktstat_frames_total{set="a"}') === 5);
    assert.equal(m.get('pktstat_module_loaded'), 1);
    assert.equal(m.get('pktstat_window_frames_sum{set="a"}'), 0);
  } finally {
    await r.stop();
    rmSync(procDir, { recursive: true, force: true });
  }
});

test('sets that appear and go while serving; --rule limits it to one', async () => {
  mkdirSync(procDir);
  addSet('keep', 100_000n, 0n, 0n);
  const all = await start();
  const one = await start('keep');
  try {
    addSet('brief', MS, 7n, 700n);
    await scrapeUntil(all, 'brief to appear', (x) => x.get('pktstat_frames_total{set="brief"}') === 7);
    let m = await one.scrape();
    assert.equal(m.get('pktstat_exporter_sets'), 1);
    assert.equal(m.get('pktstat_window_seconds{set="keep"}'), 0.0001);
    rmSync(join(procDir, 'brief'), { recursive: true });
    m = await scrapeUntil(all, 'brief to go', (x) => !x.has('pktstat_frames_total{set="brief"}'));
    assert.equal(m.get('pktstat_frames_total{set="keep"}'), 0);
    assert.equal(m.get('pktstat_exporter_sets'), 1);
  } finally {
    await all.stop();
    await one.stop();
    rmSync(procDir, { recursive: true, force: true });
  }
});

test('an unknown --rule while the module is loaded is a one-line error, nothing left listening', async () => {
  mkdirSync(procDir);
  try {
    await assert.rejects(
      runServe({
        listen: { host: '127.0.0.1', port: 0 },
        procDir,
        rule: 'nope',
        thresholds: null,
        peakIntervalSeconds: 60,
        stop: new AbortController().signal,
        log: () => {},
      }),
      /^Error: unknown rule 'nope'/,
    );
  } finally {
    rmSync(procDir, { recursive: true, force: true });
  }
});
