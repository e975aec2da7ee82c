// Benchmarks of `pktstat-top --serve`:
//  1. scrape latency: the real exporter process with 64 counter sets (a proc dir written here,
//     the sets' histograms filled), GET /metrics one after another: p50, p99, max;
//  2. CPU of the real exporter process (drain thread, JavaScript, HTTP) for 16 sets of 100 us
//     windows under traffic: this process plays the kernel, appending every 100 ms the samples
//     of the next 100 ms to each set's `stream`, and scrapes as Prometheus would: every 15 s (the
//     fleet kit's interval) and every second; with traffic in every window (10,000 samples/s per
//     set) and in one window of ten. 30 s a run: shorter runs also measure the JIT warming up.
// Usage: node dist/bench/serve/serve-bench.js [scrapes=300] [seconds=30]
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [scrapes = 300, seconds = 30] = process.argv.slice(2).map((a) => {
  const v = Number(a);
  if (!Number.isSafeInteger(v) || v < 1) throw new Error(`serve-bench: not a positive integer: ${a}`);
  return v;
});
const CLI = fileURLToPath(new URL('../../tui/src/cli.js', import.meta.url));
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
    const filled = Date.now() + 30_000;
    for (;;) {
      const text = await (await fetch(url)).text();
      if ((text.match(/^pktstat_window_frames_sum\{set="set\d+"\} [1-9]/gm) ?? []).length === 64) break;
      if (Date.now() > filled) throw new Error('the 64 sets did not fill in 30 s');
      await sleep(50);
    }
    const times: number[] = [];
    let bytes = 0;
    const cpuBefore = cpuTicks(child.pid!, '').all;
    for (let i = 0; i < scrapes; i++) {
      const t = process.hrtime.bigint();
      const body = await (await fetch(url)).text();
      times.push(Number(process.hrtime.bigint() - t) / 1e6);
      bytes = body.length;
    }
    const cpuMs = ((cpuTicks(child.pid!, '').all - cpuBefore) * 10) / scrapes;
    times.sort((a, b) => a - b);
    console.log(`scrape latency: 64 sets, ${scrapes} GET /metrics in a row, ${(bytes / 1024).toFixed(0)} KiB each`);
    console.log(
      `  p50 ${pct(times, 0.5).toFixed(2)} ms, p99 ${pct(times, 0.99).toFixed(2)} ms, max ${times[times.length - 1].toFixed(2)} ms (SPEC: under 100 ms); exporter CPU ${cpuMs.toFixed(2)} ms a scrape`,
    );
  } finally {
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
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

async function exporterProcessCpu(everyNth: number, scrapeMs: number, seconds: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pktstat-serve-bench-'));
  const names = Array.from({ length: 16 }, (_, i) => `c${i}`);
  for (const name of names) {
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'config'), `name: ${name}\nperiod_ns: ${P}\ncapacity: 4096\nrules: 1\n`);
    writeFileSync(join(dir, name, 'stats'), 'frames: 0\nbytes: 0\nsamples: 0\nlost: 0\nqueued: 0\n');
    writeFileSync(join(dir, name, 'stream'), '# timestamp frames bytes\n');
  }
  const child = spawn(process.execPath, [CLI, '--serve', '127.0.0.1:0', '--proc-dir', dir, '--threshold', '200kpps'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr.on('data', (d) => (log += d));
  try {
    const started = Date.now() + 10_000;
    while (!/serving (http:\S+)/.test(log)) {
      if (Date.now() > started) throw new Error(`exporter did not start: ${log}`);
      await sleep(20);
    }
    const url = /serving (http:\S+)/.exec(log)![1];
    await sleep(1000); // the sets found and watched
    // Windows 200 ms ahead of the clock: each append is read before its windows end, as the
    // kernel's reads deliver a window once it has.
    let next = ((BigInt(Date.now()) * MS + 200n * MS) / P) * P;
    const totals = names.map(() => 0);
    const perStep = 1000; // 100 ms of 100 us windows
    let behind = 0;
    // Timestamps as text from seconds and nanoseconds in numbers: a bigint per line would
    // make this process, not the exporter, the bottleneck.
    const append = () => {
      if (next < (BigInt(Date.now()) + 20n) * MS) behind++;
      const wholeSeconds = Number(next / 1_000_000_000n);
      const nanos = Number(next % 1_000_000_000n);
      names.forEach((name, s) => {
        let text = '';
        for (let i = 0; i < perStep; i += everyNth) {
          const ns = nanos + i * Number(P);
          const ts = `${wholeSeconds + Math.floor(ns / 1e9)}${String(ns % 1e9).padStart(9, '0')}`;
          totals[s] += 1 + ((i * 7 + s) % 40);
          text += `${ts} ${totals[s]} ${totals[s] * 300}\n`;
        }
        appendFileSync(join(dir, name, 'stream'), text);
      });
      next += BigInt(perStep) * P;
    };
    // Keep the written windows 200-300 ms ahead of the clock, whatever each step took.
    const ahead = () => {
      while (next < (BigInt(Date.now()) + 300n) * MS) append();
    };
    ahead();
    await sleep(100);
    const before = cpuTicks(child.pid!, 'pktstat-drain');
    const wall0 = process.hrtime.bigint();
    let scraped = Date.now();
    while (process.hrtime.bigint() - wall0 < BigInt(seconds) * 1_000_000_000n) {
      ahead();
      if (Date.now() - scraped >= scrapeMs) {
        scraped = Date.now();
        await fetch(url)
          .then((r) => r.text())
          .catch((e: Error) => {
            throw new Error(`scrape failed (${e.message}); exporter exit ${child.exitCode}: ${log}`);
          });
      }
      await sleep(100);
    }
    const after = cpuTicks(child.pid!, 'pktstat-drain');
    const wallS = Number(process.hrtime.bigint() - wall0) / 1e9;
    await sleep(1000); // the last reads
    const text = await (await fetch(url)).text();
    const sum = [...text.matchAll(/^pktstat_frames_total\{set="c\d+"\} (\d+)$/gm)].reduce(
      (a, m) => a + Number(m[1]),
      0,
    );
    const written = totals.reduce((a, b) => a + b, 0);
    if (behind > 0) console.log(`  (this process fell behind the clock ${behind} times: windows arrived late)`);
    const share = (t: number) => ((t * 10) / (wallS * 10)).toFixed(2);
    const rate = (names.length * 10_000) / everyNth;
    console.log(
      `exporter process: 16 sets of 100 us, traffic in ${everyNth === 1 ? 'every window' : `one window of ${everyNth}`} (${rate} samples/s), a scrape every ${scrapeMs / 1000} s, ${wallS.toFixed(1)} s`,
    );
    console.log(
      `  ${share(after.all - before.all)}% of one core, of which the drain thread ${share(after.named - before.named)}% (10 ms ticks); frames counted ${sum} of ${written} written`,
    );
  } finally {
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

// Latency and CPU shares depend on what else runs: say how busy the machine was.
console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
await scrapeLatency();
const KIT_SCRAPE_MS = 15_000;
await exporterProcessCpu(1, KIT_SCRAPE_MS, seconds);
await exporterProcessCpu(1, 1000, seconds);
await exporterProcessCpu(10, KIT_SCRAPE_MS, seconds);
