// Benchmarks of `pktstat-top --serve`:
//  1. scrape latency: the real exporter process with 64 counter sets (a proc dir written here,
//     the sets' histograms filled), GET /metrics one after another: p50, p99, max;
//  2. CPU for 16 sets of 100 us windows with traffic in every window (10,000 samples/s per
//     set), in two parts that add up: the exporter process whose drain thread parses that rate
//     (files that hold one drain interval of samples, re-read every interval as addon-bench
//     does; their samples reach JavaScript once), and the JavaScript work on that rate (tiling,
//     histograms, peaks, bursts, a scrape a second) over batches handed over every 100 ms as
//     the drain hands them, also with traffic in one window of ten.
// Usage: node dist/bench/serve-bench.js [scrapes=300] [seconds=10]
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DrainEvent, SampleBatch, SetStatus } from '../addon/types.js';
import { exporterRegistry } from '../tui/src/serve/exporter-metrics.js';
import { SetFollower } from '../tui/src/serve/set-follower.js';
import { parseThresholds } from '../tui/src/threshold.js';

const [scrapes = 300, seconds = 10] = process.argv.slice(2).map((a) => {
  const v = Number(a);
  if (!Number.isSafeInteger(v) || v < 1) throw new Error(`serve-bench: not a positive integer: ${a}`);
  return v;
});
const CLI = fileURLToPath(new URL('../tui/src/cli.js', import.meta.url));
const MS = 1_000_000n;
const P = 100_000n;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

async function scrapeLatency(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pktstat-serve-bench-'));
  const child = spawn(process.execPath, [CLI, '--serve', '127.0.0.1:0', '--proc-dir', dir, '--threshold', '50kpps'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  try {
    let log = '';
    child.stderr.on('data', (d) => (log += d));
    const end = Date.now() + 10_000;
    while (!/serving (http:\S+)/.test(log)) {
      if (Date.now() > end) throw new Error(`exporter did not start: ${log}`);
      await sleep(20);
    }
    // Once it serves: 64 sets, each with 2000 windows of traffic just ahead of now (delivered
    // at once, as the next read after they end would deliver them). The capacity makes the drain
    // read rarely: these files never drain, so every read parses all of them again.
    const start = ((BigInt(Date.now()) * MS + 2000n * MS) / P) * P;
    for (let s = 0; s < 64; s++) {
      const name = `set${s}`;
      mkdirSync(join(dir, name));
      writeFileSync(join(dir, name, 'config'), `name: ${name}\nperiod_ns: ${P}\ncapacity: 1048576\nrules: 1\n`);
      writeFileSync(join(dir, name, 'stats'), 'frames: 0\nbytes: 0\nsamples: 0\nlost: 0\nqueued: 0\n');
      const lines = ['# timestamp frames bytes'];
      let frames = 0n;
      for (let i = 0; i < 2000; i++) {
        frames += BigInt(1 + ((i * 7 + s) % 40));
        lines.push(`${start + BigInt(i) * P} ${frames} ${frames * 300n}`);
      }
      writeFileSync(join(dir, name, 'stream'), lines.join('\n') + '\n');
    }
    const url = /serving (http:\S+)/.exec(log)![1];
    // Until every set's histogram holds its traffic.
    const filled = Date.now() + 10_000;
    for (;;) {
      const text = await (await fetch(url)).text();
      if ((text.match(/^pktstat_window_frames_sum\{set="set\d+"\} [1-9]/gm) ?? []).length === 64) break;
      if (Date.now() > filled) throw new Error('the 64 sets did not fill in 10 s');
      await sleep(50);
    }
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < scrapes; i++) {
      const t = process.hrtime.bigint();
      const body = await (await fetch(url)).text();
      times.push(Number(process.hrtime.bigint() - t) / 1e6);
      bytes = body.length;
    }
    times.sort((a, b) => a - b);
    console.log(`scrape latency: 64 sets, ${scrapes} GET /metrics in a row, ${(bytes / 1024).toFixed(0)} KiB each`);
    console.log(
      `  p50 ${pct(times, 0.5).toFixed(2)} ms, p99 ${pct(times, 0.99).toFixed(2)} ms, max ${times[times.length - 1].toFixed(2)} ms (SPEC: under 100 ms)`,
    );
  } finally {
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A drain stand-in that hands over pre-made batches at the drain's pace. */
class ReplayFeed {
  #statuses: SetStatus[];
  #pending: SampleBatch[][] = [];
  #added: DrainEvent[];
  constructor(names: string[]) {
    this.#added = names.map((name) => ({ type: 'added', name }));
    this.#statuses = names.map((name) => ({
      name,
      periodNs: P,
      capacity: 4096,
      rules: 1,
      totalFrames: 0n,
      totalBytes: 0n,
      kernelLost: 0n,
      ringDropped: 0n,
      ringOwedLost: 0n,
      ringQueued: 0,
      lastReadSamples: 0,
      samplesRead: 0n,
      reads: 0n,
      lastReadStartNs: 0n,
      drainIntervalNs: 100n * MS,
      error: null,
    }));
  }
  deliver(batches: SampleBatch[], readStartNs: bigint): void {
    this.#pending.push(batches);
    this.#statuses = this.#statuses.map((s) => ({ ...s, lastReadStartNs: readStartNs }));
  }
  take(): SampleBatch[] {
    return this.#pending.splice(0).flat();
  }
  status(): SetStatus[] {
    return this.#statuses;
  }
  events(): DrainEvent[] {
    return this.#added.splice(0);
  }
}

