// Hostile files through --proc-dir: the drain never blocks on one, never holds more than a
// bounded piece of one in memory, and stop() always returns. Each case runs in a child process
// under a timeout and an address-space limit: a drain that hangs or grows fails the test
// instead of hanging the suite or the machine.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, rmSync, symlinkSync, truncateSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { FakeProc, HEADER, line } from './fixture.js';

const T0 = 1764288000000000000n;
const MS = 1_000_000n;
const INDEX = join(dirname(fileURLToPath(import.meta.url)), '../../../addon/index.js');
// Node itself needs well under 2 GB of address space; a drain buffering a hostile file does not fit.
const ADDRESS_SPACE = 2_500_000_000;

const fake = new FakeProc();
after(() => fake.cleanup());

interface ChildResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

/**
 * Runs `body` in a child with `Drain`, `sleep` and `waitFor` in scope; what it prints comes
 * back. The child is killed after timeoutMs.
 */
function child(body: string, timeoutMs = 20_000): ChildResult {
  const script = `import { Drain } from ${JSON.stringify(INDEX)};
    const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
    async function waitFor(what, check) {
      for (const end = Date.now() + 10000; !check(); await sleep(10))
        if (Date.now() > end) throw new Error('timed out waiting for ' + what);
    }
    ${body}`;
  const r = spawnSync('prlimit', [`--as=${ADDRESS_SPACE}`, process.execPath, '--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
  });
  return { stdout: r.stdout, stderr: r.stderr, timedOut: r.error !== undefined || r.signal === 'SIGKILL' };
}

function assertFinished(r: ChildResult, what: string): void {
  assert.equal(r.timedOut, false, `${what}: the child hung (killed after its timeout); it printed:\n${r.stdout}`);
  assert.equal(r.stderr, '', what);
}

/** Replaces a set's file with something else. */
function replace(set: string, file: string, make: (path: string) => void): void {
  const path = join(fake.dir, set, file);
  rmSync(path);
  make(path);
}

test('anything but a regular file is refused without blocking: a FIFO as stream or config, /dev/zero', () => {
  fake.addSet('fifo', MS, 100);
  replace('fifo', 'stream', (p) => assert.equal(spawnSync('mkfifo', [p]).status, 0));
  fake.addSet('fifocfg', MS, 100);
  replace('fifocfg', 'config', (p) => assert.equal(spawnSync('mkfifo', [p]).status, 0));
  fake.addSet('zero', MS, 100);
  replace('zero', 'stream', (p) => symlinkSync('/dev/zero', p));
  const names = ['fifo', 'fifocfg', 'zero'];
  const r = child(`
    const drain = new Drain({ procDir: ${JSON.stringify(fake.dir)}, names: ${JSON.stringify(names)}, rescanMs: 20 });
    drain.start();
    console.log('started');
    await waitFor('an error on every set', () => drain.status().every((s) => s.error !== null));
    await sleep(200); // /dev/zero, if it were read, would be read now
    for (const s of drain.status()) console.log(s.error);
    console.log('rss MiB', Math.round(process.memoryUsage().rss / 1048576));
    drain.stop();
    console.log('stopped');`);
  assertFinished(r, 'FIFOs and /dev/zero');
  const lines = r.stdout.trim().split('\n');
  assert.deepEqual(
    lines.filter((l) => l.startsWith('set ')),
    [
      `set fifo: cannot read ${fake.dir}/fifo/stream: not a regular file`,
      `set fifocfg: cannot read ${fake.dir}/fifocfg/config: not a regular file`,
      `set zero: cannot read ${fake.dir}/zero/stream: not a regular file`,
    ],
  );
  assert.equal(lines[0], 'started');
  assert.equal(lines.at(-1), 'stopped');
});

/** A set whose `stream` is the header, then `holeBytes` of NULs (a sparse file), then `tail`. */
function sparseSet(name: string, holeBytes: number, tail: string): void {
  fake.addSet(name, MS, 100);
  const path = join(fake.dir, name, 'stream');
  truncateSync(path, HEADER.length + holeBytes);
  const fd = openSync(path, 'a');
  writeSync(fd, tail);
  closeSync(fd);
}

