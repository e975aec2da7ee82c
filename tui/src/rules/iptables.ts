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

/**
 * From one table's `-S` listing, the `-D` argument lists that delete every rule of set `name`:
 * lines with `-m pktstat` and `--name NAME`, `-A` turned into `-D`, the rest unchanged.
 */
export function deleteArgvs(table: string, listing: string, name: string): string[][] {
  const out: string[][] = [];
  for (const line of listing.split('\n')) {
    if (!line.startsWith('-A ')) continue;
    let args: string[];
    try {
      args = splitArgs(line);
    } catch {
      continue;
    }
    let pktstat = false;
    let named = false;
    for (let i = 0; i + 1 < args.length; i++) {
      if (args[i] === '-m' && args[i + 1] === 'pktstat') pktstat = true;
      if (args[i] === '--name' && args[i + 1] === name) named = true;
    }
    if (pktstat && named) out.push(['-t', table, '-D', ...args.slice(1)]);
  }
  return out;
}

/** Deletes every rule of set `name` in both families; resolves to an error line or null. */
export async function deleteRules(name: string, exec: Exec = execIptables): Promise<string | null> {
  let deleted = 0;
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
      for (const argv of deleteArgvs(table, listing, name)) {
        try {
          await exec(file, argv);
          deleted++;
        } catch (e) {
          return failure(file, e as ExecError);
        }
      }
    }
  }
  if (missing === 2) return 'iptables not found: install iptables (apt-get install iptables)';
  return deleted === 0 ? `no iptables or ip6tables rule uses the name ${name}` : null;
}
