// `--export`: no dashboard, one counter set's windows written as CSV rows while the drain
// drains it; the output file, the baseline, the signals and --duration for every format.
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { SetStatus } from '../../../addon/types.js';
import { withLifetime } from '../args/lifetime.js';
import { type Feed, openDrain } from '../windows/feed.js';
import { BURSTS_CSV_HEADER, BurstDetector, burstCsvLine } from '../windows/bursts.js';
import type { Thresholds } from '../windows/threshold.js';
import { type Origin, type Row, Tiler } from '../windows/tiler.js';

export const CSV_HEADER = 'start_ns,end_ns,frames,bytes,lost\n';

export function csvLine(r: Row): string {
  return `${r.startNs},${r.endNs},${r.frames},${r.bytes},${r.lost}\n`;
}

/** What the command line asks of an export. */
interface ExportRequest {
  readonly name: string;
  readonly procDir: string;
  /** File to write; stdout when undefined. */
  readonly output: string | undefined;
  readonly durationMs: number | null;
  /** A window above any of them is hot (--export bursts). */
  readonly thresholds: Thresholds;
}

/** How an export writes the rows that tile time: its header, then text per row. */
interface RowFormat {
  readonly header: string;
  /** The writer of one set, once its period is known. */
  readonly start: (periodNs: bigint) => (row: Row) => string;
}

const WINDOWS: RowFormat = { header: CSV_HEADER, start: () => csvLine };

/** Each burst as soon as a row ends it; one still running when the export stops has not ended. */
function burstsFormat(thresholds: Thresholds): RowFormat {
  return {
    header: BURSTS_CSV_HEADER,
    start: (periodNs) => {
      const detector = new BurstDetector(periodNs, thresholds);
      return (row) => {
        const ended = detector.push(row);
        return ended === null ? '' : burstCsvLine(ended);
      };
    },
  };
}

/** What an export format's loop gets: rows begin at origin, and it ends when stop aborts. */
interface ExportSession {
  readonly feed: Feed;
  readonly name: string;
  readonly out: Writable;
  readonly origin: Origin;
  readonly stop: AbortSignal;
  readonly warn: (line: string) => void;
}

/** The export formats by --export name. */
export const EXPORT_FORMATS: Readonly<Record<string, (req: ExportRequest) => Promise<void>>> = {
  csv: (req) => withExport(req, (s) => runExport(s)),
  bursts: (req) => withExport(req, (s) => runExport({ ...s, format: burstsFormat(req.thresholds) })),
};

// Traffic records are the user's alone (0600); a symbolic link planted where the file goes
// (a shared directory) is refused rather than followed to a file it would overwrite.
const OUTPUT_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW;

async function openOutput(path: string): Promise<Writable> {
  try {
    return (await open(path, OUTPUT_FLAGS, 0o600)).createWriteStream();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ELOOP' ? 'it is a symbolic link, which is not followed' : (code ?? (e as Error).message);
    throw new Error(`cannot write ${path}: ${why}`, { cause: e });
  }
}

/**
 * Starts the drain, takes the baseline, opens the output, then runs `body` until SIGINT,
 * SIGTERM or --duration; closes everything however it ends. Throws one-line Errors.
 */
async function withExport(req: ExportRequest, body: (s: ExportSession) => Promise<void>): Promise<void> {
  const { name, procDir, output } = req;
  const drain = openDrain({ procDir, names: [name] });
  try {
    // Baseline first (the drain's totals: `stats` at open or a newer sample), then the start
    // instant rounded up, so no packet of an exported window is in the baseline.
    const st = drain.status().find((s) => s.name === name);
    if (st === undefined || st.error !== null)
      throw new Error(st?.error ?? `counter set ${name} went away as the export started`);
    const base = { frames: st.totalFrames, bytes: st.totalBytes };
    const startNs = (BigInt(Date.now()) + 1n) * 1_000_000n;

    const out = output !== undefined ? await openOutput(output) : process.stdout;
    const warn = (line: string) => process.stderr.write(`pktstat-top: ${name}: ${line}\n`);
    await withLifetime({ signals: ['SIGINT', 'SIGTERM'], durationMs: req.durationMs }, (stop) =>
      body({ feed: drain, name, out, origin: { startNs, base }, stop, warn }),
    );
    if (out !== process.stdout) {
      out.end();
      await once(out, 'finish');
    }
  } finally {
    drain.stop();
  }
}

interface ExportOptions {
  readonly feed: Feed;
  readonly name: string;
  readonly out: Writable;
  /** CLOCK_REALTIME (ns) when the export started, rows begin with the next window; and the
   * cumulative counters then (SetStatus.totalFrames). */
  readonly origin: Origin;
  /** Aborted by SIGINT/SIGTERM or when --duration is over. */
  readonly stop: AbortSignal;
  /** Told, one line each, of drain errors for the set (the export goes on). */
  readonly warn?: (line: string) => void;
  readonly tickMs?: number;
  /** What is written; the windows (CSV_HEADER rows) when absent. */
  readonly format?: RowFormat;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function write(out: Writable, text: string): Promise<void> {
  if (text !== '' && !out.write(text)) await once(out, 'drain');
}

/** Resolves once every complete row is written; rejects with a one-line Error. */
export async function runExport(o: ExportOptions): Promise<void> {
  const tickMs = o.tickMs ?? 50;
  const format = o.format ?? WINDOWS;
  let tiler: Tiler | null = null;
  let line: ((row: Row) => string) | null = null;
  const find = (): SetStatus | undefined => o.feed.status().find((s) => s.name === o.name);

  const step = (st: SetStatus): string => {
    tiler ??= new Tiler(st.periodNs, o.origin);
    line ??= format.start(st.periodNs);
    let text = '';
    // Status before take: every window ending by lastReadStartNs is then either in the
    // batch taken below, or idle, or dropped (and announced: `# lost K`, or queueOwedLost).
    for (const b of o.feed.take()) if (b.name === o.name) for (const r of tiler.feed(b)) text += line(r);
    for (const r of tiler.idleUntil(st)) text += line(r);
    return text;
  };

  const checkEvents = () => {
    for (const ev of o.feed.events()) {
      if (ev.type === 'removed' && ev.name === o.name)
        throw new Error(`counter set ${o.name} was removed: its rules are gone`);
      if (ev.type === 'error' && (ev.name === o.name || ev.name === null)) o.warn?.(ev.message);
    }
  };

  await write(o.out, format.header);
  while (!o.stop.aborted) {
    checkEvents();
    const st = find();
    if (st !== undefined) await write(o.out, step(st));
    await sleep(tickMs);
  }
  // Final take after the drain thread's next read, so the last windows that ended are included.
  const before = find();
  if (before === undefined) return;
  const limitMs = Math.max(2000, Number((before.drainIntervalNs * 2n) / 1_000_000n));
  const deadline = Date.now() + limitMs;
  let st = before;
  while (Date.now() < deadline) {
    st = find() ?? st;
    if (st.reads > before.reads) break;
    await sleep(5);
  }
  await write(o.out, step(st));
}
