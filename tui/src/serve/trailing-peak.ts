// The largest window that ended within a trailing interval, on the exporter's clock: maxima per
// second in a ring, so a scrape only reads (several Prometheus servers may scrape, and none
// resets what another sees). Resolution is one second.

const NS_PER_S = 1_000_000_000n;

export class TrailingPeak {
  readonly #seconds: number;
  readonly #periodNs: bigint;
  /** Which second each slot holds (-1: none yet), and that second's largest window. */
  readonly #tag: number[];
  readonly #frames: number[];
  readonly #bytes: number[];
  /**
   * The second the latest window ended in, as the window numbers whose end falls in it:
   * [first, beyond). A window in the same second needs no bigint; the bounds are exact (made
   * in bigint when the second changes), whether or not the period divides a second.
   */
  #slot = 0;
  #slotFirst = 0;
  #slotBeyond = 0;

  constructor(intervalSeconds: number, periodNs: bigint) {
    this.#seconds = intervalSeconds;
    this.#periodNs = periodNs;
    this.#tag = new Array<number>(intervalSeconds).fill(-1);
    this.#frames = new Array<number>(intervalSeconds).fill(0);
    this.#bytes = new Array<number>(intervalSeconds).fill(0);
  }

  /**
   * One window whose end (CLOCK_REALTIME) is window number endWindow × the period. Idle windows
   * need no call: 0 is the floor.
   */
  record(endWindow: number, frames: number, bytes: number): void {
    if (endWindow < this.#slotFirst || endWindow >= this.#slotBeyond) {
      const P = this.#periodNs;
      const second = (BigInt(endWindow) * P) / NS_PER_S;
      const s = Number(second);
      const slot = s % this.#seconds;
      // Older than what the slot holds already: out of any interval still to be asked for.
      if (this.#tag[slot] > s) return;
      if (this.#tag[slot] !== s) {
        this.#tag[slot] = s;
        this.#frames[slot] = 0;
        this.#bytes[slot] = 0;
      }
      this.#slot = slot;
      // Ends in [second, second + 1 s): window numbers from ceil(second s / P) on.
      this.#slotFirst = Number((second * NS_PER_S + P - 1n) / P);
      this.#slotBeyond = Number(((second + 1n) * NS_PER_S + P - 1n) / P);
    }
    if (frames > this.#frames[this.#slot]) this.#frames[this.#slot] = frames;
    if (bytes > this.#bytes[this.#slot]) this.#bytes[this.#slot] = bytes;
  }

  /** Largest frames and bytes (each on its own) of windows that ended in the interval before nowNs. */
  peak(nowNs: bigint): { frames: number; bytes: number } {
    const oldest = Number(nowNs / NS_PER_S) - this.#seconds;
    let frames = 0;
    let bytes = 0;
    for (let i = 0; i < this.#seconds; i++) {
      if (this.#tag[i] <= oldest) continue;
      if (this.#frames[i] > frames) frames = this.#frames[i];
      if (this.#bytes[i] > bytes) bytes = this.#bytes[i];
    }
    return { frames, bytes };
  }
}