/** CPU ticks (10 ms) of a process, and of its threads named `comm`. */
function cpuTicks(pid: number, comm: string): { all: number; named: number } {
  const ticks = (stat: string) => {
    const f = stat.split(') ')[1].split(' ');
    return Number(f[11]) + Number(f[12]);
  };
  let named = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    if (readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim() === comm)
      named += ticks(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8'));
  }
  return { all: ticks(readFileSync(`/proc/${pid}/stat`, 'utf8')), named };
}

async function drainProcessCpu(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pktstat-serve-bench-'));
  // Capacity 1024 at 100 us: a read every 25.6 ms, 256 samples each = 10,000 samples/s per set.
  const capacity = 1024;
  const perRead = capacity / 4;
  const t0 = ((BigInt(Date.now()) * MS) / P) * P - 60_000n * MS;
  for (let s = 0; s < 16; s++) {
    const name = `c${s}`;
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'config'), `name: ${name}\nperiod_ns: ${P}\ncapacity: ${capacity}\nrules: 1\n`);
    writeFileSync(join(dir, name, 'stats'), 'frames: 0\nbytes: 0\nsamples: 0\nlost: 0\nqueued: 0\n');
    const lines = ['# timestamp frames bytes'];
    for (let i = 1; i <= perRead; i++) lines.push(`${t0 + BigInt(i) * P} ${i * 9} ${i * 2700}`);
    writeFileSync(join(dir, name, 'stream'), lines.join('\n') + '\n');
  }
  const child = spawn(process.execPath, [CLI, '--serve', '127.0.0.1:0', '--proc-dir', dir], {
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  try {
    await sleep(2000);
    const before = cpuTicks(child.pid!, 'pktstat-drain');
    const wall0 = process.hrtime.bigint();
    await sleep(5000);
    const after = cpuTicks(child.pid!, 'pktstat-drain');
    const wallS = Number(process.hrtime.bigint() - wall0) / 1e9;
    const share = (t: number) => ((t * 10) / (wallS * 10)).toFixed(2);
    console.log(
      `exporter process, 16 sets of 100 us, its drain thread parsing 160000 samples/s, ${wallS.toFixed(1)} s`,
    );
    console.log(
      `  whole process ${share(after.all - before.all)}% of one core, of which the drain thread ${share(after.named - before.named)}% (10 ms ticks)`,
    );
  } finally {
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

async function exporterCpu(everyNth: number): Promise<void> {
  const sets = 16;
  const names = Array.from({ length: sets }, (_, i) => `s${i}`);
  const perTick = 1000; // 100 ms of 100 us windows
  const ticks = seconds * 10;
  const t0 = ((BigInt(Date.now()) * MS) / P) * P + 10n * MS;
  // Every window has traffic: 1..40 frames of 300 bytes, now and then above the threshold.
  const made: SampleBatch[][] = [];
  const totals = names.map(() => 0n);
  for (let k = 0; k < ticks; k++) {
    made.push(
      names.map((name, s) => {
        const n = perTick / everyNth;
        const ts = new BigUint64Array(n);
        const fr = new BigUint64Array(n);
        const by = new BigUint64Array(n);
        for (let i = 0; i < n; i++) {
          const w = k * perTick + i * everyNth;
          totals[s] += BigInt(1 + ((w * 7 + s) % 40));
          ts[i] = t0 + BigInt(w) * P;
          fr[i] = totals[s];
          by[i] = totals[s] * 300n;
        }
        return { name, timestamps: ts, frames: fr, bytes: by, lostBefore: new BigUint64Array(n) };
      }),
    );
  }
  let nowNs = t0 - 5n * MS;
  const feed = new ReplayFeed(names);
  const thresholds = parseThresholds(['200kpps']);
  const follower = new SetFollower({
    thresholds,
    peakIntervalSeconds: 60,
    readCounters: () => ({ frames: 0n, bytes: 0n }),
    nowNs: () => nowNs,
  });
  const registry = exporterRegistry(
    {
      sets: () => follower.sets.values(),
      health: () => ({ moduleLoaded: true, drainRunning: true, drainErrors: 0, setsFailing: 0 }),
      nowNs: () => nowNs,
    },
    thresholds,
  );
  follower.tick(feed);
  const cpu0 = process.cpuUsage();
  const wall0 = process.hrtime.bigint();
  for (let k = 0; k < ticks; k++) {
    const readStart = t0 + BigInt((k + 1) * perTick) * P;
    feed.deliver(made[k], readStart);
    nowNs = readStart;
    follower.tick(feed);
    if (k % 10 === 9) await registry.metrics(); // Prometheus scraping every second
    await sleep(100);
  }
  const cpu = process.cpuUsage(cpu0);
  const wallS = Number(process.hrtime.bigint() - wall0) / 1e9;
  const busy = [...follower.sets.values()].reduce((a, s) => a + s.frames.count - s.frames.perBucket[0], 0);
  if (busy !== (sets * ticks * perTick) / everyNth)
    throw new Error(`serve-bench: counted ${busy} windows with traffic`);
  const ms = (cpu.user + cpu.system) / 1000;
  console.log(
    `exporter JavaScript work: 16 sets of 100 us, traffic in ${everyNth === 1 ? 'every window' : `one window of ${everyNth}`} (${(sets * 10_000) / everyNth} samples/s), ticks of 100 ms, a scrape a second, ${wallS.toFixed(1)} s`,
  );
  console.log(`  ${ms.toFixed(0)} ms of CPU = ${(ms / wallS / 10).toFixed(2)}% of one core`);
}

// Latency and CPU shares depend on what else runs: say how busy the machine was.
console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
await scrapeLatency();
await drainProcessCpu();
await exporterCpu(1);
await exporterCpu(10);
