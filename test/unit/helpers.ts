// A Feed the tests drive by hand: each read() is what one drain read of a set's `stream` delivers.
import type { DrainEvent, SampleBatch, SetStatus } from '../../addon/types.js';
import type { Feed } from '../../tui/src/windows/feed.js';

export interface Sample {
  readonly t: bigint;
  readonly frames: bigint;
  readonly bytes: bigint;
  readonly lostBefore?: bigint;
}

/** Samples of a set with period periodNs as the drain hands them: times as window numbers. */
export function batch(name: string, periodNs: bigint, samples: readonly Sample[]): SampleBatch {
  const off = samples.find((s) => s.t % periodNs !== 0n);
  // The drain refuses such a sample (it names it in the set's status); a test must not make one.
  if (off !== undefined) throw new Error(`sample at ${off.t} is not a multiple of the period ${periodNs}`);
  return {
    name,
    windows: Float64Array.from(samples.map((s) => Number(s.t / periodNs))),
    frames: BigUint64Array.from(samples.map((s) => s.frames)),
    bytes: BigUint64Array.from(samples.map((s) => s.bytes)),
    lostBefore: BigUint64Array.from(samples.map((s) => s.lostBefore ?? 0n)),
  };
}

interface SetState {
  status: SetStatus;
  queued: Sample[];
}

export class ScriptedFeed implements Feed {
  private sets = new Map<string, SetState>();
  private pending: DrainEvent[] = [];
  takes = 0;

  addSet(name: string, periodNs: bigint, capacity = 1024): void {
    this.sets.set(name, {
      status: {
        name,
        periodNs,
        capacity,
        rules: 1,
        totalFrames: 0n,
        totalBytes: 0n,
        kernelLost: 0n,
        queueDropped: 0n,
        queueOwedLost: 0n,
        queueLength: 0,
        lastReadSamples: 0,
        samplesRead: 0n,
        reads: 0n,
        lastReadStartNs: 0n,
        drainIntervalNs: 1_000_000n,
        error: null,
      },
      queued: [],
    });
    this.pending.push({ type: 'added', name });
  }

  /**
   * One round of reading the set's samples that began at `startNs` and returned `samples`;
   * `stats` as read after it has the latest sample's totals. `queueOwedLost`: samples the native
   * queue dropped that no queued sample announces yet (unchanged when omitted).
   */
  read(name: string, startNs: bigint, samples: readonly Sample[] = [], kernelLost = 0n, queueOwedLost?: bigint): void {
    const s = this.sets.get(name);
    if (s === undefined) throw new Error(`no set ${name}`);
    s.queued.push(...samples);
    s.status = {
      ...s.status,
      reads: s.status.reads + 1n,
      samplesRead: s.status.samplesRead + BigInt(samples.length),
      kernelLost: s.status.kernelLost + kernelLost,
      queueOwedLost: queueOwedLost ?? s.status.queueOwedLost,
      lastReadSamples: samples.length,
      // `stats` read after the samples: at least the latest one's totals (idle since).
      totalFrames: samples.at(-1)?.frames ?? s.status.totalFrames,
      totalBytes: samples.at(-1)?.bytes ?? s.status.totalBytes,
      lastReadStartNs: startNs,
      queueLength: s.queued.length,
    };
  }

  removeSet(name: string): void {
    this.sets.delete(name);
    this.pending.push({ type: 'removed', name });
  }

  error(name: string | null, message: string): void {
    this.pending.push({ type: 'error', name, message });
  }

  take(): SampleBatch[] {
    this.takes++;
    const out: SampleBatch[] = [];
    for (const [name, s] of this.sets) {
      if (s.queued.length === 0) continue;
      out.push(batch(name, s.status.periodNs, s.queued));
      s.queued = [];
      s.status = { ...s.status, queueLength: 0 };
    }
    return out;
  }

  status(): SetStatus[] {
    return [...this.sets.values()].map((s) => s.status).sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  events(): DrainEvent[] {
    const e = this.pending;
    this.pending = [];
    return e;
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Polls until check() gives a value other than undefined/false and returns it; fails naming
 * `what` after timeoutMs. The one wait of the tests: for an event, never a fixed sleep.
 */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 5000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** A deterministic pseudo-random source (an LCG), so a failing round can be replayed: rnd(n) is 0..n-1. */
export function seededRandom(seed: number): (n: number) => number {
  let x = seed;
  return (n) => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x % n;
  };
}
