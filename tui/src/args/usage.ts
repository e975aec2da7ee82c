// Command-line mistakes, checked here against meow's flag table before meow parses (meow runs
// with its own unknown-flag check off): every mistake is one line that names it (exit 2).
// meow's strict mode (`allowUnknownFlags: false`) is not the check: it prints "Unknown flag"
// and the flag on two lines and exits by itself, throws "The flag --rule can only be set once."
// (exit 1), takes a missing value as '' (`--rule` alone), keeps a stray argument as input, reads
// `--help=x` as false, and calls the option after a value-less one unknown (`--rule --export`).
import type { AnyFlags } from 'meow';

/** A mistake in the command line; main exits with status 2 for it, as iptables does. */
export class UsageError extends Error {}

type FlagSpec = Pick<AnyFlags[string], 'type' | 'isMultiple'>;

const kebab = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * Throws a UsageError for the first unknown option, option without its value, option given
 * twice (unless it may repeat) or stray argument in `args` (process.argv without node and the
 * script). `flags` is the meow flag table, keyed in camelCase as meow wants. Returns the
 * options given, as typed (kebab-case, without the dashes).
 */
export function checkArgs(args: readonly string[], flags: AnyFlags): Set<string> {
  const known = new Map<string, FlagSpec>([
    ['help', { type: 'boolean' }],
    ['version', { type: 'boolean' }],
  ]);
  for (const [name, spec] of Object.entries(flags)) known.set(kebab(name), spec);
  const seen = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      if (i + 1 < args.length) throw new UsageError(`unexpected argument '${args[i + 1]}': see pktstat-top --help`);
      continue;
    }
    if (!arg.startsWith('-') || arg === '-')
      throw new UsageError(`unexpected argument '${arg}': see pktstat-top --help`);
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') ? arg.slice(2, eq < 0 ? undefined : eq) : null;
    const spec = name !== null ? known.get(name) : undefined;
    if (name === null || spec === undefined) {
      const shown = eq < 0 ? arg : arg.slice(0, eq);
      throw new UsageError(`unknown option '${shown}': see pktstat-top --help`);
    }
    if (seen.has(name) && spec.isMultiple !== true) throw new UsageError(`option '--${name}' is given twice`);
    seen.add(name);
    if (spec.type === 'boolean') {
      if (eq >= 0) throw new UsageError(`option '--${name}' takes no value`);
    } else if (eq < 0) {
      const value = args[i + 1];
      // A value that looks like an option is the user forgetting the value.
      if (value === undefined || (value.startsWith('-') && value !== '-'))
        throw new UsageError(`option '--${name}' needs a value`);
      i++;
    }
  }
  return seen;
}
