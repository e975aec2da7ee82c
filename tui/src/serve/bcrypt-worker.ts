// The bcrypt checks of basic authentication, on a thread of their own: one costs tens of
// milliseconds of CPU by design, which on the event loop would hold up every scrape, and a
// stream of wrong passwords would hold them up for as long as it lasts.
import { parentPort } from 'node:worker_threads';
import { compareSync } from 'bcryptjs';

export interface BcryptRequest {
  readonly id: number;
  readonly password: string;
  readonly hash: string;
}

export interface BcryptAnswer {
  readonly id: number;
  readonly matches: boolean;
}

const port = parentPort;
port?.on('message', (r: BcryptRequest) => {
  port.postMessage({ id: r.id, matches: compareSync(r.password, r.hash) } satisfies BcryptAnswer);
});
