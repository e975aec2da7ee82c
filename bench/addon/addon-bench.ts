// Benchmark of the native drain thread: samples/s parsed and delivered to JavaScript, against the
// plain-TypeScript reader of the same files, and the drain thread's CPU use with JavaScript idle.
// Usage: node dist/bench/addon/addon-bench.js [sets=4] [samples=100000] [repeats=5]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Drain } from '../../addon/index.js';
import { TsStreamReader } from '../../test/unit/addon/ts-reader.js';
import { DRAIN_THREAD, threadCpuMs } from './addon-cpu.js';

const [sets = 4, samples = 100_000, repeats = 5] = process.argv.slice(2).map((a) => {
  const v = Number(a);
  if (!Number.isSafeInteger(v) || v < 1) throw new Error(`addon-bench: not a positive integer: ${a}`);
  return v;
});

const T0 = 1764288000000000000n;
const PERIOD_NS = 100_000n;
const dir = mkdtempSync(join(tmpdir(), 'pktstat-bench-'));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A counter set with `count` samples of 100 µs windows, frames and bytes of realistic width. */
function makeSet(root: string, name: string, periodNs: bigint, capacity: number, count: number): void {
  mkdirSync(join(root, name), { recursive: true });
  writeFileSync(join(root, name, 'config'), `name: ${name}\nperiod_ns: ${periodNs}\ncapacity: ${capacity}\nrules: 1\n`);
  const lines = ['# timestamp frames bytes'];
  let frames = 123_456_789n;
  let bytes = 98_765_432_100n;
  for (let i = 0; i < count; i++) {
    frames += BigInt(1 + (i % 17));
    bytes += BigInt(64 + (i % 1400));
    lines.push(`${T0 + BigInt(i) * periodNs} ${frames} ${bytes}`);
  }
  writeFileSync(join(root, name, 'stream'), lines.join('\n') + '\n');
  writeFileSync(
    join(root, name, 'stats'),
    `frames: ${frames}\nbytes: ${bytes}\nsamples: ${count}\nlost: 0\nqueued: 0\n`,
  );
}

async function addonRun(root: string, expected: number): Promise<number> {
  const drain = new Drain({ procDir: root });
  const t = process.hrtime.bigint();
  drain.start();
  let got = 0;
  while (got < expected) {
    for (const b of drain.take()) got += b.windows.length;
    if (got < expected) await sleep(1);
  }
  const ns = Number(process.hrtime.bigint() - t);
  drain.stop();
  return ns;
}

function tsRun(root: string, names: string[], expected: number): number {
  const t = process.hrtime.bigint();
  let got = 0;
  for (const name of names) {
    const reader = new TsStreamReader(join(root, name, 'stream'), PERIOD_NS);
    got += reader.read().windows.length;
    reader.close();
  }
  const ns = Number(process.hrtime.bigint() - t);
  if (got !== expected) throw new Error(`addon-bench: TS reader parsed ${got} samples, expected ${expected}`);
  return ns;
}

const fmt = (perS: number): string => `${(perS / 1e6).toFixed(2)} M samples/s`;

try {
  const tput = join(dir, 'throughput');
  const names = Array.from({ length: sets }, (_, i) => `b${i}`);
  for (const n of names) makeSet(tput, n, PERIOD_NS, 1_048_576, samples);
  const total = sets * samples;
  console.log(`throughput: ${sets} sets x ${samples} samples, best of ${repeats} runs (page cache warm)`);
  let bestAddon = Infinity;
  let bestTs = Infinity;
  for (let r = 0; r < repeats; r++) {
    bestAddon = Math.min(bestAddon, await addonRun(tput, total));
    bestTs = Math.min(bestTs, tsRun(tput, names, total));
  }
  const addonRate = total / (bestAddon / 1e9);
  const tsRate = total / (bestTs / 1e9);
  console.log(
    `  addon (native thread -> BigUint64Array via take()): ${fmt(addonRate)} (${(bestAddon / 1e6).toFixed(1)} ms)`,
  );
  console.log(`  TS reader (readSync + parse in JS):                 ${fmt(tsRate)} (${(bestTs / 1e6).toFixed(1)} ms)`);
  console.log(`  ratio addon / TS: ${(addonRate / tsRate).toFixed(2)}x`);

  // 16 sets of 100 µs windows, capacity 1024: each read finds one drain interval's worth of
  // samples (a regular file does not drain, so it holds exactly that many and is re-read).
  const idle = join(dir, 'idle');
  const capacity = 1024;
  const periodNs = 100_000n;
  const perRead = capacity / 4;
  for (let i = 0; i < 16; i++) makeSet(idle, `c${i}`, periodNs, capacity, perRead);
  const drain = new Drain({ procDir: idle });
  drain.start();
  await sleep(300);
  const seconds = 5;
  const reads0 = drain.status().reduce((a, s) => a + s.reads, 0n);
  const cpu0 = process.cpuUsage();
  const thread0 = threadCpuMs(DRAIN_THREAD);
  await sleep(seconds * 1000);
  const cpu = process.cpuUsage(cpu0);
  const threadMs = threadCpuMs(DRAIN_THREAD) - thread0;
  const reads = drain.status().reduce((a, s) => a + s.reads, 0n) - reads0;
  const interval = drain.status()[0]!.drainIntervalNs;
  drain.stop();
  const cpuMs = (cpu.user + cpu.system) / 1000;
  console.log(
    `idle drain: 16 sets, period ${periodNs} ns, capacity ${capacity}, interval ${Number(interval) / 1e6} ms, ${perRead} samples per read`,
  );
  console.log(`  ${reads} reads in ${seconds} s (${(Number(reads) / seconds).toFixed(0)}/s)`);
  console.log(
    `  drain thread CPU ${threadMs} ms = ${(threadMs / (seconds * 10)).toFixed(2)}% of one core (10 ms ticks)`,
  );
  console.log(
    `  whole process CPU ${cpuMs.toFixed(1)} ms = ${(cpuMs / (seconds * 10)).toFixed(2)}% of one core (JS idle)`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
