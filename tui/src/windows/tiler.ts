// Turns a counter set's samples (cumulative counters at the end of windows that saw traffic)
// into rows that tile time: one per window, zero rows for idle windows (or one zero row per
// idle run), one row spanning a stretch whose detail was lost. Row objects hold exact bigint
// ns; a sink takes the rows without objects or bigints, time as window numbers (start / period,
// exact in a number), for the live dashboard and the exporter.
import type { SampleBatch, SetStatus } from '../../../addon/types.js';

export interface Row {
  readonly startNs: bigint;
  readonly endNs: bigint;
  readonly frames: bigint;
  readonly bytes: bigint;
  /** Samples whose detail is missing inside this row (0 for an exact window). */
  readonly lost: bigint;
}

export interface Counters {
  readonly frames: bigint;
  readonly bytes: bigint;
}

const U64 = (1n << 64n) - 1n;
/** Growth of an unsigned 64-bit counter, correct across a wrap (masked only then: it runs per sample). */
export const delta = (now: bigint, before: bigint): bigint => (now >= before ? now - before : (now - before) & U64);

/** Where the rows of an export begin: the instant it started and the counters then. */
export interface Origin {
  readonly startNs: bigint;
  readonly base: Counters;
}

/**
 * How idle runs come out: every idle window as a zero row (null), only the last N of a run
 * (a bounded view does not need the rest), or 'bulk': one zero row spanning the whole run, for
 * consumers that count windows rather than draw them (at 100 us, 10,000 idle windows a second).
 */
type IdleRows = number | 'bulk' | null;

/**
 * What the drain says of a set's windows without a sample (SetStatus): those that ended by
 * lastReadStartNs were idle, unless the native queue dropped samples it has not announced yet
 * (queueOwedLost): until the next sample announces the loss, those windows are not known idle.
 * The kernel needs no such wait: a `stream` reader that was lapped gets `# lost K` in the same
 * read as the samples after the loss.
 */
export type ReadProgress = Pick<SetStatus, 'lastReadStartNs' | 'queueOwedLost'>;

/**
 * Where a tiling's rows go without being made into objects: the window number a row starts at
 * and how many windows it spans, its growth as the high and low 32 bits of the 64-bit
 * difference (exact across a wrap, no bigint made per sample), and the samples lost inside it
 * (exact below 2^53: centuries of samples).
 */
export type RowSink = (
  startWindow: number,
  windows: number,
  framesHi: number,
  framesLo: number,
  bytesHi: number,
  bytesLo: number,
  lost: number,
) => void;

const TWO32 = 4294967296;
/** A growth's parts as a number: exact below 2^53, which a row's growth never nears. */
export const partsNumber = (hi: number, lo: number): number => hi * TWO32 + lo;

/**
 * A Row (on the period's grid) as the numbers the sink-fed consumers take: its first window's
 * number, its span in windows, frames, bytes and samples lost (a row's figures are far below 2^53).
 */
export const rowNumbers = (r: Row, periodNs: bigint): [number, number, number, number, number] => [
  Number(r.startNs / periodNs),
  Number((r.endNs - r.startNs) / periodNs),
  Number(r.frames),
  Number(r.bytes),
  Number(r.lost),
];
const partsBigint = (hi: number, lo: number): bigint => (BigInt(hi) << 32n) | BigInt(lo);

/** A BigUint64Array's values as 32-bit halves, low first (the addon runs little-endian only). */
const halves = (a: BigUint64Array): Uint32Array => new Uint32Array(a.buffer, a.byteOffset, a.length * 2);

export class Tiler {
  /**
   * Window number the next row starts at, and the latest cumulative counters as 32-bit halves;
   * `known` false until there are any (the first sample when there is no origin). A number from
   * the start, never null: a field that once held null would box every number stored in it.
   */
  private next = 0;
  private known: boolean;
  private framesHi = 0;
  private framesLo = 0;
  private bytesHi = 0;
  private bytesLo = 0;
  private started = false;

  /**
   * @param origin rows begin with the first window starting at or after origin.startNs, and
   *   origin.base holds the counters before it (samples of earlier windows replace it);
   *   null: rows begin after the first sample, which only sets the baseline
   * @param keepIdle how idle runs come out (see IdleRows); an export leaves it unset
   */
  constructor(
    readonly periodNs: bigint,
    origin: Origin | null,
    private readonly keepIdle: IdleRows = null,
  ) {
    this.known = origin !== null;
    if (origin !== null) {
      this.next = Number((origin.startNs + periodNs - 1n) / periodNs);
      this.framesHi = Number(origin.base.frames >> 32n);
      this.framesLo = Number(origin.base.frames & 0xffffffffn);
      this.bytesHi = Number(origin.base.bytes >> 32n);
      this.bytesLo = Number(origin.base.bytes & 0xffffffffn);
    }
  }

