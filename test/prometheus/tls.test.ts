// pktstat-top --serve with --web.config.file under a real Prometheus: one exporter over plain
// HTTP, one over HTTPS with basic authentication (the fleet kit's web-config.yml, scraped with
// the kit's scrape_config), one asking a client certificate, all three on one proc dir and
// scraped by one Prometheus; they must give the same numbers. Then hostile clients, each refused
// while good scrapes go on undisturbed.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  appendFileSync,
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { connect as tcpConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { connect as tlsConnect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { hashSync } from 'bcryptjs';
import { parse } from 'yaml';
import { HEADER, line } from '../unit/addon/fixture.js';
import { httpsGet } from '../unit/serve/https-get.js';
import { makePki } from '../unit/serve/pki.js';
import { LE_ZERO, Prometheus, leKey } from './prometheus.js';

const CLI = fileURLToPath(new URL('../../tui/src/cli.js', import.meta.url));
const KIT = fileURLToPath(new URL('../../../contrib/prometheus/', import.meta.url));
const MS = 1_000_000n;
const nowNs = () => BigInt(Date.now()) * MS;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const root = mkdtempSync(join(tmpdir(), 'pktstat-prom-tls-'));
const procDir = join(root, 'xt_pktstat');
const pki = makePki(join(root, 'pki'));
const PASSWORD = 'a scrape password';
const passwordFile = join(root, 'password');
const prometheus = new Prometheus();
const exporters: { child: ChildProcess; log: string }[] = [];
const ports = { plain: 0, basic: 0, mtls: 0 };

/** 60 windows of 1 ms with traffic, an idle window after each. */
const FRAMES = Array.from({ length: 60 }, (_, i) => BigInt((i % 9) + 1) * BigInt(1 + (i % 4) * 30));
const totalFrames = Number(FRAMES.reduce((a, b) => a + b, 0n));

/** @param webConfig the file, or its text (written to a file), or null */
async function startExporter(webConfig: { file: string } | string | null): Promise<number> {
  const args = [CLI, '--serve', '127.0.0.1:0', '--proc-dir', procDir];
  if (typeof webConfig === 'string') {
    const f = join(root, `web-${exporters.length}.yml`);
    writeFileSync(f, webConfig);
    args.push('--web.config.file', f);
  } else if (webConfig !== null) args.push('--web.config.file', webConfig.file);
  const e = { child: spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] }), log: '' };
  e.child.stderr!.on('data', (d) => (e.log += d));
  exporters.push(e);
  const end = Date.now() + 10_000;
  while (!/serving https?:\/\/127\.0\.0\.1:(\d+)\//.test(e.log)) {
    if (Date.now() > end || e.child.exitCode !== null) throw new Error(`exporter did not start: ${e.log}`);
    await sleep(20);
  }
  return Number(/serving https?:\/\/127\.0\.0\.1:(\d+)\//.exec(e.log)![1]);
}

interface KitJob {
  readonly tls_config: object;
  readonly basic_auth: object;
}

const tls = `tls_server_config:\n  cert_file: ${pki.server.cert}\n  key_file: ${pki.server.key}\n`;

