// basic_auth_users: the Authorization header checked against bcrypt hashes. A scrape every second
// must not cost a bcrypt each, so a password bcrypt accepted is remembered, per user, as a keyed
// digest (never the password itself). Only acceptances are remembered: a wrong password always
// costs a full bcrypt, so none can be planted as good, and none pushes a good one out.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export type AuthResult = 'granted' | 'denied' | 'busy';

interface Verifier {
  /** Rejects when it cannot check now (too many waiting). */
  verify(password: string, hash: string): Promise<boolean>;
}

interface Credentials {
  readonly user: string;
  readonly password: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** `Basic base64(user:password)` (RFC 7617), or null when it is anything else. */
export function parseBasic(header: string | undefined): Credentials | null {
  const m = /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(header ?? '');
  if (m === null) return null;
  let text: string;
  try {
    // Bytes that are not UTF-8 would be decoded with replacement characters: two different
    // passwords could then read as one.
    text = utf8.decode(Buffer.from(m[1], 'base64'));
  } catch {
    return null;
  }
  const colon = text.indexOf(':');
  return colon < 0 ? null : { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

const cost = (hash: string) => Number(hash.slice(4, 6));

export class BasicAuth {
  /** Per process: the digests mean nothing outside it. */
  readonly #key = randomBytes(32);
  /** User name to the digest of the password bcrypt last accepted for it. */
  readonly #accepted = new Map<string, Buffer>();
  /** What an unknown user's password is checked against: the costliest hash, so that it takes
   * as long as a known user's wrong password and the timing does not tell which names exist. */
  readonly #decoy: string;

  /** @param users user name to bcrypt hash, at least one */
  constructor(
    private readonly users: ReadonlyMap<string, string>,
    private readonly verifier: Verifier,
  ) {
    this.#decoy = [...users.values()].reduce((a, b) => (cost(b) > cost(a) ? b : a));
  }

  async check(authorization: string | undefined): Promise<AuthResult> {
    const c = parseBasic(authorization);
    if (c === null) return 'denied';
    const hash = this.users.get(c.user);
    const digest = createHmac('sha256', this.#key).update(c.user).update('\0').update(c.password).digest();
    const accepted = hash === undefined ? undefined : this.#accepted.get(c.user);
    if (accepted !== undefined && timingSafeEqual(accepted, digest)) return 'granted';
    let matches: boolean;
    try {
      matches = await this.verifier.verify(c.password, hash ?? this.#decoy);
    } catch {
      return 'busy';
    }
    if (!matches || hash === undefined) return 'denied';
    this.#accepted.set(c.user, digest);
    return 'granted';
  }
}