  get nextStartNs(): bigint | null {
    return this.known ? BigInt(this.next) * this.periodNs : null;
  }

  /** Latest cumulative counters known. */
  get counters(): Counters | null {
    if (!this.known) return null;
    return { frames: partsBigint(this.framesHi, this.framesLo), bytes: partsBigint(this.bytesHi, this.bytesLo) };
  }

  /** Rows completed by one batch of samples, oldest first. */
  feed(batch: SampleBatch): Row[] {
    const rows: Row[] = [];
    this.tile(batch, rowsInto(rows, this.periodNs));
    return rows;
  }

  /** The rows completed by one batch of samples, oldest first, into `sink`. */
  tile(batch: SampleBatch, sink: RowSink): void {
    const w = batch.windows;
    const f = halves(batch.frames);
    const b = halves(batch.bytes);
    const l = halves(batch.lostBefore);
    for (let i = 0; i < w.length; i++) {
      const start = w[i];
      const end = start + 1;
      const j = 2 * i;
      if (!this.known) {
        this.next = end;
        this.setBase(f, b, j);
        continue;
      }
      if (start < this.next) {
        // A window before the first row only sets the baseline. After rows began, a drain
        // that keeps its promise never delivers a window already closed as idle; if one did,
        // its growth goes into the next row (the baseline stays) so sums remain exact.
        if (!this.started) this.setBase(f, b, j);
        continue;
      }
      // Growth modulo 2^64 in halves: a borrow from the low half comes off the high one.
      let fLo = f[j] - this.framesLo;
      let fHi = f[j + 1] - this.framesHi;
      if (fLo < 0) {
        fLo += TWO32;
        fHi -= 1;
      }
      let bLo = b[j] - this.bytesLo;
      let bHi = b[j + 1] - this.bytesHi;
      if (bLo < 0) {
        bLo += TWO32;
        bHi -= 1;
      }
      fHi >>>= 0;
      bHi >>>= 0;
      if (l[j] !== 0 || l[j + 1] !== 0) {
        sink(this.next, end - this.next, fHi, fLo, bHi, bLo, partsNumber(l[j + 1], l[j]));
      } else {
        this.idleTo(start, sink);
        sink(start, 1, fHi, fLo, bHi, bLo, 0);
      }
      this.next = end;
      this.setBase(f, b, j);
      this.started = true;
    }
  }

  private setBase(f: Uint32Array, b: Uint32Array, j: number): void {
    this.framesLo = f[j];
    this.framesHi = f[j + 1];
    this.bytesLo = b[j];
    this.bytesHi = b[j + 1];
    this.known = true;
  }

  /** Zero rows for the windows the drain's progress shows idle (in bulk: one). */
  idleUntil(read: ReadProgress): Row[] {
    const rows: Row[] = [];
    this.idleInto(read, rowsInto(rows, this.periodNs));
    return rows;
  }

  /** idleUntil's rows into `sink` (one bigint division a call, none per window). */
  idleInto(read: ReadProgress, sink: RowSink): void {
    if (!this.known || read.queueOwedLost !== 0n) return;
    // Windows below this number ended at or before lastReadStartNs (>= 0: no rounding up).
    this.idleTo(Number(read.lastReadStartNs / this.periodNs), sink);
  }

  /** Zero rows from the next row's start up to window `to`. */
  private idleTo(to: number, sink: RowSink): void {
    let t = this.next;
    if (to <= t) return;
    if (this.keepIdle === 'bulk') {
      sink(t, to - t, 0, 0, 0, 0, 0);
    } else {
      if (this.keepIdle !== null && to - t > this.keepIdle) t = to - this.keepIdle;
      for (; t < to; t++) sink(t, 1, 0, 0, 0, 0, 0);
    }
    this.next = to;
    this.started = true;
  }
}

/** A sink that makes Row objects, exact bigint ns, into `rows`. */
function rowsInto(rows: Row[], periodNs: bigint): RowSink {
  return (startWindow, windows, fHi, fLo, bHi, bLo, lost) => {
    const startNs = BigInt(startWindow) * periodNs;
    rows.push({
      startNs,
      endNs: startNs + BigInt(windows) * periodNs,
      frames: partsBigint(fHi, fLo),
      bytes: partsBigint(bHi, bLo),
      lost: BigInt(lost),
    });
  };
}
