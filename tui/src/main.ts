// pktstat-top: the dashboard (live or over a replayed CSV) or `--export csv`.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { basename, join } from 'node:path';
import type { Writable } from 'node:stream';
import meow from 'meow';
import type { Source } from './app.js';
import { parseDuration } from './duration.js';
import { openDrain } from './feed.js';
import { runExport } from './export.js';
import { replaySnapshot } from './model.js';
import { bigField, DEFAULT_PROC_DIR, readKeyValues } from './procfs.js';
import { readReplay } from './replay.js';

const cli = meow(
  `
  Usage
    $ pktstat-top                               live dashboard of every counter set
    $ pktstat-top --rule NAME                   the dashboard, focused on one set
    $ pktstat-top --rule NAME --export csv      stream the set's windows as CSV

  Options
    --rule NAME        watch only counter set NAME (/proc/net/xt_pktstat/NAME)
    --export csv       no dashboard: write start_ns,end_ns,frames,bytes,lost rows
    --output FILE      write the export to FILE instead of stdout
    --duration D       stop after D (e.g. 10s, 500ms, 2m; a bare number is seconds)
    --proc-dir DIR     where the counter sets are (default ${DEFAULT_PROC_DIR})
    --replay FILE.csv  the dashboard over an exported CSV (←/→ page through it)
    --help, --version

  Keys: ↑/↓ select, ←/→ page, +/- zoom, a add rule, d delete rules, p pause, ? help, q quit
`,
  {
    importMeta: import.meta,
    flags: {
      rule: { type: 'string' },
      export: { type: 'string' },
      output: { type: 'string' },
      duration: { type: 'string' },
      procDir: { type: 'string', default: DEFAULT_PROC_DIR },
      replay: { type: 'string' },
    },
  },
);

/** Resolves to the exit status. */
async function main(): Promise<number> {
  const f = cli.flags;
  if (cli.input.length > 0) throw new Error(`unexpected argument '${cli.input[0]}': see pktstat-top --help`);
  let durationMs: number | null = null;
  if (f.duration !== undefined) {
    try {
      durationMs = Number(parseDuration(f.duration, { bareUnit: 's' }) / 1_000_000n);
    } catch (e) {
      throw new Error(`--duration ${(e as Error).message}`, { cause: e });
    }
  }
  const procDir = f.procDir;

  if (f.export !== undefined) {
    if (f.export !== 'csv') throw new Error(`--export ${f.export}: the only format is csv`);
    if (f.rule === undefined) throw new Error('--export csv needs --rule NAME: the counter set to export');
    if (f.replay !== undefined) throw new Error('--export and --replay cannot be combined');
    return exportCsv(f.rule, procDir, f.output, durationMs);
  }
  if (f.output !== undefined) throw new Error('--output only applies to --export csv');

  let source: Source;
  let stop = () => {};
  if (f.replay !== undefined) {
    const replay = readReplay(f.replay);
    const snapshot = replaySnapshot(basename(f.replay, '.csv'), replay.rows, replay.periodNs);
    source = { kind: 'replay', snapshot, label: basename(f.replay) };
  } else {
    const drain = openDrain({ procDir, names: f.rule !== undefined ? [f.rule] : undefined });
    stop = () => drain.stop();
    source = { kind: 'live', feed: drain, procDir };
  }
  // After the checks above, so that a missing module or a bad file is what gets reported.
  if (!process.stdin.isTTY) {
    stop();
    throw new Error('the dashboard needs a terminal on stdin: run it in a terminal, or use --export csv');
  }
  try {
    // Ink draws only its last frame when CI is set; on a terminal the dashboard must be live,
    // and Ink reads the variables when it loads.
    process.env.CI = 'false';
    process.env.CONTINUOUS_INTEGRATION = 'false';
    // Ink and React load only here: they take a second to load, and exports do without them.
    const { runDashboard } = await import('./dashboard.js');
    await runDashboard({ source, focus: f.rule, color: (process.env.NO_COLOR ?? '') === '', durationMs });
  } finally {
    stop();
  }
  return 0;
}

async function exportCsv(
  name: string,
  procDir: string,
  output: string | undefined,
  durationMs: number | null,
): Promise<number> {
  const drain = openDrain({ procDir, names: [name] });
  try {
    // Baseline first, then the start instant rounded up, so no packet of an exported window
    // is in the baseline.
    const stats = readKeyValues(join(procDir, name, 'stats'));
    const frames = bigField(stats, 'frames');
    const bytes = bigField(stats, 'bytes');
    if (frames === null || bytes === null)
      throw new Error(`cannot read frames and bytes from ${join(procDir, name, 'stats')}`);
    const startNs = (BigInt(Date.now()) + 1n) * 1_000_000n;

    let out: Writable = process.stdout;
    if (output !== undefined) {
      const file = createWriteStream(output);
      try {
        await once(file, 'open');
      } catch (e) {
        throw new Error(`cannot write ${output}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, {
          cause: e,
        });
      }
      out = file;
    }
    const ctl = new AbortController();
    const onSignal = () => ctl.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const timer = durationMs !== null ? setTimeout(onSignal, durationMs) : null;
    try {
      const warn = (line: string) => process.stderr.write(`pktstat-top: ${name}: ${line}\n`);
      const statsPath = join(procDir, name, 'stats');
      await runExport({
        feed: drain,
        name,
        out,
        origin: { startNs, base: { frames, bytes } },
        stop: ctl.signal,
        kernelDropped: () => bigField(readKeyValues(statsPath), 'lost'),
        warn,
      });
    } finally {
      if (timer !== null) clearTimeout(timer);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    if (out !== process.stdout) {
      out.end();
      await once(out, 'finish');
    }
  } finally {
    drain.stop();
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: NodeJS.ErrnoException) => {
    // A reader that closed the pipe (`| head`) ended the export; that is not an error.
    if (e.code === 'EPIPE') return;
    process.stderr.write(`pktstat-top: ${e.message.split('\n')[0]}\n`);
    process.exitCode = 1;
  },
);
