// The bursts the `b` list can show for one set: the `capacity` first in the list's own order
// (biggest peak frames first, ties earliest first) among all that ended, so the list after an
// hour holds the hour's worst bursts. Held in columns of u64, not as objects: a thousand
// bursts for each of 64 sets as objects were hundreds of thousands of objects for V8 to mark
// at every major collection, and the dashboard's collector time grew with them.
import type { Burst } from '../windows/bursts.js';

/** A heap in columns whose root is the kept burst that comes last in the list's order. */
export class KeptBursts {
  #size = 0;
  readonly #startNs: BigUint64Array;
  readonly #endNs: BigUint64Array;
  readonly #windows: Float64Array;
  readonly #frames: BigUint64Array;
  readonly #bytes: BigUint64Array;
  readonly #peakFrames: BigUint64Array;
  readonly #peakBytes: BigUint64Array;

  constructor(readonly capacity: number) {
    this.#startNs = new BigUint64Array(capacity);
    this.#endNs = new BigUint64Array(capacity);
    this.#windows = new Float64Array(capacity);
    this.#frames = new BigUint64Array(capacity);
    this.#bytes = new BigUint64Array(capacity);
    this.#peakFrames = new BigUint64Array(capacity);
    this.#peakBytes = new BigUint64Array(capacity);
  }

  get size(): number {
    return this.#size;
  }

  /** A burst that ended (after every burst added before it): kept if it ranks among the first. */
  add(b: Burst): void {
    if (this.#size < this.capacity) {
      this.#set(this.#size, b);
      this.#up(this.#size++);
    } else if (this.capacity > 0 && b.peakFrames > this.#peakFrames[0]) {
      // An equal peak started later than every kept burst: it ranks below them all.
      this.#set(0, b);
      this.#down(0);
    }
  }

  /** The kept bursts, in no particular order. */
  list(): Burst[] {
    return Array.from({ length: this.#size }, (_, i) => this.#get(i));
  }

  clear(): void {
    this.#size = 0;
  }

  /** Whether kept burst `i` comes after kept burst `j` in the list's order. */
  #after(i: number, j: number): boolean {
    const pi = this.#peakFrames[i];
    const pj = this.#peakFrames[j];
    return pi !== pj ? pi < pj : this.#startNs[i] > this.#startNs[j];
  }

  #up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#after(i, parent)) return;
      this.#swap(i, parent);
      i = parent;
    }
  }

  #down(i: number): void {
    for (;;) {
      const left = 2 * i + 1;
      let last = i;
      if (left < this.#size && this.#after(left, last)) last = left;
      if (left + 1 < this.#size && this.#after(left + 1, last)) last = left + 1;
      if (last === i) return;
      this.#swap(i, last);
      i = last;
    }
  }

  #set(i: number, b: Burst): void {
    this.#startNs[i] = b.startNs;
    this.#endNs[i] = b.endNs;
    this.#windows[i] = b.windows;
    this.#frames[i] = b.frames;
    this.#bytes[i] = b.bytes;
    this.#peakFrames[i] = b.peakFrames;
    this.#peakBytes[i] = b.peakBytes;
  }

  #get(i: number): Burst {
    return {
      startNs: this.#startNs[i],
      endNs: this.#endNs[i],
      windows: this.#windows[i],
      frames: this.#frames[i],
      bytes: this.#bytes[i],
      peakFrames: this.#peakFrames[i],
      peakBytes: this.#peakBytes[i],
    };
  }

  #swap(i: number, j: number): void {
    const b = this.#get(i);
    this.#set(i, this.#get(j));
    this.#set(j, b);
  }
}
