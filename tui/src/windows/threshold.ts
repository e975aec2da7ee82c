// Thresholds as SPEC section 4 defines them: a rate in pps or bps, compared with each window
// exactly, in integers. One definition for the dashboard, both exports and the exporter.

type RateUnit = 'pps' | 'bps';

interface Threshold {
  readonly unit: RateUnit;
  /** The rate in units per second, times 10^9, so up to nine decimals stay exact. */
  readonly rateNano: bigint;
  /** As given, e.g. "33kpps", "1.5Mbps". */
  readonly text: string;
}

/** At most one threshold per unit; a window is hot when it exceeds any of them. */
export interface Thresholds {
  readonly pps: Threshold | null;
  readonly bps: Threshold | null;
}

export const NO_THRESHOLDS: Thresholds = { pps: null, bps: null };

const NANO = 1_000_000_000n;
const PREFIX: Readonly<Record<string, bigint>> = { '': 1n, k: 1_000n, M: 1_000_000n, G: 1_000_000_000n };
const RATE_RE = /^(\d{1,15})(?:\.(\d{1,9}))?([kMG]?)(pps|bps)$/;

/** Parses "50kpps", "800Mbps", "1.5Gbps"; throws a one-line Error naming the text and why. */
export function parseThreshold(text: string): Threshold {
  const m = RATE_RE.exec(text.trim());
  if (m === null) {
    throw new Error(
      `threshold '${text}': expected a rate such as 50kpps or 800Mbps (a number, then k, M or G, then pps or bps)`,
    );
  }
  const [, whole, fraction = '', prefix, unit] = m;
  const rateNano = (BigInt(whole) * NANO + BigInt(fraction.padEnd(9, '0'))) * PREFIX[prefix];
  return { unit: unit as RateUnit, rateNano, text: text.trim() };
}

/** Several --threshold values, at most one per unit; throws a one-line Error otherwise. */
export function parseThresholds(texts: readonly string[]): Thresholds {
  let pps: Threshold | null = null;
  let bps: Threshold | null = null;
  for (const text of texts) {
    const t = parseThreshold(text);
    const previous = t.unit === 'pps' ? pps : bps;
    if (previous !== null) {
      throw new Error(
        `threshold '${text}': a ${t.unit} threshold is already set (${previous.text}); give one per unit`,
      );
    }
    if (t.unit === 'pps') pps = t;
    else bps = t;
  }
  return { pps, bps };
}

export function hasThresholds(t: Thresholds): boolean {
  return t.pps !== null || t.bps !== null;
}

/**
 * Per-window limits for a period: a window is hot when frames > limits.frames or bytes >
 * limits.bytes. Exact, since for integers frames × 10⁹ > rate × P ⇔ frames > ⌊rate × P / 10⁹⌋
 * (and for bps, 8 × bytes × 10⁹ > rate × P ⇔ bytes > ⌊rate × P / (8 × 10⁹)⌋).
 */
interface WindowLimits {
  readonly frames: bigint | null;
  readonly bytes: bigint | null;
}

export function windowLimits(t: Thresholds, periodNs: bigint): WindowLimits {
  return {
    frames: t.pps === null ? null : (t.pps.rateNano * periodNs) / (NANO * NANO),
    bytes: t.bps === null ? null : (t.bps.rateNano * periodNs) / (8n * NANO * NANO),
  };
}

/**
 * The same limits as numbers (Infinity where no threshold), for number-valued windows and for
 * drawing. Exact for windows below 2^53: a limit that large rounds to at least 2^53.
 */
export function windowLimitsNumber(t: Thresholds, periodNs: bigint): { frames: number; bytes: number } {
  const l = windowLimits(t, periodNs);
  return {
    frames: l.frames === null ? Infinity : Number(l.frames),
    bytes: l.bytes === null ? Infinity : Number(l.bytes),
  };
}

/** The rates per second as numbers (frames/s, and bytes/s for a bps threshold), null where none. */
export function ratesPerSecond(t: Thresholds): { frames: number | null; bytes: number | null } {
  return {
    frames: t.pps === null ? null : Number(t.pps.rateNano) / 1e9,
    bytes: t.bps === null ? null : Number(t.bps.rateNano) / 8e9,
  };
}

/** "33kpps 800Mbps", or "" when none is set. */
export function formatThresholds(t: Thresholds): string {
  return [t.pps, t.bps]
    .filter((x): x is Threshold => x !== null)
    .map((x) => x.text)
    .join(' ');
}
