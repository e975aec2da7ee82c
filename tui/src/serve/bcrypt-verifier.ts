// Checks passwords against bcrypt hashes one at a time on one worker thread (bcrypt-worker), as
// the exporter-toolkit serialises them: wrong passwords sent in a stream cost at most one core,
// and the event loop that answers scrapes never runs one. The queue is bounded: beyond it a
// check is refused at once instead of waiting.
import { Worker } from 'node:worker_threads';
import type { BcryptAnswer, BcryptRequest } from './bcrypt-worker.js';

/** Checks waiting or running; at a few tens of ms each, the last waits about a second. */
const MAX_PENDING = 16;

export class BcryptVerifier {
  #worker: Worker | null = null;
  readonly #pending = new Map<number, { resolve: (matches: boolean) => void; reject: (e: Error) => void }>();
  #nextId = 0;

  /** True when the queue is full: verify() would refuse. */
  get busy(): boolean {
    return this.#pending.size >= MAX_PENDING;
  }

  /** Whether `password` matches `hash`; rejects when the queue is full or the worker died. */
  verify(password: string, hash: string): Promise<boolean> {
    if (this.busy) return Promise.reject(new Error('too many password checks waiting'));
    const worker = this.#worker ?? this.#start();
    const id = this.#nextId++;
    return new Promise<boolean>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      worker.postMessage({ id, password, hash } satisfies BcryptRequest);
    });
  }

  /** Ends the worker; checks still pending are rejected. */
  async close(): Promise<void> {
    const w = this.#worker;
    this.#worker = null;
    this.#fail(new Error('the exporter is stopping'));
    if (w !== null) await w.terminate();
  }

  #start(): Worker {
    const worker = new Worker(new URL('./bcrypt-worker.js', import.meta.url));
    // Idle, it must not keep the process alive.
    worker.unref();
    worker.on('message', (a: BcryptAnswer) => {
      const p = this.#pending.get(a.id);
      this.#pending.delete(a.id);
      p?.resolve(a.matches);
    });
    const gone = (e: Error) => {
      if (this.#worker === worker) this.#worker = null;
      this.#fail(e);
    };
    worker.on('error', gone);
    worker.on('exit', (code) => gone(new Error(`the password-check thread exited (${code})`)));
    this.#worker = worker;
    return worker;
  }

  #fail(e: Error): void {
    for (const p of this.#pending.values()) p.reject(e);
    this.#pending.clear();
  }
}
