// Human-readable numbers for the dashboard: SI prefixes for counts and rates, and the
// largest time unit that keeps a duration readable.

const PREFIXES = ['', 'k', 'M', 'G', 'T', 'P', 'E'];

/** 999 → "999", 1234 → "1.23k", 1500000 → "1.50M"; three significant digits above 1000. */
export function si(value: number | bigint): string {
  let v = typeof value === 'bigint' ? Number(value) : value;
  if (!Number.isFinite(v)) return '-';
  const sign = v < 0 ? '-' : '';
  v = Math.abs(v);
  if (v < 1000) return sign + (Number.isInteger(v) ? String(v) : v.toPrecision(3).replace(/\.?0+$/, ''));
  let i = 0;
  while (v >= 999.5 && i < PREFIXES.length - 1) {
    v /= 1000;
    i++;
  }
  const digits = v >= 100 ? 0 : v >= 10 ? 1 : 2;
  return `${sign}${v.toFixed(digits)}${PREFIXES[i]}`;
}

const TIME_UNITS: ReadonlyArray<readonly [bigint, string]> = [
  [3_600_000_000_000n, 'h'],
  [60_000_000_000n, 'm'],
  [1_000_000_000n, 's'],
  [1_000_000n, 'ms'],
  [1_000n, 'µs'],
  [1n, 'ns'],
];

/** 250000n → "250µs", 1500000n → "1.5ms", 2000000000n → "2s". */
export function formatNs(ns: bigint): string {
  const neg = ns < 0n;
  const abs = neg ? -ns : ns;
  for (const [scale, unit] of TIME_UNITS) {
    if (abs >= scale || scale === 1n) {
      const whole = abs / scale;
      // One decimal below 100 units, so 1.5ms does not read as 1ms.
      const tenth = whole < 100n ? ((abs % scale) * 10n) / scale : 0n;
      return `${neg ? '-' : ''}${whole}${tenth > 0n ? `.${tenth}` : ''}${unit}`;
    }
  }
  return `${ns}ns`;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** CLOCK_REALTIME ns as local time with microseconds: "2026-11-28 23:00:00.000100". */
export function formatLocalNs(ns: bigint): string {
  const d = new Date(Number(ns / 1_000_000n));
  const micros = Number((ns % 1_000_000_000n) / 1_000n);
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(micros, 6)}`
  );
}
