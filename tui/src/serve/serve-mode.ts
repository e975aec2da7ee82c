// What `pktstat-top --serve` makes of its flags, and its life as a process: SIGINT and
// SIGTERM (systemd's stop) end it cleanly, as does --duration.
import { parseDuration } from '../args/duration.js';
import { withLifetime } from '../args/lifetime.js';
import { hasThresholds, type Thresholds } from '../windows/threshold.js';
import { UsageError } from '../args/usage.js';
import { parseListenAddress } from './listen-address.js';
import { runServe } from './run-serve.js';
import { openWebServing, type WebServing } from './web-serving.js';

interface ServeFlags {
  readonly serve: string;
  readonly procDir: string;
  readonly rule: string | undefined;
  readonly peakInterval: string | undefined;
  /** --web.config.file */
  readonly webConfigFile: string | undefined;
}

export const DEFAULT_PEAK_INTERVAL = '60s';
const MAX_PEAK_INTERVAL_S = 86_400;

/** --peak-interval: whole seconds, 1s to 24h (the trailing maxima are kept per second). */
function parsePeakInterval(text: string): number {
  const ns = parseDuration(text, { bareUnit: 's' });
  if (ns % 1_000_000_000n !== 0n || ns === 0n || ns > BigInt(MAX_PEAK_INTERVAL_S) * 1_000_000_000n)
    throw new Error(`'${text}' is not a whole number of seconds from 1s to 24h`);
  return Number(ns / 1_000_000_000n);
}

const usage = (prefix: string, e: unknown) => new UsageError(`${prefix}${(e as Error).message}`, { cause: e });

export async function runServeMode(f: ServeFlags, thresholds: Thresholds, durationMs: number | null): Promise<void> {
  let listen;
  let peakIntervalSeconds;
  try {
    listen = parseListenAddress(f.serve);
  } catch (e) {
    throw usage('', e);
  }
  try {
    peakIntervalSeconds = parsePeakInterval(f.peakInterval ?? DEFAULT_PEAK_INTERVAL);
  } catch (e) {
    throw usage('--peak-interval ', e);
  }
  const log = (line: string) => process.stderr.write(`pktstat-top: ${line}\n`);
  let web: WebServing | undefined;
  try {
    web = f.webConfigFile === undefined ? undefined : openWebServing(f.webConfigFile, log);
  } catch (e) {
    throw usage('', e);
  }
  await withLifetime({ signals: ['SIGINT', 'SIGTERM'], durationMs }, (stop) =>
    runServe({
      listen,
      web,
      procDir: f.procDir,
      rule: f.rule ?? null,
      thresholds: hasThresholds(thresholds) ? thresholds : null,
      peakIntervalSeconds,
      stop,
      log,
    }),
  );
}
