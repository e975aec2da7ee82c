// Benchmarks of `pktstat-top --serve`:
//  1. scrape latency: the real exporter process with 64 counter sets (a proc dir written here,
//     the sets' histograms filled), GET /metrics one after another: p50, p99, max, over plain
//     HTTP and, from a second exporter on the same sets, over HTTPS with basic auth (a bcrypt
//     hash of cost 10), on a connection kept alive as Prometheus keeps it and on a new one;
//  2. CPU of the real exporter process (drain thread, JavaScript, HTTP) for 16 sets of 100 us
//     windows under traffic: this process plays the kernel, appending every 100 ms the samples
//     of the next 100 ms to each set's `stream`, and scrapes as Prometheus would: every 15 s (the
//     fleet kit's interval) and every second; with traffic in every window (10,000 samples/s per
//     set) and in one window of ten. 30 s a run: shorter runs also measure the JIT warming up.
// Usage: node dist/bench/serve/serve-bench.js [scrapes=300] [seconds=30]
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hashSync } from 'bcryptjs';
import { makePki } from '../../test/unit/serve/pki.js';

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

interface Started {
  readonly child: ChildProcess;
  readonly url: string;
}

async function startExporter(args: readonly string[]): Promise<Started> {
  const child = spawn(process.execPath, [CLI, '--serve', '127.0.0.1:0', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr.on('data', (d) => (log += d));
  const end = Date.now() + 10_000;
  while (!/serving (https?:\S+)/.test(log)) {
    if (Date.now() > end || child.exitCode !== null) throw new Error(`exporter did not start: ${log}`);
    await sleep(20);
  }
  return { child, url: /serving (https?:\S+)/.exec(log)![1] };
}

/** GET url as Prometheus does: one connection kept alive, or (fresh) a new one each time. */
function scraper(url: string, o: { ca?: Buffer; auth?: string } = {}) {
  const u = new URL(url);
  const lib = u.protocol === 'https:' ? https : http;
  const agent = new lib.Agent({ keepAlive: true, maxSockets: 1, ca: o.ca });
  const headers = o.auth === undefined ? {} : { Authorization: `Basic ${Buffer.from(o.auth).toString('base64')}` };
  return (fresh: boolean) =>
    new Promise<string>((resolve, reject) => {
      const req = lib.request(u, { agent: fresh ? false : agent, ca: o.ca, headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`${url}: ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end();
    });
}

/** Scrape latency, 64 sets, over plain HTTP and over HTTPS with basic auth, in one run. */
async function scrapeLatency(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pktstat-serve-bench-'));
  const procDir = join(dir, 'proc');
  mkdirSync(procDir);
  // A configuration as a fleet has it: a certificate of a CA, a user with a bcrypt hash of cost 10.
  const pki = makePki(join(dir, 'pki'));
  const password = 'bench password';
  writeFileSync(
    join(dir, 'web.yml'),
    `tls_server_config:\n  cert_file: ${pki.server.cert}\n  key_file: ${pki.server.key}\nbasic_auth_users:\n  prometheus: ${hashSync(password, 10)}\n`,
  );
  const common = ['--proc-dir', procDir, '--threshold', '50kpps'];
  const exporters: Started[] = [];
  try {
    exporters.push(await startExporter(common));
    exporters.push(await startExporter([...common, '--web.config.file', join(dir, 'web.yml')]));
    const [plain, secure] = exporters;
    // Once they serve: 64 sets, each with 2000 windows of traffic just ahead of now (delivered
    // at once, as the next read after they end would deliver them). The capacity makes the drain
    // read rarely: these files never drain, so every read parses all of them again.
    const start = ((BigInt(Date.now()) * MS + 2000n * MS) / P) * P;
    for (let s = 0; s < 64; s++) {
      const name = `set${s}`;
      mkdirSync(join(procDir, name));
      writeFileSync(join(procDir, name, 'config'), `name: ${name}\nperiod_ns: ${P}\ncapacity: 1048576\nrules: 1\n`);
      writeFileSync(join(procDir, name, 'stats'), 'frames: 0\nbytes: 0\nsamples: 0\nlost: 0\nqueued: 0\n');
      const lines = ['# timestamp frames bytes'];
      let frames = 0n;
      for (let i = 0; i < 2000; i++) {
        frames += BigInt(1 + ((i * 7 + s) % 40));
        lines.push(`${start + BigInt(i) * P} ${frames} ${frames * 300n}`);
      }
      writeFileSync(join(procDir, name, 'stream'), lines.join('\n') + '\n');
    }
    const kinds = [
      { label: 'plain HTTP, kept alive', get: scraper(plain.url), fresh: false },
      {
        label: 'HTTPS + basic auth, kept alive',
        get: scraper(secure.url, { ca: readFileSync(pki.ca.cert), auth: `prometheus:${password}` }),
        fresh: false,
      },
      {
        label: 'HTTPS + basic auth, new connection',
        get: scraper(secure.url, { ca: readFileSync(pki.ca.cert), auth: `prometheus:${password}` }),
        fresh: true,
      },
    ];
    // Until every set's histogram holds its traffic, in both.
    const filled = Date.now() + 60_000;
    for (const k of kinds) {
      for (;;) {
        const text = await k.get(k.fresh);
        if ((text.match(/^pktstat_window_frames_sum\{set="set\d+"\} [1-9]/gm) ?? []).length === 64) break;
        if (Date.now() > filled)
          throw new Error(
            `${k.label}: the 64 sets did not fill in 60 s: ${text
              .match(/^pktstat_window_frames_sum.*$/gm)
              ?.slice(0, 3)
              .join(' | ')}`,
          );
        await sleep(50);
      }
    }
    // Round after round, one scrape of each kind: the same load on all of them.
    const times = kinds.map(() => [] as number[]);
    let bytes = 0;
    const cpuBefore = exporters.map((e) => cpuTicks(e.child.pid!, '').all);
    for (let i = 0; i < scrapes; i++) {
      for (const [j, k] of kinds.entries()) {
        const t = process.hrtime.bigint();
        bytes = (await k.get(k.fresh)).length;
        times[j].push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }
    const cpuMs = exporters.map((e, j) => ((cpuTicks(e.child.pid!, '').all - cpuBefore[j]) * 10) / scrapes);
    times.forEach((t) => t.sort((a, b) => a - b));
    console.log(
      `scrape latency: 64 sets, ${scrapes} rounds of one GET /metrics of each kind, ${(bytes / 1024).toFixed(0)} KiB each (SPEC: under 100 ms)`,
    );
    const p50Plain = pct(times[0], 0.5);
    kinds.forEach((k, j) => {
      const p50 = pct(times[j], 0.5);
      const more = j === 0 ? '' : ` (${p50 - p50Plain >= 0 ? '+' : ''}${(p50 - p50Plain).toFixed(2)} ms over plain)`;
      console.log(
        `  ${k.label.padEnd(36)} p50 ${p50.toFixed(2)} ms${more}, p99 ${pct(times[j], 0.99).toFixed(2)} ms, max ${times[j][times[j].length - 1].toFixed(2)} ms`,
      );
    });
    console.log(
      `  exporter CPU a round: plain ${cpuMs[0].toFixed(2)} ms; HTTPS + basic auth ${cpuMs[1].toFixed(2)} ms for its two scrapes (10 ms ticks)`,
    );
  } finally {
    for (const e of exporters) e.child.kill('SIGTERM');
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
