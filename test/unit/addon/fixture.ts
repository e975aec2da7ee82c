// Plays the kernel for the drain thread: a temp dir with one folder per counter set whose
// `stream` is a regular file that only grows. The drain reads it sequentially, so each round
// continues where the last one stopped, as a reader of the kernel's `stream` does; a test
// writes `# lost K` itself where the kernel would.
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DrainApi, SampleBatch } from '../../../addon/index.js';
import { waitFor } from '../helpers.js';

export const HEADER = '# timestamp frames bytes\n';

/** `stats` text with the given totals. */
export function statsText(frames: bigint, bytes: bigint): string {
  return `frames: ${frames}\nbytes: ${bytes}\nsamples: 0\nlost: 0\nqueued: 0\n`;
}

const stats0 = statsText(0n, 0n);

export class FakeProc {
  readonly dir = mkdtempSync(join(tmpdir(), 'pktstat-addon-'));

  /**
   * A set appears whole, as the kernel's do: its folder is filled under a name the drain skips
   * (a leading dot), then renamed. `stats` null: the set has no readable `stats`.
   */
  addSet(name: string, periodNs: bigint, capacity: number, data = '', stats: string | null = stats0): void {
    const aside = join(this.dir, `.${name}`);
    mkdirSync(aside);
    this.config(`.${name}`, periodNs, capacity, name);
    if (stats !== null) writeFileSync(join(aside, 'stats'), stats);
    writeFileSync(join(aside, 'stream'), HEADER + data);
    renameSync(aside, join(this.dir, name));
  }

  config(name: string, periodNs: bigint, capacity: number, setName = name): void {
    writeFileSync(
      join(this.dir, name, 'config'),
      `name: ${setName}\nperiod_ns: ${periodNs}\ncapacity: ${capacity}\nrules: 1\n`,
    );
  }

  append(name: string, text: string): void {
    appendFileSync(join(this.dir, name, 'stream'), text);
  }

  removeSet(name: string): void {
    rmSync(join(this.dir, name), { recursive: true });
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** One sample per line, as the kernel prints it. */
export function line(ts: bigint, frames: bigint, bytes: bigint): string {
  return `${ts} ${frames} ${bytes}\n`;
}

/** Every sample taken so far, per set, in plain arrays for deepEqual. */
export class Collector {
  readonly sets = new Map<string, { windows: number[]; frames: bigint[]; bytes: bigint[]; lost: bigint[] }>();
  constructor(private readonly drain: DrainApi) {}

  take(): SampleBatch[] {
    const batches = this.drain.take();
    for (const b of batches) {
      let s = this.sets.get(b.name);
      if (!s) this.sets.set(b.name, (s = { windows: [], frames: [], bytes: [], lost: [] }));
      s.windows.push(...b.windows);
      s.frames.push(...b.frames);
      s.bytes.push(...b.bytes);
      s.lost.push(...b.lostBefore);
    }
    return batches;
  }

  count(name: string): number {
    return this.sets.get(name)?.windows.length ?? 0;
  }

  /** Takes until `name` has n samples. */
  async until(name: string, n: number, timeoutMs = 5000): Promise<void> {
    await waitFor(
      `${n} samples of ${name} (have ${this.count(name)})`,
      () => (this.take(), this.count(name) >= n),
      timeoutMs,
    );
  }
}

export function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}
