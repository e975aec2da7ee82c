// pktstat-top's command line: checks the arguments, then runs one mode (an export, the
// Prometheus exporter, the live dashboard or the dashboard over a replayed CSV).
import meow, { type Result } from 'meow';
import { PROC_DIR } from '../../../addon/limits.js';
import type { Source } from '../dashboard/app.js';
import { parseDuration } from '../args/duration.js';
import { EXPORT_FORMATS } from '../export/export.js';
import { openDrain } from '../windows/feed.js';
import { ReplayModel } from '../dashboard/model.js';
import { readReplay } from '../export/replay.js';
import { DEFAULT_PORT } from '../serve/listen-address.js';
import { DEFAULT_PEAK_INTERVAL, runServeMode } from '../serve/serve-mode.js';
import { hasThresholds, parseThresholds, type Thresholds } from '../windows/threshold.js';
import { checkArgs, UsageError } from '../args/usage.js';
import { printable } from '../args/printable.js';

const HELP = `
  Usage
    $ pktstat-top                               live dashboard of every counter set
    $ pktstat-top --rule NAME                   the dashboard, focused on one set
    $ pktstat-top --rule NAME --export csv      stream the set's windows as CSV
    $ pktstat-top --serve [HOST:]PORT           Prometheus exporter, no dashboard
    $ pktstat-top --rule NAME --export bursts --threshold RATE   the set's bursts as CSV

  Options
    --rule NAME        watch only counter set NAME (${PROC_DIR}/NAME)
    --export csv       no dashboard: write start_ns,end_ns,frames,bytes,lost rows
    --export bursts    no dashboard: write each burst above --threshold as it ends:
                       start_ns,end_ns,windows,frames,bytes,peak_frames,peak_bytes
    --threshold RATE   a window is hot above RATE, e.g. 50kpps or 800Mbps (k, M, G); once
                       per unit (pps, bps); bursts are runs of hot windows (dashboard,
                       --replay, --export bursts, --serve)
    --output FILE      write the export to FILE instead of stdout
    --duration D       stop after D (e.g. 10s, 500ms, 2m; a bare number is seconds)
    --proc-dir DIR     where the counter sets are (default ${PROC_DIR})
    --replay FILE.csv  the dashboard over an exported CSV (←/→ page through it)
    --serve [HOST:]PORT  answer GET /metrics on HOST (default 127.0.0.1) and PORT
                       (HOST alone: port ${DEFAULT_PORT}; IPv6 as [::1]:PORT)
    --peak-interval D  trailing interval of the exporter's _max gauges (default ${DEFAULT_PEAK_INTERVAL})
    --web.config.file FILE  TLS, client certificates, basic authentication and
                       response headers of --serve, in the Prometheus exporter-toolkit's format
    --help, --version

  Keys: ↑/↓ select, ←/→ page, +/- zoom, t threshold, b bursts, h histogram,
        a add rule, d delete rules, p pause, ? help, q quit
`;

const FLAGS = {
  rule: { type: 'string' },
  export: { type: 'string' },
  output: { type: 'string' },
  duration: { type: 'string' },
  procDir: { type: 'string', default: PROC_DIR },
  replay: { type: 'string' },
  serve: { type: 'string' },
  threshold: { type: 'string', isMultiple: true },
  peakInterval: { type: 'string' },
  // The exporter-toolkit's spelling, which every Prometheus exporter takes.
  'web.config.file': { type: 'string' },
} as const;

type Flags = Result<typeof FLAGS>['flags'];

/** One way of running; the first whose flag is given runs, the dashboard when none is. */
interface Mode {
  /** The flag that selects it, as typed (null: the default mode). */
  readonly flag: string | null;
  readonly label: string;
  /** The other flags it takes; any other flag given with it is a mistake. */
  readonly takes: readonly string[];
  readonly run: (f: Flags, durationMs: number | null, thresholds: Thresholds) => Promise<void>;
}

const MODES: readonly Mode[] = [
  {
    flag: 'export',
    label: '--export',
    takes: ['rule', 'output', 'duration', 'proc-dir', 'threshold'],
    run: runExportMode,
  },
  { flag: 'replay', label: '--replay', takes: ['duration', 'threshold'], run: runReplay },
  {
    flag: 'serve',
    label: '--serve',
    takes: ['rule', 'proc-dir', 'threshold', 'peak-interval', 'duration', 'web.config.file'],
    run: (f, durationMs, thresholds) =>
      runServeMode({ ...f, serve: f.serve ?? '', webConfigFile: webConfigFile(f) }, thresholds, durationMs),
  },
  { flag: null, label: 'the dashboard', takes: ['rule', 'duration', 'proc-dir', 'threshold'], run: runLive },
];

