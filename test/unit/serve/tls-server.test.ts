// The exporter's HTTP side under a web configuration: HTTPS, basic authentication before any
// answer, response headers, each client_auth_type, client_allowed_sans, TLS versions, and
// certificates read again when their files change.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { hashSync } from 'bcryptjs';
import { serveMetrics } from '../../../tui/src/serve/metrics-server.js';
import { openWebServing } from '../../../tui/src/serve/web-serving.js';
import { httpsGet } from './https-get.js';
import { makePki } from './pki.js';
import { countingExposition } from './exposition.js';

const dir = mkdtempSync(join(tmpdir(), 'pktstat-tls-server-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const pki = makePki(join(dir, 'pki'));
const BODY = '# HELP x_total x\n# TYPE x_total counter\nx_total 1\n';
const exposition = countingExposition(BODY);
let n = 0;

async function serve(yaml: string, logs: string[] = []) {
  const f = join(dir, `web${n++}.yml`);
  writeFileSync(f, yaml);
  const server = await serveMetrics(
    { host: '127.0.0.1', port: 0 },
    exposition,
    openWebServing(f, (l) => logs.push(l)),
  );
  return { port: server.address.port, close: () => server.close() };
}

const tls = (extra = '') =>
  `tls_server_config:\n  cert_file: ${pki.server.cert}\n  key_file: ${pki.server.key}\n${extra}`;

test('basic authentication over HTTPS: 401 with WWW-Authenticate and nothing of the metrics, before any path; headers on every answer', async () => {
  const s = await serve(
    `${tls()}basic_auth_users:\n  prometheus: ${hashSync('pw', 4)}\nhttp_server_config:\n  headers:\n    X-Content-Type-Options: nosniff\n    Strict-Transport-Security: max-age=300\n`,
  );
  try {
    const before = exposition.scrapes;
    for (const [auth, path] of [
      [undefined, '/metrics'],
      ['prometheus:wrong', '/metrics'],
      ['prometheus:', '/metrics'],
      ['other:pw', '/metrics'],
      [undefined, '/nothing-here'],
    ] as const) {
      const r = await httpsGet(pki.ca, s.port, { auth, path });
      assert.equal(r.status, 401, `${auth} ${path}`);
      assert.equal(r.headers['www-authenticate'], 'Basic realm="pktstat-top", charset="UTF-8"');
      assert.equal(r.headers['x-content-type-options'], 'nosniff');
      assert.equal(r.body, 'unauthorized\n');
    }
    assert.equal(exposition.scrapes, before, 'no refused request reached the metrics');
    const ok = await httpsGet(pki.ca, s.port, { auth: 'prometheus:pw' });
    assert.equal(ok.status, 200);
    assert.equal(ok.body, BODY);
    assert.equal(ok.headers['strict-transport-security'], 'max-age=300');
    assert.equal(ok.headers['www-authenticate'], undefined);
    assert.equal((await httpsGet(pki.ca, s.port, { auth: 'prometheus:pw', path: '/x' })).status, 404);
  } finally {
    await s.close();
  }
});

test('RequireAndVerifyClientCert with client_allowed_sans: only a valid certificate of the CA with an allowed name', async () => {
  const other = pki.issue('othername', 'client', 'DNS:someone.test');
  const s = await serve(
    tls(
      `  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ${pki.ca.cert}\n  client_allowed_sans: [prometheus.test]\n`,
    ),
  );
  try {
    assert.equal((await httpsGet(pki.ca, s.port, { client: pki.client })).body, BODY);
    for (const [what, client] of [
      ['no certificate', undefined],
      ['expired', pki.expiredClient],
      ['of another CA', pki.strangerClient],
      ['a name not allowed', other],
    ] as const)
      await assert.rejects(httpsGet(pki.ca, s.port, { client }), /socket hang up|ECONNRESET|alert|certificate/, what);
    assert.equal((await httpsGet(pki.ca, s.port, { client: pki.client })).status, 200);
  } finally {
    await s.close();
  }
});

test('VerifyClientCertIfGiven and RequireAnyClientCert as Go has them', async () => {
  const ifGiven = await serve(tls(`  client_auth_type: VerifyClientCertIfGiven\n  client_ca_file: ${pki.ca.cert}\n`));
  const any = await serve(tls('  client_auth_type: RequireAnyClientCert\n'));
  try {
    assert.equal((await httpsGet(pki.ca, ifGiven.port)).status, 200);
    assert.equal((await httpsGet(pki.ca, ifGiven.port, { client: pki.client })).status, 200);
    await assert.rejects(httpsGet(pki.ca, ifGiven.port, { client: pki.strangerClient }));
    await assert.rejects(httpsGet(pki.ca, ifGiven.port, { client: pki.expiredClient }));
    // Any certificate, unverified, but one there must be.
    assert.equal((await httpsGet(pki.ca, any.port, { client: pki.strangerClient })).status, 200);
    await assert.rejects(httpsGet(pki.ca, any.port));
  } finally {
    await ifGiven.close();
    await any.close();
  }
});

test('min_version TLS13 refuses a TLS 1.2 client', async () => {
  const s = await serve(tls('  min_version: TLS13\n'));
  try {
    assert.equal((await httpsGet(pki.ca, s.port)).status, 200);
    await assert.rejects(httpsGet(pki.ca, s.port, { maxVersion: 'TLSv1.2' }), /version/i);
  } finally {
    await s.close();
  }
});

test('a renewed certificate is served from the next connection on; a broken renewal is said once and the last good one kept', async () => {
  const cert = join(dir, 'live.pem');
  const key = join(dir, 'live.key');
  copyFileSync(pki.server.cert, cert);
  copyFileSync(pki.server.key, key);
  const logs: string[] = [];
  const s = await serve(`tls_server_config:\n  cert_file: ${cert}\n  key_file: ${key}\n`, logs);
  try {
    const first = (await httpsGet(pki.ca, s.port)).serial;
    const renewed = pki.issue('renewed', 'server');
    copyFileSync(renewed.key, key);
    copyFileSync(renewed.cert, cert);
    const second = (await httpsGet(pki.ca, s.port)).serial;
    assert.notEqual(second, first);
    assert.equal(second, new X509Certificate(readFileSync(renewed.cert)).serialNumber);
    assert.deepEqual(logs, [`tls_server_config: ${cert} read again`]);
    // Half a renewal: a new certificate whose key has not been written yet.
    copyFileSync(pki.issue('half', 'server').cert, cert);
    assert.equal((await httpsGet(pki.ca, s.port)).serial, second);
    assert.equal((await httpsGet(pki.ca, s.port)).serial, second);
    assert.deepEqual(logs.slice(1), [
      `tls_server_config: key_file ${key} is not the key of cert_file ${cert}; still serving the previous certificate`,
    ]);
  } finally {
    await s.close();
  }
});
