// Adds and deletes pktstat rules by running iptables/ip6tables with argument lists (never a
// shell). The exec function is injected so that tests can see the exact argv.
import { execFile } from 'node:child_process';
import { splitArgs } from '../args/argv.js';
import type { Family, RuleSpec } from './validate.js';

interface ExecResult {
  readonly stdout: string;
  readonly stderr: string;
}
/** Resolves on exit status 0, rejects with an ExecError otherwise. */
export type Exec = (file: string, args: readonly string[]) => Promise<ExecResult>;
interface ExecError extends Error {
  code?: number | string;
  stderr?: string;
}

export const execIptables: Exec = (file, args) =>
  new Promise((resolve, reject) => {
    execFile(file, [...args], { encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(Object.assign(err, { stderr }));
      else resolve({ stdout, stderr });
    });
  });

function command(family: Family): string {
  return family === 'ipv6' ? 'ip6tables' : 'iptables';
}

export function addArgv(spec: RuleSpec): string[] {
  const argv = [
    '-A',
    spec.chain,
    ...spec.matches,
    '-m',
    'pktstat',
    '--period',
    spec.period,
    '--samples',
    String(spec.samples),
  ];
  if (spec.name !== null) argv.push('--name', spec.name);
  return argv;
}

/** One line saying why a command failed: its stderr, or what to install when it is missing. */
function failure(file: string, err: ExecError): string {
  if (err.code === 'ENOENT') return `${file} not found: install iptables (apt-get install iptables)`;
  const text = (err.stderr ?? '').trim();
  return text !== '' ? text.split('\n').join(' ') : `${file} failed: ${err.message}`;
}

export async function addRule(spec: RuleSpec, exec: Exec = execIptables): Promise<string | null> {
  const file = command(spec.family);
  try {
    await exec(file, addArgv(spec));
    return null;
  } catch (e) {
    return failure(file, e as ExecError);
  }
}

const TABLES = ['filter', 'mangle', 'raw', 'nat', 'security'];

// pktstat's options, each with its value; its save prints them in this order.
const PKTSTAT_OPTIONS = new Set(['--period', '--samples', '--name']);

/**
 * Whether a rule (its `-S` line split) has a pktstat match of set `name`. A match's options run
 * from its `-m` to the next match or the target, so only `--name` among pktstat's own options
 * names a set: `-m recent --name NAME` is another list, and a quoted comment is one argument.
 */
function usesSet(args: readonly string[], name: string): boolean {
  for (let i = 0; i + 1 < args.length; i++) {
    if (args[i] !== '-m' || args[i + 1] !== 'pktstat') continue;
    for (let j = i + 2; j + 1 < args.length && PKTSTAT_OPTIONS.has(args[j]); j += 2)
      if (args[j] === '--name' && args[j + 1] === name) return true;
  }
  return false;
}

/** A rule of a counter set, as listed and as it is deleted. */
export interface SetRule {
  readonly file: string;
  /** `FILE -t TABLE -A CHAIN …`, the rule as `-S` lists it. */
  readonly shown: string;
  /** The argument list that deletes exactly that rule. */
  readonly argv: readonly string[];
}

/** From one table's `-S` listing, every rule of set `name`; each deleted by its `-A` made `-D`. */
export function setRules(file: string, table: string, listing: string, name: string): SetRule[] {
  const out: SetRule[] = [];
  for (const line of listing.split('\n')) {
    if (!line.startsWith('-A ')) continue;
    let args: string[];
    try {
      args = splitArgs(line);
    } catch {
      continue;
    }
    if (usesSet(args, name))
      out.push({ file, shown: `${file} -t ${table} ${line}`, argv: ['-t', table, '-D', ...args.slice(1)] });
  }
  return out;
}

/** Every rule of set `name` in every table of both families, or a one-line error. */
export async function findSetRules(name: string, exec: Exec = execIptables): Promise<SetRule[] | string> {
  const found: SetRule[] = [];
  let missing = 0;
  for (const file of ['iptables', 'ip6tables']) {
    for (const table of TABLES) {
      let listing: string;
      try {
        listing = (await exec(file, ['-t', table, '-S'])).stdout;
      } catch (e) {
        const err = e as ExecError;
        if (err.code === 'ENOENT') {
          missing++;
          break;
        }
        // A table the kernel does not provide cannot hold our rules.
        if (/can't initialize|does not exist/i.test(err.stderr ?? '')) continue;
        return failure(file, err);
      }
      found.push(...setRules(file, table, listing, name));
    }
  }
  if (missing === 2) return 'iptables not found: install iptables (apt-get install iptables)';
  return found.length === 0 ? `no iptables or ip6tables rule uses the name ${name}` : found;
}

/** Deletes exactly these rules, in order; resolves to an error line or null. */
export async function deleteSetRules(rules: readonly SetRule[], exec: Exec = execIptables): Promise<string | null> {
  for (const r of rules) {
    try {
      await exec(r.file, r.argv);
    } catch (e) {
      return failure(r.file, e as ExecError);
    }
  }
  return null;
}
