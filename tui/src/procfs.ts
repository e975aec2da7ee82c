// Reads the module's proc files directly (`stats`, `config`) and turns missing module,
// missing permission and unknown rule names into one-line errors that say what to do.
import { accessSync, constants, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PROC_DIR } from '../../addon/limits.js';

/** `key: value` lines as a map; null when the file cannot be read. */
export function readKeyValues(path: string): Map<string, string> | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) out.set(line.slice(0, i).trim(), line.slice(i + 1).trim());
  }
  return out;
}

/** A bigint field of `stats`/`config`, or null when absent or malformed. */
export function bigField(kv: Map<string, string> | null, key: string): bigint | null {
  const v = kv?.get(key);
  return v !== undefined && /^\d+$/.test(v) ? BigInt(v) : null;
}

/** Throws a one-line Error unless procDir (and each named set in it) can be drained. */
export function checkProcDir(procDir: string, names: readonly string[]): void {
  try {
    if (!statSync(procDir).isDirectory()) throw new Error('not a directory');
  } catch {
    throw new Error(
      procDir === PROC_DIR
        ? `${procDir} is missing: the module is not loaded, run modprobe xt_pktstat (as root)`
        : `${procDir} is missing: load the module (modprobe xt_pktstat) or pass an existing --proc-dir`,
    );
  }
  let present: string[];
  try {
    present = readdirSync(procDir);
  } catch {
    throw new Error(`cannot list ${procDir}: not permitted, run pktstat-top as root`);
  }
  for (const name of names) {
    if (!present.includes(name)) {
      const known =
        present.length > 0 ? `counter sets here: ${present.sort().join(', ')}` : 'no counter sets exist yet';
      throw new Error(
        `unknown rule '${name}': no ${join(procDir, name)} (${known}); add it with iptables -m pktstat --name ${name}`,
      );
    }
  }
  for (const name of names.length > 0 ? names : present) {
    try {
      accessSync(join(procDir, name, 'data'), constants.R_OK);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EACCES' || (e as NodeJS.ErrnoException).code === 'EPERM')
        throw new Error(`cannot read ${join(procDir, name, 'data')}: not permitted, run pktstat-top as root`, {
          cause: e,
        });
    }
  }
}
