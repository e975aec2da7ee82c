// `pktstat-top --serve`: keeps draining every watched set, counts its windows, and answers
// scrapes. A missing module is not fatal here: the exporter reports it (pktstat_module_loaded
// 0) and starts draining once the module is there, so Prometheus sees the gap explained.
import { statSync } from 'node:fs';
import type { DrainApi } from '../../../addon/types.js';
import { openDrain } from '../windows/feed.js';
import type { Thresholds } from '../windows/threshold.js';
import type { Counters } from '../windows/tiler.js';
import { exporterExposition } from './exporter-metrics.js';
import { formatListenAddress, isLoopback, type ListenAddress } from './listen-address.js';
import { type MetricsServer, serveMetrics } from './metrics-server.js';
import { SetFollower } from './set-follower.js';
import { OPEN_WEB, type WebServing } from './web-serving.js';

interface ServeOptions {
  readonly listen: ListenAddress;
  /** TLS, authentication and headers (--web.config.file); plain HTTP, open to all without. */
  readonly web?: WebServing;
  readonly procDir: string;
  /** Only this set (--rule). */
  readonly rule: string | null;
  readonly thresholds: Thresholds | null;
  readonly peakIntervalSeconds: number;
  /** Aborted by SIGINT/SIGTERM. */
  readonly stop: AbortSignal;
  /** One line each: listening, module missing, drain errors. */
  readonly log: (line: string) => void;
  readonly tickMs?: number;
  /** How often a drain that could not start is tried again. */
  readonly retryMs?: number;
}

const nowNs = (): bigint => BigInt(Date.now()) * 1_000_000n;

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** A set's running totals as the drain has them (SetStatus.totalFrames), or null. */
function readCounters(drain: DrainApi | null, name: string): Counters | null {
  const st = drain?.status().find((s) => s.name === name);
  return st === undefined ? null : { frames: st.totalFrames, bytes: st.totalBytes };
}

/** Resolves once stopped; rejects with a one-line Error when it cannot start. */
export async function runServe(o: ServeOptions): Promise<void> {
  const tickMs = o.tickMs ?? 100;
  const retryMs = o.retryMs ?? 1000;
  const names = o.rule === null ? [] : [o.rule];
  const follower = new SetFollower({
    thresholds: o.thresholds,
    peakIntervalSeconds: o.peakIntervalSeconds,
    readCounters: (name) => readCounters(drain, name),
    nowNs,
  });
  let drain: DrainApi | null = null;
  let moduleLoaded = isDirectory(o.procDir);
  let startErrors = 0;
  let lastStartError = '';
  let nextStartMs = 0;

  const startDrain = (fatal: boolean): void => {
    nextStartMs = Date.now() + retryMs;
    try {
      drain = openDrain({ procDir: o.procDir, names });
      lastStartError = '';
    } catch (e) {
      if (fatal) throw e;
      startErrors++;
      const message = (e as Error).message;
      if (message !== lastStartError) o.log(message);
      lastStartError = message;
    }
  };

  // A module missing at start is awaited; anything else (permission, unknown --rule) is fatal.
  if (moduleLoaded) startDrain(true);
  else o.log(`${o.procDir} is missing: the module is not loaded; serving pktstat_module_loaded 0 until it is`);

  const exposition = exporterExposition(
    {
      sets: () => follower.sets.values(),
      health: () => ({
        moduleLoaded,
        drainRunning: drain?.running ?? false,
        drainErrors: follower.drainErrors + startErrors,
        setsFailing: follower.setsFailing,
      }),
      nowNs,
    },
    o.thresholds,
  );
  const web = o.web ?? OPEN_WEB;
  let server: MetricsServer;
  try {
    server = await serveMetrics(o.listen, exposition, web);
  } catch (e) {
    (drain as DrainApi | null)?.stop();
    await web.close();
    throw e;
  }
  const scheme = web.tls === null ? 'http' : 'https';
  // One line that scripts read the URL from; what guards it on the next.
  o.log(`serving ${scheme}://${formatListenAddress(server.address)}/metrics`);
  if (web !== OPEN_WEB) o.log(`web configuration: ${web.summary}`);
  if (web.open && !isLoopback(o.listen.host))
    o.log(
      `warning: ${formatListenAddress(o.listen)} is reachable beyond this machine and asks no credentials: anyone who reaches it reads this host's per-rule traffic${web.tls === null ? ', in clear text' : ''}; see --web.config.file`,
    );

  const tick = (): void => {
    moduleLoaded = isDirectory(o.procDir);
    if (drain === null && moduleLoaded && Date.now() >= nextStartMs) startDrain(false);
    if (drain === null) return;
    if (!drain.running) {
      // The drain thread is gone: report it, drop its sets, and start a new one.
      drain.stop();
      drain = null;
      follower.clear();
      return;
    }
    follower.tick(drain, o.log);
  };
  const timer = setInterval(tick, tickMs);
  try {
    if (!o.stop.aborted) await new Promise((resolve) => o.stop.addEventListener('abort', resolve, { once: true }));
  } finally {
    clearInterval(timer);
    await server.close();
    (drain as DrainApi | null)?.stop();
  }
}
