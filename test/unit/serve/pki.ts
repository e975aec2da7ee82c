// Test certificates made at test time with openssl (no private key is committed): a CA, server
// and client certificates it signs, one that expired, and a second CA that nothing trusts.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface KeyPair {
  readonly cert: string;
  readonly key: string;
}

export interface Pki {
  readonly dir: string;
  /** The CA's certificate (client_ca_file, Prometheus's ca_file) and key. */
  readonly ca: KeyPair;
  /** For 127.0.0.1 and localhost. */
  readonly server: KeyPair;
  /** A client certificate with the SAN DNS:prometheus.test. */
  readonly client: KeyPair;
  /** Signed by the CA, valid one day in 2020. */
  readonly expiredClient: KeyPair;
  /** Signed by a CA nobody trusts. */
  readonly strangerClient: KeyPair;
  /** Another certificate of the CA, signed for the server: issue(name, 'server'). */
  issue(name: string, use: 'server' | 'client', san?: string): KeyPair;
}

const openssl = (cwd: string, ...args: string[]) => execFileSync('openssl', args, { cwd, stdio: 'pipe' });
/** openssl req's options for a new P-256 key, unencrypted: quick to make, as good as RSA here. */
const NEW_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

const CA_CONFIG = `[ca]
default_ca = own
[own]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = policy
copy_extensions = none
unique_subject = no
[policy]
commonName = supplied
[server]
extendedKeyUsage = serverAuth
subjectAltName = $ENV::SAN
[client]
extendedKeyUsage = clientAuth
subjectAltName = $ENV::SAN
`;

function newCa(dir: string, name: string): KeyPair {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'ca.cnf'), CA_CONFIG);
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '1000\n');
  const ca = { cert: join(dir, 'ca.pem'), key: join(dir, 'ca.key') };
  openssl(dir, 'req', '-x509', ...NEW_KEY, '-keyout', ca.key, '-out', ca.cert, '-days', '3', '-subj', `/CN=${name}`);
  return ca;
}

function signer(dir: string, ca: KeyPair) {
  return (name: string, use: 'server' | 'client', san: string, dates: readonly string[] = ['-days', '2']): KeyPair => {
    const pair = { cert: join(dir, `${name}.pem`), key: join(dir, `${name}.key`) };
    const csr = join(dir, `${name}.csr`);
    openssl(dir, 'req', ...NEW_KEY, '-keyout', pair.key, '-out', csr, '-subj', `/CN=${name}`);
    execFileSync(
      'openssl',
      [
        'ca',
        '-batch',
        '-config',
        'ca.cnf',
        '-cert',
        ca.cert,
        '-keyfile',
        ca.key,
        '-in',
        csr,
        '-out',
        pair.cert,
        '-extensions',
        use,
        '-notext',
        ...dates,
      ],
      { cwd: dir, stdio: 'pipe', env: { ...process.env, SAN: san } },
    );
    return pair;
  };
}

/** Makes them all in dir (about a second: EC keys). */
export function makePki(dir: string): Pki {
  const ca = newCa(dir, 'pktstat test CA');
  const sign = signer(dir, ca);
  const stranger = newCa(join(dir, 'stranger'), 'a CA nobody trusts');
  return {
    dir,
    ca,
    server: sign('server', 'server', 'IP:127.0.0.1,DNS:localhost'),
    client: sign('client', 'client', 'DNS:prometheus.test'),
    expiredClient: sign('expired', 'client', 'DNS:prometheus.test', [
      '-startdate',
      '20200101000000Z',
      '-enddate',
      '20200102000000Z',
    ]),
    strangerClient: signer(join(dir, 'stranger'), stranger)('stranger', 'client', 'DNS:prometheus.test'),
    issue: (name, use, san = use === 'server' ? 'IP:127.0.0.1,DNS:localhost' : 'DNS:prometheus.test') =>
      sign(name, use, san),
  };
}
