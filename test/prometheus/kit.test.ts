// The fleet kit in contrib/prometheus: Prometheus's own tools accept the rules, the rules' unit
// tests pass, the scrape example is a valid config, the web configuration example is accepted
// by promtool and pktstat-top, and `make install-unit` installs a hardened unit that systemd
// accepts, with the user it runs as.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { makePki } from '../unit/serve/pki.js';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const KIT = join(REPO, 'contrib/prometheus');
const CLI = join(REPO, 'dist/tui/src/cli.js');

function run(cmd: string, args: string[], cwd = KIT) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

test('promtool check rules accepts the recording and alerting rules', () => {
  const r = run('promtool', ['check', 'rules', 'pktstat.rules.yml']);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /SUCCESS: 9 rules found/);
});

test('promtool test rules: every alert fires when it should and only then', () => {
  const r = run('promtool', ['test', 'rules', 'pktstat.rules.test.yml']);
  assert.equal(r.code, 0, r.out);
  const rules = readFileSync(join(KIT, 'pktstat.rules.yml'), 'utf8');
  const tests = readFileSync(join(KIT, 'pktstat.rules.test.yml'), 'utf8');
  const alerts = [...rules.matchAll(/- alert: (\w+)/g)].map((m) => m[1]);
  assert.deepEqual(alerts, [
    'PktstatExporterDown',
    'PktstatExporterBlind',
    'PktstatSamplesLost',
    'PktstatBursts',
    'PktstatWindowsAboveLevel',
  ]);
  for (const a of alerts) assert.match(tests, new RegExp(`alertname: ${a}\\n\\s+exp_alerts:\\n\\s+- exp_labels`), a);
});

test('the scrape example is a valid Prometheus configuration', () => {
  const r = run('promtool', ['check', 'config', 'prometheus.yml']);
  assert.equal(r.code, 0, r.out);
});

test('make install-unit puts the unit under DESTDIR with PREFIX/bin; systemd accepts it; uninstall-unit removes it', (t) => {
  const dest = mkdtempSync(join(tmpdir(), 'pktstat-unit-'));
  try {
    const prefix = join(dest, 'opt');
    let r = run('make', ['-s', 'install-unit', `PREFIX=${prefix}`, 'DESTDIR='], REPO);
    assert.equal(r.code, 0, r.out);
    const unit = join(prefix, 'lib/systemd/system/pktstat-exporter.service');
    const text = readFileSync(unit, 'utf8');
    assert.match(text, new RegExp(`^ExecStart=${prefix}/bin/pktstat-top --serve 127\\.0\\.0\\.1:9858$`, 'm'));
    // Its own user, one capability (reading root's 0400 proc files), the checkout visible read-only.
    for (const line of [
      'User=pktstat-exporter',
      'CapabilityBoundingSet=CAP_DAC_READ_SEARCH',
      'AmbientCapabilities=CAP_DAC_READ_SEARCH',
      'NoNewPrivileges=yes',
      `BindReadOnlyPaths=${REPO.replace(/\/$/, '')}`,
    ])
      assert.match(text, new RegExp(`^${line}$`, 'm'), line);
    const sysusers = join(prefix, 'lib/sysusers.d/pktstat-exporter.conf');
    assert.match(readFileSync(sysusers, 'utf8'), /^u pktstat-exporter - /m);
    mkdirSync(join(prefix, 'bin'));
    symlinkSync(join(REPO, 'dist/tui/src/cli.js'), join(prefix, 'bin/pktstat-top'));
    if (spawnSync('systemd-analyze', ['--version']).error) t.diagnostic('systemd-analyze missing: unit not verified');
    else {
      const v = run('systemd-analyze', ['verify', unit]);
      assert.equal(v.code, 0, v.out);
      const score = run('systemd-analyze', ['security', '--offline=yes', unit]);
      const m = /Overall exposure level for pktstat-exporter\.service: (\d+\.\d) (\w+)/.exec(score.out);
      assert.ok(m !== null, score.out);
      t.diagnostic(`systemd-analyze security: ${m[1]} ${m[2]}`);
      assert.ok(Number(m[1]) <= 2.0 && m[2] === 'OK', score.out);
    }
    r = run('make', ['-s', 'uninstall-unit', `PREFIX=${prefix}`, 'DESTDIR='], REPO);
    assert.equal(r.code, 0, r.out);
    assert.throws(() => readFileSync(unit));
    assert.throws(() => readFileSync(sysusers));
  } finally {
    rmSync(dest, { recursive: true, force: true });
  }
});

test('the Grafana dashboard has the heatmap of window frames, the peak gauges and the burst rate', () => {
  const d = JSON.parse(readFileSync(join(KIT, 'grafana-dashboard.json'), 'utf8')) as {
    panels: { type: string; targets: { expr: string; format?: string }[] }[];
  };
  const exprs = (type: string) => d.panels.filter((p) => p.type === type).flatMap((p) => p.targets);
  assert.ok(exprs('heatmap').some((x) => x.format === 'heatmap' && x.expr.includes('pktstat_window_frames_bucket')));
  const series = exprs('timeseries').map((x) => x.expr);
  assert.ok(series.some((e) => e.includes('pktstat_window_frames_max')));
  assert.ok(series.some((e) => e.includes('pktstat_window_bytes_max')));
  assert.ok(series.some((e) => /rate\(pktstat_bursts_total/.test(e)));
});

test('the web configuration example: promtool check web-config and pktstat-top accept it, its certificate files beside it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pktstat-kit-web-'));
  try {
    const pki = makePki(join(dir, 'pki'));
    copyFileSync(join(KIT, 'web-config.yml'), join(dir, 'web-config.yml'));
    copyFileSync(pki.server.cert, join(dir, 'pktstat-exporter.crt'));
    copyFileSync(pki.server.key, join(dir, 'pktstat-exporter.key'));
    const p = run('promtool', ['check', 'web-config', 'web-config.yml'], dir);
    assert.equal(p.code, 0, p.out);
    assert.match(p.out, /web-config\.yml SUCCESS/);
    const e = run(
      process.execPath,
      [
        CLI,
        '--serve',
        '127.0.0.1:0',
        '--web.config.file',
        'web-config.yml',
        '--proc-dir',
        join(dir, 'none'),
        '--duration',
        '1s',
      ],
      dir,
    );
    assert.equal(e.code, 0, e.out);
    assert.match(e.out, /^pktstat-top: serving https:\/\/127\.0\.0\.1:\d+\/metrics$/m);
    assert.match(e.out, /^pktstat-top: web configuration: TLS TLSv1\.2-TLSv1\.3, basic authentication \(1 user\)$/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
