// `--web.config.file FILE`: the Prometheus exporter-toolkit's web configuration (TLS, client
// certificates, bcrypt basic-auth users, response headers), read and checked before anything
// listens. A mistake is one line naming the key; a key this exporter does not act on is refused,
// never ignored, so that no setting a user relies on is silently dropped.
import { readFileSync } from 'node:fs';
import { validateHeaderValue } from 'node:http';
import { dirname, resolve } from 'node:path';
import type { SecureVersion } from 'node:tls';
import { parseDocument } from 'yaml';

/** The toolkit's names (Go's crypto/tls ClientAuthType). */
export const CLIENT_AUTH_TYPES = [
  'NoClientCert',
  'RequestClientCert',
  'RequireAnyClientCert',
  'VerifyClientCertIfGiven',
  'RequireAndVerifyClientCert',
] as const;
export type ClientAuthType = (typeof CLIENT_AUTH_TYPES)[number];

const TLS_VERSIONS: Readonly<Record<string, SecureVersion>> = {
  TLS10: 'TLSv1',
  TLS11: 'TLSv1.1',
  TLS12: 'TLSv1.2',
  TLS13: 'TLSv1.3',
};
const VERSION_ORDER: readonly SecureVersion[] = Object.values(TLS_VERSIONS);

/** The headers the toolkit lets a configuration add, and the values it allows (null: any). */
const HEADERS: Readonly<Record<string, readonly string[] | null>> = {
  'Strict-Transport-Security': null,
  'X-Content-Type-Options': ['nosniff'],
  'X-Frame-Options': ['deny', 'sameorigin'],
  'X-XSS-Protection': null,
  'Content-Security-Policy': null,
};

/** bcrypt's modular crypt format as Go's and htpasswd's hashes write it: $2a$, $2b$ or $2y$, cost 4-31. */
const BCRYPT_HASH = /^\$2[aby]\$(0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/;

export interface TlsServerConfig {
  /** Absolute paths (relative ones are taken from the configuration file's directory). */
  readonly certFile: string;
  readonly keyFile: string;
  readonly clientCaFile: string | null;
  readonly clientAuth: ClientAuthType;
  /** Subject alternative names, one of which a client certificate must carry; null: any. */
  readonly clientAllowedSans: readonly string[] | null;
  readonly minVersion: SecureVersion;
  readonly maxVersion: SecureVersion;
}

export interface WebConfig {
  /** null: plain HTTP. */
  readonly tls: TlsServerConfig | null;
  /** User name to bcrypt hash; empty: no authentication. */
  readonly users: ReadonlyMap<string, string>;
  /** Added to every response. */
  readonly headers: Readonly<Record<string, string>>;
}

/** Keys of the toolkit's format that this exporter does not implement, and what to do instead. */
const UNSUPPORTED: Readonly<Record<string, string>> = {
  'tls_server_config.cert': 'give the certificate as cert_file',
  'tls_server_config.key': 'give the key as key_file',
  'tls_server_config.client_ca': 'give the CA certificates as client_ca_file',
  'tls_server_config.cipher_suites': "remove it: Node's default cipher list is used",
  'tls_server_config.curve_preferences': "remove it: Node's default curves are used",
  'tls_server_config.prefer_server_cipher_suites': "remove it: Node's default order is used",
  rate_limit: 'remove it: limit the rate in front of the exporter (a firewall rule)',
};

class Reader {
  constructor(private readonly file: string) {}

  fail(key: string, why: string): never {
    throw new Error(`--web.config.file ${this.file}: ${key === '' ? '' : `${key}: `}${why}`);
  }

  /** A mapping (absent or null: empty) whose keys are all among `known`. */
  mapping(value: unknown, key: string, known: readonly string[] | null): Record<string, unknown> {
    if (value === undefined || value === null) return {};
    if (typeof value !== 'object' || Array.isArray(value)) this.fail(key, 'expected a mapping of keys to values');
    const m = value as Record<string, unknown>;
    if (known !== null) {
      for (const k of Object.keys(m)) {
        const path = key === '' ? k : `${key}.${k}`;
        const instead = UNSUPPORTED[path];
        if (instead !== undefined) this.fail(path, `not supported by pktstat-top: ${instead}`);
        if (!known.includes(k)) this.fail(path, `unknown key (known here: ${known.join(', ')})`);
      }
    }
    return m;
  }

  string(value: unknown, key: string): string | null {
    if (value === undefined || value === null || value === '') return null;
    if (typeof value !== 'string') this.fail(key, 'expected a string');
    return value;
  }

  strings(value: unknown, key: string): string[] | null {
    if (value === undefined || value === null) return null;
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) this.fail(key, 'expected a list of strings');
    return value as string[];
  }

  oneOf<T extends string>(value: unknown, key: string, allowed: readonly T[], fallback: T): T {
    const s = this.string(value, key);
    if (s === null) return fallback;
    if (!(allowed as readonly string[]).includes(s)) this.fail(key, `'${s}' is not one of ${allowed.join(', ')}`);
    return s as T;
  }
}

