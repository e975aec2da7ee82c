// A sum of non-negative integers that is exact at any size, yet adds as a number: a bigint
// addition per window would allocate. The number part is folded into a bigint before it could
// leave the safe integers.
export class ExactSum {
  #folded = 0n;
  #recent = 0;

  /** Adds `n`, a non-negative safe integer. */
  add(n: number): void {
    if (this.#recent > Number.MAX_SAFE_INTEGER - n) {
      this.#folded += BigInt(this.#recent);
      this.#recent = 0;
    }
    this.#recent += n;
  }

  /** Adds `v`, of any size. */
  addBig(v: bigint): void {
    this.#folded += v;
  }

  get value(): bigint {
    return this.#folded + BigInt(this.#recent);
  }

  reset(): void {
    this.#folded = 0n;
    this.#recent = 0;
  }
}
