// A real Prometheus server for the tests: Debian's `prometheus` binary on a free loopback port,
// with its own config and TSDB in a temp dir, scraping every second; asked through its HTTP API.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function freePort(): Promise<number> {
  const s = createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as { port: number }).port;
  s.close();
  await once(s, 'close');
  return port;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Prometheus 3 stores a bucket bound as "1.0", Prometheus 2 as "1": selectors take both, results
// are keyed by the number.
export const LE_ZERO = 'le=~"0(\\\\.0)?"';
export const leKey = (le: string): string => (le === '+Inf' ? le : String(Number(le)));

export interface Sample {
  readonly metric: Record<string, string>;
  readonly value: number;
}

export class Prometheus {
  readonly #dir = mkdtempSync(join(tmpdir(), 'pktstat-prom-'));
  #child: ChildProcess | null = null;
  #log = '';
  port = 0;

  /** Starts scraping `target` (host:port) every second, with `ruleFiles` evaluated every second. */
  start(target: string, ruleFiles: readonly string[]): Promise<void> {
    return this.startJobs([{ job_name: 'pktstat', static_configs: [{ targets: [target] }] }], ruleFiles);
  }

  /** Starts scraping every second with these scrape_configs (JSON is YAML). */
  async startJobs(jobs: readonly object[], ruleFiles: readonly string[] = []): Promise<void> {
    const config = join(this.#dir, 'prometheus.yml');
    writeFileSync(
      config,
      [
        'global:',
        '  scrape_interval: 1s',
        '  evaluation_interval: 1s',
        `rule_files: ${JSON.stringify(ruleFiles)}`,
        `scrape_configs: ${JSON.stringify(jobs)}`,
        '',
      ].join('\n'),
    );
    this.port = await freePort();
    this.#child = spawn(
      'prometheus',
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(this.#dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${this.port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    this.#child.stderr!.on('data', (d) => (this.#log += d));
    const end = Date.now() + 20_000;
    for (;;) {
      if (this.#child.exitCode !== null) throw new Error(`prometheus exited: ${this.#log}`);
      try {
        if ((await fetch(`http://127.0.0.1:${this.port}/-/ready`)).ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > end) throw new Error(`prometheus not ready after 20 s: ${this.#log}`);
      await sleep(100);
    }
  }

  /** An instant query at now; throws with Prometheus's error when it fails. */
  async query(expr: string): Promise<Sample[]> {
    const url = `http://127.0.0.1:${this.port}/api/v1/query?query=${encodeURIComponent(expr)}`;
    const body = (await (await fetch(url)).json()) as {
      status: string;
      error?: string;
      data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
    };
    if (body.status !== 'success') throw new Error(`query ${expr}: ${body.error}`);
    if (body.data!.resultType !== 'vector') return [];
    return body.data!.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  }

  /** The single value of `expr`, polled until `ok(value)` holds (scrapes come every second). */
  async until(expr: string, ok: (v: number | undefined) => boolean, timeoutMs = 15_000): Promise<number | undefined> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const r = await this.query(expr);
      if (r.length > 1) throw new Error(`${expr}: ${r.length} series, expected one`);
      const v = r[0]?.value;
      if (ok(v)) return v;
      if (Date.now() > end) throw new Error(`${expr}: still ${v} after ${timeoutMs} ms`);
      await sleep(200);
    }
  }

  async stop(): Promise<void> {
    const c = this.#child;
    if (c !== null && c.exitCode === null && c.signalCode === null) {
      const exited = once(c, 'exit');
      c.kill('SIGTERM');
      const timer = setTimeout(() => c.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    this.#child = null;
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