/** --web.config.file: meow's parser reads the dots of a flag as nesting ({ web: { config: { file } } }). */
function webConfigFile(f: Flags): string | undefined {
  return (f as { web?: { config?: { file?: string } } }).web?.config?.file;
}

async function runExportMode(f: Flags, durationMs: number | null, thresholds: Thresholds): Promise<void> {
  const format = f.export ?? '';
  const run = Object.hasOwn(EXPORT_FORMATS, format) ? EXPORT_FORMATS[format] : undefined;
  if (run === undefined)
    throw new UsageError(`--export ${format}: the formats are ${Object.keys(EXPORT_FORMATS).join(', ')}`);
  if (f.rule === undefined) throw new UsageError(`--export ${format} needs --rule NAME: the counter set to export`);
  if (format === 'bursts' && !hasThresholds(thresholds))
    throw new UsageError('--export bursts needs --threshold RATE: bursts are runs of windows above it');
  if (format !== 'bursts' && hasThresholds(thresholds))
    throw new UsageError(`--threshold does not apply to --export ${format}`);
  await run({ name: f.rule, procDir: f.procDir, output: f.output, durationMs, thresholds });
}

async function runReplay(f: Flags, durationMs: number | null, thresholds: Thresholds): Promise<void> {
  const replay = readReplay(f.replay ?? '');
  const model = new ReplayModel(replay.name, replay.rows, replay.periodNs, thresholds);
  await dashboard({ kind: 'replay', model, label: replay.fileName }, undefined, durationMs, thresholds, () => {});
}

async function runLive(f: Flags, durationMs: number | null, thresholds: Thresholds): Promise<void> {
  const drain = openDrain({ procDir: f.procDir, names: f.rule !== undefined ? [f.rule] : undefined });
  const source: Source = { kind: 'live', feed: drain };
  await dashboard(source, f.rule, durationMs, thresholds, () => drain.stop());
}

async function dashboard(
  source: Source,
  focus: string | undefined,
  durationMs: number | null,
  thresholds: Thresholds,
  stop: () => void,
) {
  try {
    // After opening the source, so that a missing module or a bad file is what gets reported.
    if (!process.stdin.isTTY)
      throw new Error('the dashboard needs a terminal on stdin: run it in a terminal, or use --export csv');
    // Ink draws only its last frame when CI is set; on a terminal the dashboard must be live,
    // and Ink reads the variables when it loads.
    process.env.CI = 'false';
    process.env.CONTINUOUS_INTEGRATION = 'false';
    // Ink and React load only here: they take a second to load, and exports do without them.
    const { runDashboard } = await import('../dashboard/dashboard.js');
    await runDashboard({ source, focus, color: (process.env.NO_COLOR ?? '') === '', durationMs, thresholds });
  } finally {
    stop();
  }
}

async function main(): Promise<void> {
  const given = checkArgs(process.argv.slice(2), FLAGS);
  // Checked above, in today's words: meow's own check of unknown flags stays off (usage.ts).
  const f = meow(HELP, { importMeta: import.meta, flags: FLAGS, allowUnknownFlags: true }).flags;
  const chosen = MODES.filter((m) => m.flag !== null && given.has(m.flag));
  if (chosen.length > 1) throw new UsageError(`${chosen[0].label} and ${chosen[1].label} cannot be combined`);
  const mode = chosen[0] ?? MODES[MODES.length - 1];
  for (const flag of given)
    if (flag !== mode.flag && !mode.takes.includes(flag) && flag !== 'help' && flag !== 'version')
      throw new UsageError(`--${flag} does not apply to ${mode.label}`);
  let durationMs: number | null = null;
  if (f.duration !== undefined) {
    try {
      durationMs = Number(parseDuration(f.duration, { bareUnit: 's' }) / 1_000_000n);
    } catch (e) {
      throw new UsageError(`--duration ${(e as Error).message}`, { cause: e });
    }
  }
  let thresholds: Thresholds;
  try {
    thresholds = parseThresholds(f.threshold ?? []);
  } catch (e) {
    throw new UsageError(`--${(e as Error).message}`, { cause: e });
  }
  await mode.run(f, durationMs, thresholds);
}

main().catch((e: NodeJS.ErrnoException) => {
  // A reader that closed the pipe (`| head`) ended the export; that is not an error.
  if (e.code === 'EPIPE') return;
  // Whatever text an error carries (a file's name or contents), the terminal gets no control character.
  process.stderr.write(`pktstat-top: ${printable(e.message.split('\n')[0])}\n`);
  process.exitCode = e instanceof UsageError ? 2 : 1;
});
