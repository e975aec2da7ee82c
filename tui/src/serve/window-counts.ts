// Per-window load counted into histogram buckets, many windows at a time: idle windows come in
// runs (10,000 a second per set at 100 us), so a run is one add(), never one call per window.

/** Upper bounds 0, then 2^lo, 2^(lo+1) … 2^hi; index() finds a value's bucket without a scan. */
export class PowerOfTwoBuckets {
  readonly bounds: readonly number[];
  readonly #lo: number;
  readonly #top: bigint;

  constructor(lo: number, hi: number) {
    this.bounds = [0, ...Array.from({ length: hi - lo + 1 }, (_, i) => 2 ** (lo + i))];
    this.#lo = lo;
    this.#top = 1n << BigInt(hi);
  }

  /** The first bucket whose bound is >= value; bounds.length for +Inf. */
  index(value: bigint): number {
    if (value === 0n) return 0;
    if (value > this.#top) return this.bounds.length;
    const n = Number(value);
    // ceil(log2 n), exact for n <= 2^31.
    const log2 = n === 1 ? 0 : 32 - Math.clz32(n - 1);
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
  /** Sum of their values, exact. */
  sum = 0n;

  constructor(readonly buckets: PowerOfTwoBuckets) {
    this.perBucket = new Array<number>(buckets.bounds.length + 1).fill(0);
  }

  /** `windows` windows of `value` each. */
  add(value: bigint, windows: number): void {
    this.perBucket[this.buckets.index(value)] += windows;
    this.count += windows;
    if (value !== 0n) this.sum += windows === 1 ? value : value * BigInt(windows);
  }
}
