// Reads a CSV written by `--export csv` back into rows for `--replay`.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { PERIOD_MIN_NS } from '../../../addon/limits.js';
import { printable, QUOTED_MAX } from '../args/printable.js';
import { CSV_HEADER } from './export.js';
import type { Row } from '../windows/tiler.js';

interface Replay {
  readonly rows: Row[];
  /** The width of the exact (lost = 0) windows. */
  readonly periodNs: bigint;
}

/** A replay file: its rows, and its name as the dashboard shows it (control characters as '?'). */
interface ReplayFile extends Replay {
  /** The set's name: the file's, without `.csv`. */
  readonly name: string;
  readonly fileName: string;
}

const U64_MAX = (1n << 64n) - 1n;

/** Parses CSV text; throws `LABEL line N: problem` for the first bad line. `label` is shown as given. */
export function parseReplay(text: string, label: string): Replay {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) throw new Error(`${label}: empty file, expected the header ${CSV_HEADER.trim()}`);
  if (lines[0].replace(/\r$/, '') !== CSV_HEADER.trim())
    throw new Error(`${label} line 1: expected the header ${CSV_HEADER.trim()}`);
  const rows: Row[] = [];
  let periodNs: bigint | null = null;
  let periodLine = 2;
  for (let i = 1; i < lines.length; i++) {
    const where = `${label} line ${i + 1}`;
    const fields = lines[i].replace(/\r$/, '').split(',');
    if (fields.length !== 5) throw new Error(`${where}: expected 5 fields, found ${fields.length}`);
    const v = fields.map((f, k) => {
      if (!/^\d+$/.test(f))
        throw new Error(`${where}: field ${k + 1} '${printable(f, QUOTED_MAX)}' is not an unsigned integer`);
      const n = BigInt(f);
      if (n > U64_MAX) throw new Error(`${where}: field ${k + 1} exceeds 2^64-1`);
      return n;
    });
    const [startNs, endNs, frames, bytes, lost] = v;
    if (endNs <= startNs) throw new Error(`${where}: end_ns ${endNs} is not after start_ns ${startNs}`);
    const prev = rows[rows.length - 1];
    if (prev !== undefined && startNs !== prev.endNs)
      throw new Error(`${where}: start_ns ${startNs} does not continue the previous row's end_ns ${prev.endNs}`);
    if (lost === 0n) {
      if (periodNs === null) {
        periodNs = endNs - startNs;
        periodLine = i + 1;
      } else if (endNs - startNs !== periodNs)
        throw new Error(`${where}: window of ${endNs - startNs} ns, earlier windows are ${periodNs} ns`);
    }
    rows.push({ startNs, endNs, frames, bytes, lost });
  }
  if (rows.length === 0) throw new Error(`${label}: no rows after the header`);
  const P = periodNs ?? rows[0].endNs - rows[0].startNs;
  // SPEC 1's shortest period: anything finer is no export of a set.
  if (P < PERIOD_MIN_NS)
    throw new Error(`${label} line ${periodLine}: windows of ${P} ns: the shortest period is 1 µs`);
  // Windows are numbered start / period: an export's rows lie on that grid, and so must these.
  const off = rows.findIndex((r) => r.startNs % P !== 0n || r.endNs % P !== 0n);
  if (off >= 0)
    throw new Error(
      `${label} line ${off + 2}: row ${rows[off].startNs}..${rows[off].endNs} is not on the ${P} ns windows' grid`,
    );
  return { rows, periodNs: P };
}

export function readReplay(path: string): ReplayFile {
  const shown = printable(path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read replay file ${shown}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, {
      cause: e,
    });
  }
  return {
    ...parseReplay(text, shown),
    name: printable(basename(path, '.csv')),
    fileName: printable(basename(path)),
  };
}