test('a line without end is cut at 128 bytes: 256 MiB of NULs cost no memory, the line after it arrives', () => {
  sparseSet('endless', 256 * 1048576, `\n${line(T0, 7n, 700n)}`);
  const r = child(`
    const before = process.resourceUsage().maxRSS;
    const drain = new Drain({ procDir: ${JSON.stringify(fake.dir)}, names: ['endless'], rescanMs: 20 });
    drain.start();
    const frames = [];
    await waitFor('the sample after the long line', () => {
      for (const b of drain.take()) frames.push(...b.frames);
      return frames.length > 0;
    });
    drain.stop();
    console.log(drain.events().filter((e) => e.type === 'error').map((e) => e.message).join('\\n'));
    console.log('frames', frames.join(' '));
    console.log('grew KiB', process.resourceUsage().maxRSS - before);`);
  assertFinished(r, '256 MiB line');
  const lines = r.stdout.trim().split('\n');
  assert.deepEqual(lines.slice(0, 2), [
    `set endless: stream: line longer than 128 bytes: "${'?'.repeat(48)}..."`,
    'frames 7',
  ]);
  const grewKiB = Number(lines[2]!.split(' ').at(-1));
  assert.ok(grewKiB < 64 * 1024, `the drain grew the process by ${grewKiB} KiB reading one long line`);
});

test('a round reads at most 4 MiB: a 64 MiB stream of samples costs a bounded piece of memory, all counted', () => {
  // 11,184,810 samples of 6 bytes, more than the 1000 a queue holds: the rest are dropped, counted.
  const samples = Math.floor((64 * 1048576) / 6);
  fake.addSet('flood', MS, 1_000_000); // the next round 250 ms later: the status is the first round's
  const fd = openSync(join(fake.dir, 'flood', 'stream'), 'a');
  const chunk = Buffer.from('0 0 0\n'.repeat(1 << 16));
  for (let left = samples; left > 0; left -= 1 << 16) writeSync(fd, chunk, 0, Math.min(left, 1 << 16) * 6);
  closeSync(fd);
  const r = child(`
    const before = process.resourceUsage().maxRSS;
    const drain = new Drain({ procDir: ${JSON.stringify(fake.dir)}, names: ['flood'], queueCapacity: 1000, rescanMs: 20 });
    drain.start();
    let st;
    await waitFor('a whole round', () => (st = drain.status()[0]).reads > 0n);
    drain.stop();
    console.log(\`\${st.samplesRead} \${st.queueLength} \${st.queueDropped} \${st.lastReadSamples}\`);
    console.log('grew KiB', process.resourceUsage().maxRSS - before);`);
  assertFinished(r, '64 MiB of samples');
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines[0], `${samples} 1000 ${samples - 1000} ${samples}`);
  const grewKiB = Number(lines[1]!.split(' ').at(-1));
  // 4 MiB of 6-byte lines is 700k records of 32 bytes: 22 MiB, 32 MiB once the vector doubles.
  assert.ok(grewKiB < 96 * 1024, `the drain grew the process by ${grewKiB} KiB reading 64 MiB`);
});

test('stop() returns while a 1 TiB stream is being read, and the read held no more than a piece of it', () => {
  sparseSet('huge', 2 ** 40, '');
  const r = child(`
    const before = process.resourceUsage().maxRSS;
    const drain = new Drain({ procDir: ${JSON.stringify(fake.dir)}, names: ['huge'], rescanMs: 20 });
    drain.start();
    await waitFor('the long line reported', () => drain.status()[0].error !== null);
    await sleep(300);
    const t = Date.now();
    drain.stop();
    console.log('stop ms', Date.now() - t);
    console.log('grew KiB', process.resourceUsage().maxRSS - before);`);
  assertFinished(r, '1 TiB stream');
  const [stop, grew] = r.stdout
    .trim()
    .split('\n')
    .map((l) => Number(l.split(' ').at(-1)));
  assert.ok(stop! < 2000, `stop() took ${stop} ms`);
  assert.ok(grew! < 64 * 1024, `the drain grew the process by ${grew} KiB`);
});
