// Checks a new-rule form with the same rules as SPEC section 1, so that a mistake is
// reported in the form before iptables is ever run.
import { PERIOD_MAX_NS, PERIOD_MIN_NS, SAMPLES_MAX, SAMPLES_MIN, SET_NAME_RE } from '../../../addon/limits.js';
import { parseDuration } from '../args/duration.js';
import { splitArgs } from '../args/argv.js';

export type Family = 'ipv4' | 'ipv6';

/** What the user typed in the add-rule form. */
export interface RuleForm {
  readonly family: string;
  readonly chain: string;
  readonly matches: string;
  readonly period: string;
  readonly samples: string;
  readonly name: string;
}

/** A form that passed validation, ready to become an iptables argument list. */
export interface RuleSpec {
  readonly family: Family;
  readonly chain: string;
  readonly matches: readonly string[];
  readonly period: string;
  readonly periodNs: bigint;
  readonly samples: number;
  readonly name: string | null;
}

export type FieldErrors = Partial<Record<keyof RuleForm, string>>;

// iptables chain names: at most 28 characters, no whitespace, not an option.
const CHAIN_RE = /^[^\s-][^\s]{0,27}$/;

export function validateRule(form: RuleForm): { spec: RuleSpec | null; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const family = form.family.trim();
  if (family !== 'ipv4' && family !== 'ipv6') errors.family = 'family must be ipv4 or ipv6';

  const chain = form.chain.trim();
  if (chain === '') errors.chain = 'chain is required (e.g. INPUT)';
  else if (!CHAIN_RE.test(chain))
    errors.chain = `chain '${chain}': at most 28 characters, no spaces, not starting with '-'`;

  let matches: string[] = [];
  try {
    matches = splitArgs(form.matches);
    if (matches.includes('pktstat')) errors.matches = 'matches must not contain pktstat itself: use the fields below';
  } catch (e) {
    errors.matches = `matches: ${(e as Error).message}`;
  }

  const period = form.period.trim();
  let periodNs = 0n;
  try {
    periodNs = parseDuration(period, { bareUnit: 'ms', units: ['ns', 'us', 'ms', 's'] });
    if (periodNs < PERIOD_MIN_NS || periodNs > PERIOD_MAX_NS)
      errors.period = `period ${period} is out of range 1us .. 1h`;
  } catch (e) {
    errors.period = `period: ${(e as Error).message}`;
  }

  const samplesText = form.samples.trim();
  const samples = /^\d+$/.test(samplesText) ? Number(samplesText) : NaN;
  if (!Number.isSafeInteger(samples)) errors.samples = `samples '${samplesText}' is not a whole number`;
  else if (samples < SAMPLES_MIN || samples > SAMPLES_MAX)
    errors.samples = `samples ${samples} is out of range ${SAMPLES_MIN} .. ${SAMPLES_MAX}`;

  const name = form.name.trim();
  if (name !== '' && !SET_NAME_RE.test(name))
    errors.name = `name '${name}': 1-15 characters of A-Z a-z 0-9 _ . -, not starting with '.'`;

  if (Object.keys(errors).length > 0) return { spec: null, errors };
  return {
    spec: { family: family as Family, chain, matches, period, periodNs, samples, name: name === '' ? null : name },
    errors,
  };
}
