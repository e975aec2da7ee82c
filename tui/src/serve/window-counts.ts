// Per-window load counted into histogram buckets, many windows at a time: idle windows come in
// runs (10,000 a second per set at 100 us), so a run is one add(), never one call per window.
import { ExactSum } from '../windows/exact-sum.js';

/** Upper bounds 0, then 2^lo, 2^(lo+1) … 2^hi; index() finds a value's bucket without a scan. */
export class PowerOfTwoBuckets {
  readonly bounds: readonly number[];
  readonly #lo: number;
  readonly #top: number;

  constructor(lo: number, hi: number) {
    this.bounds = [0, ...Array.from({ length: hi - lo + 1 }, (_, i) => 2 ** (lo + i))];
    this.#lo = lo;
    this.#top = 2 ** hi;
  }

  /**
   * The first bucket whose bound is >= value; bounds.length for +Inf. Takes Number(value) of
   * the bigint: exact up to 2^53 and order-preserving beyond, so every comparison with a
   * bound (at most 2^31) is the bigint's (and numbers compare without an allocation).
   */
  index(value: number): number {
    if (value === 0) return 0;
    if (value > this.#top) return this.bounds.length;
    // ceil(log2 value), exact for value <= 2^31.
    const log2 = value === 1 ? 0 : 32 - Math.clz32(value - 1);
    return 1 + Math.max(0, log2 - this.#lo);
  }
}

/** SPEC 5: frames 0, 1, 2, 4 … 2^20 and bytes 0, 64, 128 … 2^30. */
export const FRAME_BUCKETS = new PowerOfTwoBuckets(0, 20);
export const BYTE_BUCKETS = new PowerOfTwoBuckets(6, 30);

export class WindowCounts {
  /** Windows per bucket (not cumulative), the last slot for +Inf. */
  readonly perBucket: number[];
  /** Windows counted. */
  count = 0;
  readonly #sum = new ExactSum();

  constructor(readonly buckets: PowerOfTwoBuckets) {
    this.perBucket = new Array<number>(buckets.bounds.length + 1).fill(0);
  }

  /** Sum of the values counted, exact. */
  get sum(): bigint {
    return this.#sum.value;
  }

  /** One window of `value`, a safe integer (a window's growth): no bigint made. */
  addWindow(value: number): void {
    this.perBucket[this.buckets.index(value)]++;
    this.count++;
    this.#sum.add(value);
  }

  /** `windows` windows of `value` each. */
  add(value: bigint, windows: number): void {
    const n = Number(value);
    this.perBucket[this.buckets.index(n)] += windows;
    this.count += windows;
    if (n === 0) return;
    if (windows === 1 && Number.isSafeInteger(n)) this.#sum.add(n);
    else this.#sum.addBig(value * BigInt(windows));
  }
}