before(async () => {
  mkdirSync(join(procDir, 'a'), { recursive: true });
  writeFileSync(join(procDir, 'a', 'config'), 'name: a\nperiod_ns: 1000000\ncapacity: 1048576\nrules: 1\n');
  writeFileSync(join(procDir, 'a', 'stats'), 'frames: 0\nbytes: 0\nsamples: 0\nlost: 0\nqueued: 0\n');
  writeFileSync(join(procDir, 'a', 'stream'), HEADER + line(((nowNs() - 60_000n * MS) / MS) * MS, 0n, 0n));
  writeFileSync(passwordFile, PASSWORD);
  // The kit's web-config.yml, its certificate files beside it and its hash ours (cost 10 too).
  const kit = join(root, 'kit');
  mkdirSync(kit);
  copyFileSync(pki.server.cert, join(kit, 'pktstat-exporter.crt'));
  copyFileSync(pki.server.key, join(kit, 'pktstat-exporter.key'));
  chmodSync(join(kit, 'pktstat-exporter.key'), 0o400);
  const example = readFileSync(join(KIT, 'web-config.yml'), 'utf8');
  const ours = example.replace(/^( {2}prometheus: )\S+$/m, (_, key: string) => key + hashSync(PASSWORD, 10));
  assert.notEqual(ours, example);
  writeFileSync(join(kit, 'web-config.yml'), ours);
  ports.plain = await startExporter(null);
  ports.basic = await startExporter({ file: join(kit, 'web-config.yml') });
  ports.mtls = await startExporter(
    `${tls}  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ${pki.ca.cert}\n`,
  );
  const target = (port: number) => [{ targets: [`127.0.0.1:${port}`] }];
  // The kit's scrape_config with this machine's target, CA and password file.
  const kitJob = (parse(readFileSync(join(KIT, 'prometheus.yml'), 'utf8')) as { scrape_configs: KitJob[] })
    .scrape_configs[0];
  await prometheus.startJobs([
    { job_name: 'plain', static_configs: target(ports.plain) },
    {
      ...kitJob,
      job_name: 'basic',
      scrape_interval: '1s',
      tls_config: { ...kitJob.tls_config, ca_file: pki.ca.cert },
      basic_auth: { ...kitJob.basic_auth, password_file: passwordFile },
      static_configs: target(ports.basic),
    },
    {
      job_name: 'mtls',
      scheme: 'https',
      tls_config: { ca_file: pki.ca.cert, cert_file: pki.client.cert, key_file: pki.client.key },
      static_configs: target(ports.mtls),
    },
  ]);
});

after(async () => {
  await prometheus.stop();
  for (const e of exporters) {
    if (e.child.exitCode === null && e.child.signalCode === null) {
      const exited = once(e.child, 'exit');
      e.child.kill('SIGKILL');
      await exited;
    }
  }
  rmSync(root, { recursive: true, force: true });
});

const JOBS = ['plain', 'basic', 'mtls'] as const;

test('over HTTPS with basic auth and with a client certificate, Prometheus gets the numbers it gets over HTTP', async () => {
  let t = ((nowNs() + 200n * MS) / MS) * MS;
  let frames = 0n;
  let text = '';
  for (const f of FRAMES) {
    frames += f;
    text += line(t, frames, frames * 100n);
    t += 2n * MS;
  }
  appendFileSync(join(procDir, 'a', 'stream'), text);
  for (const job of JOBS) {
    await prometheus.until(`pktstat_frames_total{job="${job}",set="a"}`, (v) => v === totalFrames);
    await prometheus.until(`pktstat_window_frames_sum{job="${job}",set="a"}`, (v) => v === totalFrames);
    assert.equal((await prometheus.query(`up{job="${job}"}`))[0].value, 1, job);
  }
  // Busy windows per bucket: the idle ones (le="0", which depend on when each began) taken out.
  const busy = await prometheus.query(
    `pktstat_window_frames_bucket{set="a"} - ignoring(le) group_left pktstat_window_frames_bucket{set="a",${LE_ZERO}}`,
  );
  const byJob = (job: string) =>
    Object.fromEntries(busy.filter((s) => s.metric.job === job).map((s) => [leKey(s.metric.le), s.value]));
  assert.equal(byJob('plain')['+Inf'], FRAMES.length);
  assert.equal(byJob('plain')['16'], FRAMES.filter((f) => f <= 16n).length);
  assert.deepEqual(byJob('basic'), byJob('plain'));
  assert.deepEqual(byJob('mtls'), byJob('plain'));
  for (const series of ['pktstat_bytes_total', 'pktstat_window_bytes_sum', 'pktstat_window_frames_max']) {
    const values = JOBS.map(async (job) => (await prometheus.query(`${series}{job="${job}",set="a"}`))[0].value);
    const [plain, ...others] = await Promise.all(values);
    for (const v of others) assert.equal(v, plain, series);
  }
});

/** Everything the server sent on a raw connection until it closed it, and when it did. */
function rawUntilClosed(socket: Socket): Promise<{ data: string; ms: number }> {
  const t0 = Date.now();
  let data = '';
  socket.setEncoding('latin1');
  socket.on('data', (d: string) => (data += d));
  socket.on('error', () => {});
  return new Promise((resolve) => socket.on('close', () => resolve({ data, ms: Date.now() - t0 })));
}

