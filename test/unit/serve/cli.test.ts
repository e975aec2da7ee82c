// `pktstat-top --serve` as a process: its command line, its one-line failures and their exit
// statuses, and a clean end on SIGTERM.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../helpers.js';

const CLI = fileURLToPath(new URL('../../../tui/src/cli.js', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'pktstat-serve-cli-'));
chmodSync(root, 0o755);
after(() => rmSync(root, { recursive: true, force: true }));
const absent = join(root, 'absent');

function start(args: string[], asNobody = false) {
  const argv = asNobody
    ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, CLI, ...args]
    : [process.execPath, CLI, ...args];
  const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d) => (out.stdout += d));
  child.stderr.on('data', (d) => (out.stderr += d));
  const exit = once(child, 'exit') as Promise<[number | null, string | null]>;
  return { child, out, exit };
}

async function run(args: string[], asNobody = false) {
  const p = start(args, asNobody);
  const [code] = await p.exit;
  return { code, ...p.out };
}

test('mistakes in --serve, --threshold and --peak-interval are one line and exit 2', async () => {
  const cases: [string[], string][] = [
    [['--serve', '99999'], "--serve '99999': '99999' is not a port"],
    [['--serve', '::1:9100'], "--serve '::1:9100': an IPv6 address goes in brackets"],
    [['--serve', '0', '--export', 'csv', '--rule', 'x'], '--export and --serve cannot be combined'],
    [['--serve', '0', '--output', 'f'], '--output does not apply to --serve'],
    [['--serve', '0', '--threshold', '5x'], "threshold '5x': expected a rate"],
    [['--serve', '0', '--threshold', '5kpps', '--threshold', '6kpps'], 'a pps threshold is already set'],
    [['--serve', '0', '--peak-interval', '1500ms'], "--peak-interval '1500ms' is not a whole number of seconds"],
    [['--serve', '0', '--peak-interval', '0'], "--peak-interval '0' is not a whole number of seconds"],
    [['--serve'], "option '--serve' needs a value"],
  ];
  const results = await Promise.all(cases.map(([args]) => run([...args, '--proc-dir', absent])));
  cases.forEach(([args, message], i) => {
    const r = results[i];
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^pktstat-top: [^\n]+\n$/, args.join(' '));
    assert.ok(r.stderr.includes(message), `${args.join(' ')}: ${JSON.stringify(r.stderr)} names ${message}`);
  });
});

test('a port in use, a low port without root, a proc dir without permission: one line, exit 1', async (t) => {
  const busy = createServer();
  busy.listen(0, '127.0.0.1');
  await once(busy, 'listening');
  const port = (busy.address() as { port: number }).port;
  try {
    const r = await run(['--serve', `127.0.0.1:${port}`, '--proc-dir', absent]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      new RegExp(`pktstat-top: cannot listen on 127\\.0\\.0\\.1:${port}: the port is in use[^\\n]*\\n$`),
    );
  } finally {
    busy.close();
  }
  if (process.getuid?.() !== 0) {
    t.skip('needs root to drop to nobody');
    return;
  }
  const low = await run(['--serve', '127.0.0.1:81', '--proc-dir', absent], true);
  assert.equal(low.code, 1);
  assert.match(
    low.stderr,
    /pktstat-top: cannot listen on 127\.0\.0\.1:81: permission denied: ports below 1024 need root[^\n]*\n$/,
  );
  const locked = join(root, 'locked');
  mkdirSync(locked, { mode: 0o700 });
  const denied = await run(['--serve', '127.0.0.1:0', '--proc-dir', locked], true);
  assert.equal(denied.code, 1);
  assert.match(denied.stderr, /^pktstat-top: cannot list [^\n]*locked: not permitted, run pktstat-top as root\n$/);
});

test('SIGTERM ends it cleanly: exit 0, the port closed, nothing more said', async () => {
  const p = start(['--serve', '[::1]:0', '--proc-dir', absent]);
  const line = await waitFor(
    'the listening line',
    () => /serving (http:\/\/\[::1\]:(\d+)\/metrics)\n/.exec(p.out.stderr) ?? undefined,
  );
  const url = line[1];
  const res = await fetch(url);
  assert.equal(res.status, 200);
  assert.match(await res.text(), /^pktstat_module_loaded 0$/m);
  assert.equal((await fetch(url.replace('/metrics', '/'))).status, 404);
  assert.equal((await fetch(url, { method: 'POST' })).status, 405);
  p.child.kill('SIGTERM');
  const [code, signal] = await p.exit;
  assert.equal(signal, null);
  assert.equal(code, 0);
  assert.equal(p.out.stdout, '');
  assert.deepEqual(p.out.stderr.trim().split('\n'), [
    `pktstat-top: ${absent} is missing: the module is not loaded; serving pktstat_module_loaded 0 until it is`,
    `pktstat-top: serving ${url}`,
  ]);
  await assert.rejects(fetch(url));
});

test('--web.config.file: a bad one is one line and exit 2 before listening; with it, the protection is said', async () => {
  const bad = join(root, 'bad-web.yml');
  writeFileSync(bad, 'tls_server_config:\n  cert_file: /nonexistent.pem\n  key_file: /nonexistent.key\n');
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const r = await run(['--serve', `127.0.0.1:${port}`, '--web.config.file', bad, '--proc-dir', absent]);
  assert.equal(r.code, 2);
  assert.equal(
    r.stderr,
    `pktstat-top: --web.config.file ${bad}: tls_server_config.cert_file /nonexistent.pem: cannot read it: ENOENT\n`,
  );
  assert.equal(
    (await run(['--web.config.file', bad])).stderr,
    'pktstat-top: --web.config.file does not apply to the dashboard\n',
  );
  const open = join(root, 'open-web.yml');
  writeFileSync(open, 'http_server_config:\n  headers:\n    X-Frame-Options: deny\n');
  const p = start(['--serve', `127.0.0.1:0`, `--web.config.file=${open}`, '--proc-dir', absent]);
  await waitFor('the configuration line', () => (p.out.stderr.includes('web configuration') ? true : undefined));
  p.child.kill('SIGTERM');
  await p.exit;
  assert.match(p.out.stderr, /\npktstat-top: web configuration: no TLS, no authentication\n$/);
});

test('beyond loopback without credentials asked: one line of warning; on loopback none', async () => {
  const p = start(['--serve', '0.0.0.0:0', '--proc-dir', absent]);
  const warning = await waitFor('the warning', () => /pktstat-top: warning: [^\n]*\n/.exec(p.out.stderr)?.[0]);
  p.child.kill('SIGTERM');
  await p.exit;
  assert.equal(
    warning,
    "pktstat-top: warning: 0.0.0.0:0 is reachable beyond this machine and asks no credentials: anyone who reaches it reads this host's per-rule traffic, in clear text; see --web.config.file\n",
  );
  const local = start(['--serve', '127.0.0.1:0', '--proc-dir', absent]);
  await waitFor('the listening line', () => (local.out.stderr.includes('serving') ? true : undefined));
  local.child.kill('SIGTERM');
  await local.exit;
  assert.doesNotMatch(local.out.stderr, /warning/);
});
