// --web.config.file: the exporter-toolkit's format read and checked, every mistake one line that
// names the key; the files it names read and checked with it (openWebServing).
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readWebConfig } from '../../../tui/src/serve/web-config.js';
import { openWebServing } from '../../../tui/src/serve/web-serving.js';
import { makePki } from './pki.js';

const dir = mkdtempSync(join(tmpdir(), 'pktstat-web-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const pki = makePki(join(dir, 'pki'));
const HASH = '$2y$10$X0h1gDsPszWURQaxFh.zoubFi6DXncSjhoQNJgRrnGs7EsimhC7zG';
let n = 0;

function file(text: string): string {
  const f = join(dir, `web${n++}.yml`);
  writeFileSync(f, text);
  return f;
}

test('every key of the format, relative paths taken from the file’s directory, defaults as the toolkit’s', () => {
  copyFileSync(pki.server.cert, join(dir, 'rel.pem'));
  const f = file(
    [
      'tls_server_config:',
      '  cert_file: rel.pem',
      `  key_file: ${pki.server.key}`,
      '  client_auth_type: RequireAndVerifyClientCert',
      `  client_ca_file: ${pki.ca.cert}`,
      '  client_allowed_sans: [prometheus.test]',
      '  min_version: TLS13',
      'http_server_config:',
      '  http2: false',
      '  headers:',
      '    X-Frame-Options: deny',
      '    Strict-Transport-Security: max-age=31536000',
      'basic_auth_users:',
      `  prometheus: ${HASH}`,
      `  "user two": "${HASH.replace('$2y$', '$2b$')}"`,
    ].join('\n'),
  );
  const c = readWebConfig(f);
  assert.deepEqual(c.tls, {
    certFile: join(dir, 'rel.pem'),
    keyFile: pki.server.key,
    clientCaFile: pki.ca.cert,
    clientAuth: 'RequireAndVerifyClientCert',
    clientAllowedSans: ['prometheus.test'],
    minVersion: 'TLSv1.3',
    maxVersion: 'TLSv1.3',
  });
  assert.deepEqual([...c.users.keys()], ['prometheus', 'user two']);
  assert.deepEqual(c.headers, { 'X-Frame-Options': 'deny', 'Strict-Transport-Security': 'max-age=31536000' });
  const minimal = readWebConfig(file(`tls_server_config:\n  cert_file: rel.pem\n  key_file: ${pki.server.key}\n`));
  assert.equal(minimal.tls?.clientAuth, 'NoClientCert');
  assert.equal(minimal.tls?.minVersion, 'TLSv1.2');
  assert.equal(minimal.users.size, 0);
  // An empty file is a configuration without TLS or users, as in the toolkit.
  assert.deepEqual(readWebConfig(file('')), { tls: null, users: new Map(), headers: {} });
});

test('mistakes in the YAML: one line naming the key', () => {
  const tls = `tls_server_config:\n  cert_file: ${pki.server.cert}\n  key_file: ${pki.server.key}\n`;
  const cases: [string, string][] = [
    [
      'basic_auth_user:\n  a: x\n',
      'basic_auth_user: unknown key (known here: tls_server_config, http_server_config, basic_auth_users)',
    ],
    [
      `${tls}  client_auth: x\n`,
      'tls_server_config.client_auth: unknown key (known here: cert_file, key_file, client_auth_type, client_ca_file, client_allowed_sans, min_version, max_version)',
    ],
    [
      `${tls}  cipher_suites: [TLS_AES_128_GCM_SHA256]\n`,
      "tls_server_config.cipher_suites: not supported by pktstat-top: remove it: Node's default cipher list is used",
    ],
    [`${tls}  cert: xyz\n`, 'tls_server_config.cert: not supported by pktstat-top: give the certificate as cert_file'],
    [
      'rate_limit:\n  burst: 1\n',
      'rate_limit: not supported by pktstat-top: remove it: limit the rate in front of the exporter (a firewall rule)',
    ],
    [
      `tls_server_config:\n  key_file: ${pki.server.key}\n`,
      'tls_server_config: cert_file is missing: TLS needs the server certificate',
    ],
    [
      `tls_server_config:\n  cert_file: ${pki.server.cert}\n`,
      "tls_server_config: key_file is missing: TLS needs the certificate's private key",
    ],
    [
      `${tls}  client_auth_type: RequireAndVerify\n`,
      "tls_server_config.client_auth_type: 'RequireAndVerify' is not one of NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven, RequireAndVerifyClientCert",
    ],
    [
      `${tls}  client_auth_type: RequireAndVerifyClientCert\n`,
      "tls_server_config: client_auth_type RequireAndVerifyClientCert needs client_ca_file: the CA that signs the clients' certificates",
    ],
    [
      `${tls}  client_ca_file: ${pki.ca.cert}\n`,
      'tls_server_config: client_ca_file is set but client_auth_type is NoClientCert: set RequireAndVerifyClientCert',
    ],
    [
      `${tls}  client_allowed_sans: [a]\n`,
      'tls_server_config: client_allowed_sans needs client_auth_type RequireAndVerifyClientCert (or RequireAnyClientCert)',
    ],
    [
      `${tls}  min_version: TLS1.2\n`,
      "tls_server_config.min_version: 'TLS1.2' is not one of TLS10, TLS11, TLS12, TLS13",
    ],
    [`${tls}  min_version: TLS13\n  max_version: TLS12\n`, 'tls_server_config: min_version is above max_version'],
    ['tls_server_config:\n  cert_file: [a]\n  key_file: k\n', 'tls_server_config.cert_file: expected a string'],
    [
      'basic_auth_users:\n  a: $2y$10$tooshort\n',
      'basic_auth_users.a: not a bcrypt hash ($2y$10$ and 53 characters, as `htpasswd -nBC 10 ""` makes)',
    ],
    [
      'basic_auth_users:\n  a: secret\n',
      'basic_auth_users.a: not a bcrypt hash ($2y$10$ and 53 characters, as `htpasswd -nBC 10 ""` makes)',
    ],
    [`basic_auth_users:\n  "a:b": ${HASH}\n`, "basic_auth_users: 'a:b' cannot be a user name (empty, or with a colon)"],
    ['basic_auth_users: [a]\n', 'basic_auth_users: expected a mapping of keys to values'],
    [
      'http_server_config:\n  headers:\n    X-Powered-By: me\n',
      'http_server_config.headers.X-Powered-By: unknown key (known here: Strict-Transport-Security, X-Content-Type-Options, X-Frame-Options, X-XSS-Protection, Content-Security-Policy)',
    ],
    [
      'http_server_config:\n  headers:\n    X-Frame-Options: allow\n',
      "http_server_config.headers.X-Frame-Options: 'allow' is not one of deny, sameorigin",
    ],
    ['http_server_config:\n  http2: maybe\n', 'http_server_config.http2: expected true or false'],
    ['basic_auth_users:\n  a: x\n  a: y\n', 'not YAML: Map keys must be unique'],
    ['tls_server_config: [\n', 'not YAML: '],
  ];
  for (const [text, message] of cases) {
    const f = file(text);
    assert.throws(
      () => readWebConfig(f),
      (e: Error) => {
        assert.ok(e.message.startsWith(`--web.config.file ${f}: ${message}`), `${text}\n${e.message}`);
        assert.ok(!e.message.includes('\n'), e.message);
        return true;
      },
    );
  }
  assert.throws(() => readWebConfig(join(dir, 'absent.yml')), {
    message: `--web.config.file ${join(dir, 'absent.yml')}: cannot read it: ENOENT`,
  });
});

test('the files it names: unreadable, not a certificate, the wrong key, no CA; an expired certificate or a key others read is a warning', () => {
  const garbage = join(dir, 'garbage.pem');
  writeFileSync(garbage, 'not a pem\n');
  const other = pki.issue('other', 'server');
  const web = (cert: string, key: string, extra = '') =>
    file(`tls_server_config:\n  cert_file: ${cert}\n  key_file: ${key}\n${extra}`);
  const cases: [string, string][] = [
    [web(join(dir, 'none.pem'), pki.server.key), `cert_file ${join(dir, 'none.pem')}: cannot read it: ENOENT`],
    [web(garbage, pki.server.key), `cert_file ${garbage}: not a PEM certificate`],
    [web(pki.server.cert, garbage), `key_file ${garbage}: not a PEM private key`],
    [web(pki.server.cert, other.key), `key_file ${other.key} is not the key of cert_file ${pki.server.cert}`],
    [
      web(
        pki.server.cert,
        pki.server.key,
        `  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ${garbage}\n`,
      ),
      `client_ca_file ${garbage}: holds no PEM certificate`,
    ],
  ];
  for (const [f, message] of cases)
    assert.throws(() => openWebServing(f, () => {}), {
      message: `--web.config.file ${f}: tls_server_config.${message}`,
    });

  const logs: string[] = [];
  chmodSync(pki.expiredClient.key, 0o644);
  const w = openWebServing(web(pki.expiredClient.cert, pki.expiredClient.key), (l) => logs.push(l));
  assert.deepEqual(logs, [
    `cert_file ${pki.expiredClient.cert} expired on Jan  2 00:00:00 2020 GMT: clients will refuse it`,
    `key_file ${pki.expiredClient.key} can be read by every user: chmod o-rwx it`,
  ]);
  assert.equal(w.summary, 'TLS TLSv1.2-TLSv1.3, no authentication');
  assert.equal(w.open, true);
});
