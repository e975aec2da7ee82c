// The fleet kit in contrib/prometheus: Prometheus's own tools accept the rules, the rules' unit
// tests pass, the scrape example is a valid config, and `make install-unit` installs a unit
// that systemd accepts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const KIT = join(REPO, 'contrib/prometheus');

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
    assert.match(
      readFileSync(unit, 'utf8'),
      new RegExp(`^ExecStart=${prefix}/bin/pktstat-top --serve 127\\.0\\.0\\.1:9858$`, 'm'),
    );
    mkdirSync(join(prefix, 'bin'));
    symlinkSync(join(REPO, 'dist/tui/src/cli.js'), join(prefix, 'bin/pktstat-top'));
    if (spawnSync('systemd-analyze', ['--version']).error) t.diagnostic('systemd-analyze missing: unit not verified');
    else {
      const v = run('systemd-analyze', ['verify', unit]);
      assert.equal(v.code, 0, v.out);
    }
    r = run('make', ['-s', 'uninstall-unit', `PREFIX=${prefix}`, 'DESTDIR='], REPO);
    assert.equal(r.code, 0, r.out);
    assert.throws(() => readFileSync(unit));
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
