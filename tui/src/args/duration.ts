// Parses durations such as "10s", "500ms", "2m", "100us" into nanoseconds (bigint, exact).

const UNIT_NS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

interface DurationOptions {
  /** Unit of a bare integer; without it a unit is required. */
  readonly bareUnit?: string;
  /** Units accepted (default: all of ns us µs ms s m h). */
  readonly units?: readonly string[];
}

/** Returns nanoseconds, or throws an Error whose message says what is wrong with `text`. */
export function parseDuration(text: string, opts: DurationOptions = {}): bigint {
  const units = opts.units ?? Object.keys(UNIT_NS);
  const m = /^\s*(\d+)\s*([a-zµ]*)\s*$/.exec(text);
  if (!m) throw new Error(`'${text}' is not a duration: use an integer with a unit (${units.join(', ')})`);
  const unit = m[2] === '' ? opts.bareUnit : m[2];
  if (unit === undefined) throw new Error(`'${text}' has no unit: add one of ${units.join(', ')}`);
  if (!units.includes(unit) || UNIT_NS[unit] === undefined)
    throw new Error(`'${text}' has an unknown unit '${unit}': use one of ${units.join(', ')}`);
  return BigInt(m[1]) * UNIT_NS[unit];
}
