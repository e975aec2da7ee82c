// The real binary with the real drain addon over a directory that plays the kernel's proc files.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BURSTS_CSV_HEADER, burstCsvLine, findBursts } from '../../../tui/src/windows/bursts.js';
import { parseReplay } from '../../../tui/src/export/replay.js';
import { parseThresholds } from '../../../tui/src/windows/threshold.js';
import { sleep, waitFor } from '../helpers.js';

const CLI = fileURLToPath(new URL('../../../tui/src/cli.js', import.meta.url));
const P = 10_000_000n; // 10 ms windows
const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A proc dir with set `web`: stats say 100 frames / 10000 bytes so far; stream grows on demand. */
function fakeProc(): { dir: string; data: string } {
  const dir = mkdtempSync(join(tmpdir(), 'pktstat-cli-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'web'));
  writeFileSync(join(dir, 'web', 'config'), `name: web\nperiod_ns: ${P}\ncapacity: 64\nrules: 1\n`);
  writeFileSync(join(dir, 'web', 'stats'), 'frames: 100\nbytes: 10000\nsamples: 0\nlost: 0\nqueued: 0\n');
  writeFileSync(join(dir, 'web', 'stream'), '# timestamp frames bytes\n');
  return { dir, data: join(dir, 'web', 'stream') };
}

const nowNs = () => BigInt(Date.now()) * 1_000_000n;

/** Appends samples for windows a little in the future (the fake kernel may run ahead). */
function traffic(data: string): { first: bigint } {
  const w = ((nowNs() + 300_000_000n) / P) * P; // 300 ms from now
  appendFileSync(
    data,
    `${w} 103 10300\n${w + P} 110 11000\n# lost 2\n${w + 5n * P} 150 15000\n${w + 6n * P} 151 15064\n`,
  );
  return { first: w };
}

function checkRows(text: string, first: bigint): void {
  const { rows } = parseReplay(text, 'export'); // header, tiling and widths are checked there
  const at = (t: bigint) => rows.find((r) => r.startNs === t);
  assert.deepEqual(at(first), { startNs: first, endNs: first + P, frames: 3n, bytes: 300n, lost: 0n });
  assert.deepEqual(at(first + P), { startNs: first + P, endNs: first + 2n * P, frames: 7n, bytes: 700n, lost: 0n });
  assert.deepEqual(at(first + 2n * P), {
    startNs: first + 2n * P,
    endNs: first + 6n * P,
    frames: 40n,
    bytes: 4000n,
    lost: 2n,
  });
  assert.deepEqual(at(first + 6n * P), {
    startNs: first + 6n * P,
    endNs: first + 7n * P,
    frames: 1n,
    bytes: 64n,
    lost: 0n,
  });
  // Idle windows around the traffic are zero rows; the sums are the counters' growth.
  assert.ok(rows[0].startNs < first && rows[rows.length - 1].endNs > first + 7n * P, 'idle rows before and after');
  for (const r of rows)
    if (r.startNs < first || r.startNs >= first + 7n * P) assert.equal(r.frames + r.bytes + r.lost, 0n);
  assert.equal(
    rows.reduce((s, r) => s + r.frames, 0n),
    51n,
  );
  assert.equal(
    rows.reduce((s, r) => s + r.bytes, 0n),
    5064n,
  );
}

/** Starts `--export csv` of set web into `out`, once its header is there; stderr() is what it said so far. */
async function startExport(dir: string, args: readonly string[], out: string) {
  const child = spawn(process.execPath, [
    CLI,
    '--proc-dir',
    dir,
    '--rule',
    'web',
    '--export',
    'csv',
    ...args,
    '--output',
    out,
  ]);
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  await waitFor(
    'the export to start',
    () => existsSync(out) && readFileSync(out, 'utf8').startsWith('start_ns'),
    15_000,
  );
  return { child, stderr: () => stderr };
}

test('--export csv --duration --output: exact rows around traffic, idle zeros and a lost stretch', async () => {
  const { dir, data } = fakeProc();
  const out = join(dir, 'web.csv');
  const t0 = nowNs();
  const { child, stderr } = await startExport(dir, ['--duration', '1s'], out);
  const header = nowNs();
  const { first } = traffic(data);
  const [code] = await once(child, 'exit');
  assert.equal(stderr(), '');
  assert.equal(code, 0);
  const text = readFileSync(out, 'utf8');
  checkRows(text, first);
  const { rows } = parseReplay(text, 'export');
  // The first row is the first window starting after the export began (before its header).
  assert.ok(
    rows[0].startNs >= t0 && rows[0].startNs <= header + P,
    `first row ${header - rows[0].startNs} ns before the header`,
  );
  // --duration 1s: the rows reach at least 900 ms past the header.
  assert.ok(rows[rows.length - 1].endNs - header >= 900_000_000n);
});

test('--export csv to stdout stops on SIGTERM after every complete row', async () => {
  const { dir, data } = fakeProc();
  const child = spawn(process.execPath, [CLI, '--proc-dir', dir, '--rule', 'web', '--export', 'csv']);
  let stdout = '';
  child.stdout.on('data', (d) => (stdout += d));
  await waitFor('the export to start', () => stdout.startsWith('start_ns'), 15_000);
  const { first } = traffic(data);
  await sleep(900);
  const stopAt = nowNs();
  child.kill('SIGTERM');
  const [code] = await once(child, 'exit');
  assert.equal(code, 0);
  checkRows(stdout, first);
  const { rows } = parseReplay(stdout, 'export');
  // Every window that ended before the signal is there.
  assert.ok(
    rows[rows.length - 1].endNs >= stopAt - P,
    `last row ends ${stopAt - rows[rows.length - 1].endNs} ns before the signal`,
  );
});

test('--duration past 2^31 ms (600h) keeps the export running until a signal; --output is made 0600', async () => {
  const { dir } = fakeProc();
  const out = join(dir, 'week.csv');
  // A umask that leaves group and other their bits: the file's mode is the export's own choice.
  const umask = process.umask(0o002);
  const { child, stderr } = await startExport(dir, ['--duration', '600h'], out);
  process.umask(umask);
  await sleep(500);
  assert.equal(child.exitCode, null, 'the export is still running 500 ms later');
  assert.equal(statSync(out).mode & 0o777, 0o600);
  child.kill('SIGTERM');
  const [code] = await once(child, 'exit');
  assert.equal(code, 0);
  assert.equal(stderr(), '');
});

test('--output is never written through a symbolic link: one line, exit 1, the file it points to untouched', async () => {
  const { dir } = fakeProc();
  const precious = join(dir, 'precious');
  writeFileSync(precious, 'keep\n');
  const link = join(dir, 'link.csv');
  symlinkSync(precious, link);
  const r = await run(['--proc-dir', dir, '--rule', 'web', '--export', 'csv', '--duration', '1s', '--output', link]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, `pktstat-top: cannot write ${link}: it is a symbolic link, which is not followed\n`);
  assert.equal(readFileSync(precious, 'utf8'), 'keep\n');
});

test('--export csv ends quietly when the reader closes the pipe', async () => {
  const { dir } = fakeProc();
  const child = spawn(process.execPath, [CLI, '--proc-dir', dir, '--rule', 'web', '--export', 'csv']);
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  await once(child.stdout, 'data');
  child.stdout.destroy();
  const [code] = await once(child, 'exit');
  assert.equal(stderr, '');
  assert.equal(code, 0);
});

test('--export bursts and --export csv of the same traffic: the bursts are those of the windows', async () => {
  const { dir, data } = fakeProc();
  const common = ['--proc-dir', dir, '--rule', 'web', '--duration', '1500ms', '--output'];
  const windows = spawn(process.execPath, [CLI, ...common, join(dir, 'w.csv'), '--export', 'csv']);
  // 250 pps at 10 ms: a window of more than 2 frames is hot; 100 kbps: more than 125 bytes.
  const bursts = spawn(process.execPath, [
    CLI,
    ...common,
    join(dir, 'b.csv'),
    '--export',
    'bursts',
    '--threshold',
    '250pps',
    '--threshold',
    '100kbps',
  ]);
  const started = (f: string) => existsSync(join(dir, f)) && readFileSync(join(dir, f), 'utf8').includes('\n');
  await waitFor('both exports to start', () => started('w.csv') && started('b.csv'), 15_000);
  const w = ((nowNs() + 300_000_000n) / P) * P;
  // Frames per window: 3, 7, 1 (bytes 200: hot by bps alone), 1, then a lost stretch of 2 windows
  // with 40 frames, then 9, then idle.
  appendFileSync(
    data,
    `${w} 103 10300\n${w + P} 110 11000\n${w + 2n * P} 111 11200\n${w + 3n * P} 112 11210\n` +
      `# lost 2\n${w + 6n * P} 152 15210\n${w + 7n * P} 161 16110\n`,
  );
  const [[wc], [bc]] = await Promise.all([once(windows, 'exit'), once(bursts, 'exit')]);
  assert.deepEqual([wc, bc], [0, 0]);
  const text = readFileSync(join(dir, 'b.csv'), 'utf8');
  assert.equal(
    text,
    'start_ns,end_ns,windows,frames,bytes,peak_frames,peak_bytes\n' +
      `${w},${w + 3n * P},3,11,1200,7,700\n` +
      `${w + 7n * P},${w + 8n * P},1,9,900,9,900\n`,
  );
  // The second oracle: SPEC section 4 worked out again from the other export's windows.
  const { rows } = parseReplay(readFileSync(join(dir, 'w.csv'), 'utf8'), 'windows');
  const again = findBursts(rows, P, parseThresholds(['250pps', '100kbps']));
  assert.equal(BURSTS_CSV_HEADER + again.map(burstCsvLine).join(''), text);
});

test('an unknown rule is one line naming the sets that exist, exit 1', async () => {
  const { dir } = fakeProc();
  const child = spawn(process.execPath, [CLI, '--proc-dir', dir, '--rule', 'nope', '--export', 'csv']);
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const [code] = await once(child, 'exit');
  assert.equal(code, 1);
  assert.equal(
    stderr,
    `pktstat-top: unknown rule 'nope': no ${dir}/nope (counter sets here: web); add it with iptables -m pktstat --name nope\n`,
  );
});

/** Runs the binary to its end; stdin is not a terminal. */
async function run(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

test('an unknown option or a stray argument is one line naming it, exit 2, before anything runs', async () => {
  const { dir } = fakeProc();
  const out = join(dir, 'never.csv');
  const cases: [string[], string][] = [
    [['--serv', '9977'], "unknown option '--serv': see pktstat-top --help"],
    [['--rule', '0', '--expot', 'csv'], "unknown option '--expot': see pktstat-top --help"],
    [['--rule', 'web', '--export', 'csv', '--proc-dir', dir, '--output', out, '-x'], "unknown option '-x'"],
    [
      ['--proc-dir', dir, '--rule', 'web', '--export', 'csv', '--output', out, '--outptu=f'],
      "unknown option '--outptu'",
    ],
    [['--rule', 'web', 'csv'], "unexpected argument 'csv': see pktstat-top --help"],
    [['--proc-dir', dir, '--export', 'csv', '--rule', 'web', '--output', out, '--', 'x'], "unexpected argument 'x'"],
    [['--rule'], "option '--rule' needs a value"],
    [['--rule', '--export', 'csv'], "option '--rule' needs a value"],
    [['--rule', 'a', '--rule', 'b'], "option '--rule' is given twice"],
    [['--export', 'csv', '--rule', 'web', '--replay', 'x.csv'], '--export and --replay cannot be combined'],
    [['--output', out], '--output does not apply to the dashboard'],
    [['--replay', 'x.csv', '--proc-dir', dir], '--proc-dir does not apply to --replay'],
    [['--export', 'xml', '--rule', 'web'], '--export xml: the formats are csv, bursts'],
    [['--export', 'bursts', '--rule', 'web'], '--export bursts needs --threshold RATE'],
    [['--export', 'csv', '--rule', 'web', '--threshold', '1kpps'], '--threshold does not apply to --export csv'],
    [['--replay', 'x.csv', '--threshold', '5x'], "--threshold '5x': expected a rate such as 50kpps or 800Mbps"],
    [
      ['--threshold', '1kpps', '--threshold', '2kpps'],
      "--threshold '2kpps': a pps threshold is already set (1kpps); give one per unit",
    ],
    [['--export', 'csv'], '--export csv needs --rule NAME: the counter set to export'],
    [['--duration', '10x', '--replay', 'x.csv'], "--duration '10x' has an unknown unit 'x'"],
  ];
  const results = await Promise.all(cases.map(([args]) => run(args)));
  cases.forEach(([args, message], i) => {
    const r = results[i];
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout, '', args.join(' '));
    assert.match(r.stderr, /^pktstat-top: [^\n]+\n$/, `${args.join(' ')}: one line`);
    assert.ok(r.stderr.includes(message), `${args.join(' ')}: ${JSON.stringify(r.stderr)} names ${message}`);
  });
  assert.equal(existsSync(out), false, 'no export started');
});

test('--help is the usage and exit 0; a runtime failure is exit 1, not 2', async () => {
  const help = await run(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--export csv {7}no dashboard/);
  const missing = await run(['--replay', '/nonexistent/x.csv']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^pktstat-top: cannot read replay file \/nonexistent\/x\.csv: ENOENT\n$/);
});
