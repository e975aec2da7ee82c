import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, test } from 'node:test';
import { serveMetrics } from '../../../tui/src/serve/metrics-server.js';
import { countingExposition } from './exposition.js';

const BODY = '# HELP x_total x\n# TYPE x_total counter\nx_total 1\n';
const exposition = countingExposition(BODY);

function fetchRaw(port: number, method: string, path: string, host = '127.0.0.1') {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
    const req = request({ host, port, method, path }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const server = await serveMetrics({ host: '127.0.0.1', port: 0 }, exposition);
after(() => server.close());
const port = server.address.port;

test('GET /metrics is the exposition, HEAD its headers alone', async () => {
  const get = await fetchRaw(port, 'GET', '/metrics');
  assert.equal(get.status, 200);
  assert.equal(get.body, BODY);
  assert.equal(get.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
  // A proxy's absolute-form target names the same resource.
  assert.equal((await fetchRaw(port, 'GET', `http://127.0.0.1:${port}/metrics`)).body, BODY);
  const head = await fetchRaw(port, 'HEAD', '/metrics?x=1');
  assert.equal(head.status, 200);
  assert.equal(head.body, '');
  assert.equal(head.headers['content-length'], String(Buffer.byteLength(BODY)));
});

test('any other path is 404, any other method 405 (with Allow), and neither scrapes', async () => {
  const before = exposition.scrapes;
  // '//' and '//x/metrics' are not URLs relative to a host (a URL parser reads them as a host).
  for (const path of ['/', '//', '//metrics', '//x/metrics', '/metrics/', '/favicon.ico', '/metricsx', '*']) {
    const r = await fetchRaw(port, 'GET', path);
    assert.equal(r.status, 404, path);
  }
  for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS']) {
    const r = await fetchRaw(port, method, '/metrics');
    assert.equal(r.status, 405, method);
    assert.equal(r.headers.allow, 'GET, HEAD');
  }
  assert.equal(exposition.scrapes, before);
});

test('a port in use, an address not here, an unknown host: one line each', async () => {
  await assert.rejects(serveMetrics({ host: '127.0.0.1', port }, exposition), {
    message: `cannot listen on 127.0.0.1:${port}: the port is in use (another exporter running?): pick another PORT`,
  });
  await assert.rejects(serveMetrics({ host: '192.0.2.1', port: 0 }, exposition), {
    message: 'cannot listen on 192.0.2.1:0: no such address on this machine',
  });
  await assert.rejects(
    serveMetrics({ host: 'no-such-host.invalid', port: 0 }, exposition),
    /^Error: cannot listen on no-such-host\.invalid:0: (unknown host name|the host name cannot be resolved now)$/,
  );
});

test('IPv6 loopback in brackets', async () => {
  const v6 = await serveMetrics({ host: '::1', port: 0 }, exposition);
  try {
    const r = await fetchRaw(v6.address.port, 'GET', '/metrics', '::1');
    assert.equal(r.body, BODY);
  } finally {
    await v6.close();
  }
});