function tlsServerConfig(r: Reader, value: unknown, dir: string): TlsServerConfig | null {
  const key = 'tls_server_config';
  const m = r.mapping(value, key, [
    'cert_file',
    'key_file',
    'client_auth_type',
    'client_ca_file',
    'client_allowed_sans',
    'min_version',
    'max_version',
  ]);
  if (Object.keys(m).length === 0) return null;
  const path = (k: string) => {
    const p = r.string(m[k], `${key}.${k}`);
    return p === null ? null : resolve(dir, p);
  };
  const certFile = path('cert_file');
  const keyFile = path('key_file');
  if (certFile === null) r.fail(key, 'cert_file is missing: TLS needs the server certificate');
  if (keyFile === null) r.fail(key, "key_file is missing: TLS needs the certificate's private key");
  const clientCaFile = path('client_ca_file');
  const clientAuth = r.oneOf(m.client_auth_type, `${key}.client_auth_type`, CLIENT_AUTH_TYPES, 'NoClientCert');
  const verifies = clientAuth === 'VerifyClientCertIfGiven' || clientAuth === 'RequireAndVerifyClientCert';
  if (clientCaFile !== null && clientAuth === 'NoClientCert')
    r.fail(key, 'client_ca_file is set but client_auth_type is NoClientCert: set RequireAndVerifyClientCert');
  // Without it Node would trust its bundled public CAs: any certificate bought anywhere would do.
  if (clientCaFile === null && verifies)
    r.fail(key, `client_auth_type ${clientAuth} needs client_ca_file: the CA that signs the clients' certificates`);
  const clientAllowedSans = r.strings(m.client_allowed_sans, `${key}.client_allowed_sans`);
  if (
    clientAllowedSans !== null &&
    clientAuth !== 'RequireAnyClientCert' &&
    clientAuth !== 'RequireAndVerifyClientCert'
  )
    r.fail(key, 'client_allowed_sans needs client_auth_type RequireAndVerifyClientCert (or RequireAnyClientCert)');
  const names = Object.keys(TLS_VERSIONS);
  const minVersion = TLS_VERSIONS[r.oneOf(m.min_version, `${key}.min_version`, names, 'TLS12')];
  const maxVersion = TLS_VERSIONS[r.oneOf(m.max_version, `${key}.max_version`, names, 'TLS13')];
  if (VERSION_ORDER.indexOf(minVersion) > VERSION_ORDER.indexOf(maxVersion))
    r.fail(key, 'min_version is above max_version');
  return { certFile, keyFile, clientCaFile, clientAuth, clientAllowedSans, minVersion, maxVersion };
}

function users(r: Reader, value: unknown): Map<string, string> {
  const key = 'basic_auth_users';
  const out = new Map<string, string>();
  for (const [user, hash] of Object.entries(r.mapping(value, key, null))) {
    // Basic authentication sends user:password; a name with a colon could never log in.
    if (user === '' || user.includes(':')) r.fail(key, `'${user}' cannot be a user name (empty, or with a colon)`);
    if (typeof hash !== 'string' || !BCRYPT_HASH.test(hash))
      r.fail(`${key}.${user}`, 'not a bcrypt hash ($2y$10$ and 53 characters, as `htpasswd -nBC 10 ""` makes)');
    out.set(user, hash);
  }
  return out;
}

function httpServerConfig(r: Reader, value: unknown): Record<string, string> {
  const key = 'http_server_config';
  // http2 is the toolkit's permission to speak HTTP/2; clients fall back to HTTP/1.1, which is served.
  const m = r.mapping(value, key, ['headers', 'http2']);
  if (m.http2 !== undefined && m.http2 !== null && typeof m.http2 !== 'boolean')
    r.fail(`${key}.http2`, 'expected true or false');
  const headers: Record<string, string> = {};
  for (const [name, v] of Object.entries(r.mapping(m.headers, `${key}.headers`, Object.keys(HEADERS)))) {
    const at = `${key}.headers.${name}`;
    const text = r.string(v, at);
    if (text === null) continue;
    const allowed = HEADERS[name];
    if (allowed !== null && !allowed.includes(text)) r.fail(at, `'${text}' is not one of ${allowed.join(', ')}`);
    try {
      validateHeaderValue(name, text);
    } catch {
      r.fail(at, 'not a valid header value (control characters?)');
    }
    headers[name] = text;
  }
  return headers;
}

/** Throws a one-line Error naming the file and the key. */
export function readWebConfig(file: string): WebConfig {
  const r: Reader = new Reader(file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    r.fail('', `cannot read it: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) r.fail('', `not YAML: ${doc.errors[0].message.split('\n')[0]}`);
  const top = r.mapping(doc.toJS({ maxAliasCount: 100 }), '', [
    'tls_server_config',
    'http_server_config',
    'basic_auth_users',
  ]);
  return {
    tls: tlsServerConfig(r, top.tls_server_config, dirname(resolve(file))),
    users: users(r, top.basic_auth_users),
    headers: httpServerConfig(r, top.http_server_config),
  };
}
