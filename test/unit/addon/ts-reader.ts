// Plain-TypeScript reader of a counter set's `stream` file with the parser semantics of
// addon/src/parser.cc, written apart from it: the parse tests check the native parser against
// it, and bench/addon/addon-bench.ts measures the native drain thread against it. It reads only
// files the tests write: the native drain's bounds on hostile files (hostile.test.ts) are not its.
import { closeSync, openSync, readSync } from 'node:fs';

const NL = 0x0a;
const SPACE = 0x20;
const ZERO = 0x30;
const HEADER = Buffer.from('# timestamp frames bytes');
const LOST = Buffer.from('# lost ');
const U64_MAX = (1n << 64n) - 1n;
const E15 = 10n ** 15n;
const MAX_WINDOW = 1n << 53n;
const READ_CHUNK = 64 * 1024;

/** One round: every sample read since the previous round, up to EOF, as columns. */
export interface TsRound {
  /** Window numbers (timestamp / period), as the addon's SampleBatch.windows. */
  readonly windows: Float64Array;
  readonly frames: BigUint64Array;
  readonly bytes: BigUint64Array;
  readonly lostBefore: BigUint64Array;
  /** Sum of the `# lost K` lines attached to samples of this round. */
  readonly kernelLost: bigint;
  /** First malformed line of the round, as the native drain thread words it after `stream: `. */
  readonly error: string | null;
}

/** Parses bytes [start, end) as a decimal u64; undefined on empty, non-digit or overflow. */
export function parseU64(buf: Uint8Array, start: number, end: number): bigint | undefined {
  const len = end - start;
  if (len === 0 || len > 20) return undefined;
  // Numbers hold 15 digits exactly; longer values are two exact halves joined as bigint.
  const split = Math.max(start, end - 15);
  let hi = 0;
  for (let i = start; i < split; i++) {
    const d = buf[i]! - ZERO;
    if (d < 0 || d > 9) return undefined;
    hi = hi * 10 + d;
  }
  let lo = 0;
  for (let i = split; i < end; i++) {
    const d = buf[i]! - ZERO;
    if (d < 0 || d > 9) return undefined;
    lo = lo * 10 + d;
  }
  const v = split === start ? BigInt(lo) : BigInt(hi) * E15 + BigInt(lo);
  return v > U64_MAX ? undefined : v;
}

const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);

