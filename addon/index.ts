// Loads the native drain thread and gives it the DrainApi shape of addon/types.ts.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { PROC_DIR, SET_NAME_RE } from './limits.js';
import type { DrainApi, DrainOptions, DrainEvent, SampleBatch, SetStatus } from './types.js';

export type * from './types.js';

const DEFAULT_QUEUE_CAPACITY = 1_048_576;
// Four sets' worth: 64 stalled sets would otherwise hold 2 GiB.
const DEFAULT_TOTAL_QUEUE_CAPACITY = 4 * DEFAULT_QUEUE_CAPACITY;
const MAX_QUEUE_CAPACITY = 2 ** 28;
const DEFAULT_RESCAN_MS = 500;

// The native class has exactly the public API; Drain adds option defaults and checks.
type NativeDrain = DrainApi;

interface NativeModule {
  NativeDrain: new (options: {
    procDir: string;
    names: readonly string[] | undefined;
    queueCapacity: number;
    totalQueueCapacity: number;
    rescanMs: number;
  }) => NativeDrain;
}

// dist/addon/index.js → <repo>/build/Release; node-gyp builds there.
const ADDON_PATH = fileURLToPath(new URL('../../build/Release/pktstat_drain.node', import.meta.url));

let native: NativeModule | undefined;

function loadNative(): NativeModule {
  if (!native) {
    if (!existsSync(ADDON_PATH)) {
      throw new Error(
        "native addon not built (build/Release/pktstat_drain.node missing): run 'npm ci' (or 'npm run install' to rebuild it)",
      );
    }
    native = createRequire(import.meta.url)(ADDON_PATH) as NativeModule;
  }
  return native;
}

function checkOptions(o: DrainOptions): void {
  if (o.procDir !== undefined && (typeof o.procDir !== 'string' || o.procDir === '')) {
    throw new TypeError('Drain: procDir must be a non-empty string');
  }
  if (o.names !== undefined) {
    if (!Array.isArray(o.names)) throw new TypeError('Drain: names must be an array of set names');
    for (const n of o.names) {
      if (typeof n !== 'string' || !SET_NAME_RE.test(n)) {
        throw new TypeError(
          `Drain: invalid set name ${JSON.stringify(n)} (1-15 of [A-Za-z0-9_.-], not starting with '.')`,
        );
      }
    }
  }
  for (const key of ['queueCapacity', 'totalQueueCapacity'] as const) {
    const cap = o[key];
    if (cap !== undefined && (!Number.isSafeInteger(cap) || cap < 1 || cap > MAX_QUEUE_CAPACITY))
      throw new RangeError(`Drain: ${key} must be an integer from 1 to ${MAX_QUEUE_CAPACITY}, got ${cap}`);
  }
  const ms = o.rescanMs;
  if (ms !== undefined && (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 1 || ms > 3_600_000)) {
    throw new RangeError(`Drain: rescanMs must be from 1 to 3600000, got ${ms}`);
  }
}

export class Drain implements DrainApi {
  readonly #native: NativeDrain;

  constructor(options: DrainOptions = {}) {
    checkOptions(options);
    const { NativeDrain } = loadNative();
    this.#native = new NativeDrain({
      procDir: options.procDir ?? PROC_DIR,
      // An empty list, like none, means every set.
      names: options.names && options.names.length > 0 ? [...options.names] : undefined,
      queueCapacity: options.queueCapacity ?? DEFAULT_QUEUE_CAPACITY,
      totalQueueCapacity: options.totalQueueCapacity ?? DEFAULT_TOTAL_QUEUE_CAPACITY,
      rescanMs: options.rescanMs ?? DEFAULT_RESCAN_MS,
    });
  }

  start(): void {
    this.#native.start();
  }

  stop(): void {
    this.#native.stop();
  }

  take(): SampleBatch[] {
    return this.#native.take();
  }

  status(): SetStatus[] {
    return this.#native.status();
  }

  events(): DrainEvent[] {
    return this.#native.events();
  }

  get running(): boolean {
    return this.#native.running;
  }
}