test('hostile clients are each refused while good scrapes go on, undisturbed', async () => {
  const started = Date.now();
  const good = { basic: 0, mtls: 0 };
  let stop = false;
  // Good scrapes every 200 ms, each on a new connection, for as long as the hostile ones last.
  const goodLoop = (async () => {
    while (!stop) {
      const [b, m] = await Promise.all([
        httpsGet(pki.ca, ports.basic, { auth: `prometheus:${PASSWORD}` }),
        httpsGet(pki.ca, ports.mtls, { client: pki.client }),
      ]);
      for (const r of [b, m]) {
        assert.equal(r.status, 200);
        assert.match(r.body, new RegExp(`^pktstat_frames_total\\{set="a"\\} ${totalFrames}$`, 'm'));
      }
      good.basic++;
      good.mtls++;
      await sleep(200);
    }
  })();

  // A slow client (slowloris): TLS, then the request head a byte every half second.
  const slow = tlsConnect({ host: '127.0.0.1', port: ports.basic, ca: readFileSync(pki.ca.cert) });
  const slowClosed = rawUntilClosed(slow);
  await once(slow, 'secureConnect');
  const dribble = setInterval(() => slow.write('X'), 500);
  slow.write('GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
  // One that opens TCP and never begins TLS.
  const silent = tcpConnect(ports.basic, '127.0.0.1');
  const silentClosed = rawUntilClosed(silent);

  const denied = async (auth: string | undefined) => {
    const r = await httpsGet(pki.ca, ports.basic, { auth });
    assert.equal(r.status, 401, String(auth));
    assert.equal(r.headers['www-authenticate'], 'Basic realm="pktstat-top", charset="UTF-8"');
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.doesNotMatch(r.body, /pktstat_/);
  };
  await denied(undefined);
  await denied('prometheus:wrong');
  await denied(`prometheus:${PASSWORD} `);
  await denied(`other:${PASSWORD}`);
  // A flood of wrong passwords: refused, as 401 or (queue full) 503, never 200.
  const flood = await Promise.all(
    Array.from({ length: 40 }, (_, i) => httpsGet(pki.ca, ports.basic, { auth: `prometheus:guess${i}` })),
  );
  for (const r of flood) assert.ok(r.status === 401 || r.status === 503, String(r.status));

  // Plain HTTP to the TLS port: no HTTP answer, the connection closed.
  const plain = tcpConnect(ports.basic, '127.0.0.1');
  const plainClosed = rawUntilClosed(plain);
  plain.write('GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  const p = await plainClosed;
  assert.doesNotMatch(p.data, /pktstat_|^HTTP\/1\.1 200/);

  // Client certificates: expired, of another CA, none.
  for (const [what, client] of [
    ['expired', pki.expiredClient],
    ['untrusted', pki.strangerClient],
    ['none', undefined],
  ] as const)
    await assert.rejects(httpsGet(pki.ca, ports.mtls, { client }), what);

  // An oversized request head, with good credentials: 431.
  const big = await httpsGet(pki.ca, ports.basic, {
    auth: `prometheus:${PASSWORD}`,
    headers: { 'X-Big': 'x'.repeat(20_000) },
  });
  assert.equal(big.status, 431);

  // The slow ones are cut off after 10 s (the head's and the handshake's timeouts).
  const s = await slowClosed;
  clearInterval(dribble);
  assert.ok(s.ms < 15_000, `the slowloris was held ${s.ms} ms`);
  assert.doesNotMatch(s.data, /pktstat_/);
  const q = await silentClosed;
  assert.ok(q.ms >= 9_000 && q.ms < 15_000, `the silent connection was held ${q.ms} ms`);
  stop = true;
  await goodLoop;
  assert.ok(good.basic >= 20, `${good.basic} good scrapes`);

  // Prometheus's own scrapes all went through meanwhile.
  const seconds = Math.ceil((Date.now() - started) / 1000);
  await sleep(1500);
  for (const job of JOBS) {
    const [min] = await prometheus.query(`min_over_time(up{job="${job}"}[${seconds}s])`);
    assert.equal(min.value, 1, `${job}: a scrape failed while the hostile clients ran`);
  }
  for (const e of exporters) assert.doesNotMatch(e.log, /error|warning/i, e.log);
});