function startsWith(buf: Uint8Array, start: number, end: number, prefix: Uint8Array): boolean {
  if (end - start < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (buf[start + i] !== prefix[i]) return false;
  return true;
}

function quote(buf: Uint8Array, start: number, end: number): string {
  const shown = Math.min(end - start, 48);
  let s = '';
  for (let i = start; i < start + shown; i++) {
    const c = buf[i]!;
    s += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '?';
  }
  return `"${s}${shown < end - start ? '..."' : '"'}`;
}

/** The typed arrays a column grows in: u64s, or window numbers. */
interface ColumnArray<V, A> {
  readonly length: number;
  [i: number]: V;
  set(from: A): void;
  slice(start: number, end: number): A;
}

/** A growable column of one typed array's values. */
class Column<V, A extends ColumnArray<V, A>> {
  #data: A;
  #length = 0;
  constructor(private readonly make: (length: number) => A) {
    this.#data = make(1024);
  }
  push(v: V): void {
    if (this.#length === this.#data.length) {
      const bigger = this.make(this.#data.length * 2);
      bigger.set(this.#data);
      this.#data = bigger;
    }
    this.#data[this.#length++] = v;
  }
  take(): A {
    const out = this.#data.slice(0, this.#length);
    this.#length = 0;
    return out;
  }
}

const u64Column = () => new Column<bigint, BigUint64Array>((n) => new BigUint64Array(n));

/** Parses the text of one open file of a set with period periodNs, round by round, like the native parser. */
class TsStreamParser {
  #headerSeen = false;
  #pendingLost = 0n;
  #roundLost = 0n;
  #error: string | null = null;
  #partial: Uint8Array | undefined;
  readonly #windows = new Column<number, Float64Array>((n) => new Float64Array(n));
  readonly #frames = u64Column();
  readonly #bytes = u64Column();
  readonly #lost = u64Column();

  constructor(readonly periodNs: bigint) {}

  beginRound(): void {
    this.#roundLost = 0n;
    this.#error = null;
  }

  feed(chunk: Uint8Array): void {
    let buf = chunk;
    if (this.#partial) {
      buf = Buffer.concat([this.#partial, chunk]);
      this.#partial = undefined;
    }
    let p = 0;
    while (p < buf.length) {
      const nl = buf.indexOf(NL, p);
      if (nl < 0) {
        // A copy: the caller reuses its buffer.
        this.#partial = Uint8Array.prototype.slice.call(buf, p);
        return;
      }
      this.#line(buf, p, nl);
      p = nl + 1;
    }
  }

  /** Ends the round; text after the last newline waits for the rest of its line. */
  endRound(): TsRound {
    return {
      windows: this.#windows.take(),
      frames: this.#frames.take(),
      bytes: this.#bytes.take(),
      lostBefore: this.#lost.take(),
      kernelLost: this.#roundLost,
      error: this.#error,
    };
  }

  #fail(why: string, buf: Uint8Array, start: number, end: number): void {
    this.#error ??= `${why}: ${quote(buf, start, end)}`;
  }

  #line(buf: Uint8Array, start: number, end: number): void {
    if (!this.#headerSeen) {
      this.#headerSeen = true;
      if (end - start === HEADER.length && startsWith(buf, start, end, HEADER)) return;
      // Reported, then parsed like any line: the header is what is missing, not this line.
      this.#fail('does not start with the header', buf, start, end);
    }
    if (end - start > LOST.length && startsWith(buf, start, end, LOST)) {
      const k = parseU64(buf, start + LOST.length, end);
      if (k === undefined || this.#pendingLost + k > U64_MAX) {
        this.#fail('malformed lost count', buf, start, end);
        return;
      }
      this.#pendingLost += k;
      return;
    }
    const sp1 = buf.indexOf(SPACE, start);
    const sp2 = sp1 >= 0 && sp1 < end ? buf.indexOf(SPACE, sp1 + 1) : -1;
    const ts = sp2 >= 0 && sp2 < end ? parseU64(buf, start, sp1) : undefined;
    const frames = ts !== undefined ? parseU64(buf, sp1 + 1, sp2) : undefined;
    const bytes = frames !== undefined ? parseU64(buf, sp2 + 1, end) : undefined;
    if (ts === undefined || frames === undefined || bytes === undefined) {
      this.#fail('malformed sample line', buf, start, end);
      return;
    }
    if (ts % this.periodNs !== 0n) {
      this.#fail(`timestamp not a multiple of the period ${this.periodNs} ns`, buf, start, end);
      return;
    }
    const window = ts / this.periodNs;
    if (window >= MAX_WINDOW) {
      this.#fail('timestamp beyond 2^53 periods', buf, start, end);
      return;
    }
    this.#windows.push(Number(window));
    this.#frames.push(frames);
    this.#bytes.push(bytes);
    this.#lost.push(this.#pendingLost);
    this.#roundLost = min(this.#roundLost + this.#pendingLost, U64_MAX);
    this.#pendingLost = 0n;
  }
}

/** Keeps one descriptor on a `stream` file and reads on to EOF per round. */
export class TsStreamReader {
  readonly #fd: number;
  readonly #buf = Buffer.allocUnsafe(READ_CHUNK);
  readonly #parser: TsStreamParser;

  constructor(path: string, periodNs: bigint) {
    this.#fd = openSync(path, 'r');
    this.#parser = new TsStreamParser(periodNs);
  }

  read(): TsRound {
    this.#parser.beginRound();
    for (;;) {
      const n = readSync(this.#fd, this.#buf, 0, this.#buf.length, null);
      if (n === 0) break;
      this.#parser.feed(this.#buf.subarray(0, n));
    }
    return this.#parser.endRound();
  }

  close(): void {
    closeSync(this.#fd);
  }
}
