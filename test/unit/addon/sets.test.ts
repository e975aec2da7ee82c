// Which sets the drain watches, how it schedules them, and how it reports trouble.
import assert from 'node:assert/strict';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { Drain, type DrainEvent } from '../../../addon/index.js';
import { Collector, FakeProc, line, openFds, statsText } from './fixture.js';
import { sleep, waitFor } from '../helpers.js';

const T0 = 1764288000000000000n;
const MS = 1_000_000n;

const fake = new FakeProc();
after(() => fake.cleanup());

test('64 sets at once each deliver their own samples', async () => {
  const names = Array.from({ length: 64 }, (_, i) => `many${i}`);
  const perSet = 50;
  for (const [k, n] of names.entries()) {
    let text = '';
    for (let i = 0; i < perSet; i++)
      text += line(T0 + BigInt(i) * MS, BigInt(k * 1000 + i), BigInt(k * 100_000 + i * 64));
    fake.addSet(n, MS, 1000, text);
  }
  const drain = new Drain({ procDir: fake.dir, names, rescanMs: 50 });
  const got = new Collector(drain);
  const before = openFds();
  drain.start();
  try {
    // One descriptor per set (its samples; `stats` is read at open and closed), plus the
    // thread's wake-up eventfd.
    assert.equal(openFds(), before + names.length + 1);
    for (const n of names) await got.until(n, perSet);
    for (const [k, n] of names.entries()) {
      const s = got.sets.get(n)!;
      assert.equal(s.frames[perSet - 1], BigInt(k * 1000 + perSet - 1));
      assert.equal(s.bytes[7], BigInt(k * 100_000 + 7 * 64));
    }
    assert.deepEqual(
      drain.status().map((s) => s.name),
      [...names].sort(),
    );
    assert.deepEqual(
      drain
        .events()
        .filter((e) => e.type === 'added')
        .map((e) => e.name)
        .sort(),
      [...names].sort(),
    );
  } finally {
    drain.stop();
  }
  assert.equal(openFds(), before);
});

test('sets that appear and go are followed; a removed set closes its descriptor', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pktstat-addon-dyn-'));
  const dyn = Object.assign(Object.create(FakeProc.prototype) as FakeProc, { dir });
  const drain = new Drain({ procDir: dir, rescanMs: 20 });
  const got = new Collector(drain);
  const before = openFds();
  drain.start();
  try {
    assert.deepEqual(drain.status(), []);
    dyn.addSet('x', MS, 100, line(T0, 1n, 10n));
    await got.until('x', 1);
    assert.deepEqual(drain.events(), [{ type: 'added', name: 'x' }]);
    assert.equal(openFds(), before + 2);
    dyn.removeSet('x');
    const ev = await waitFor('removed', () => drain.events().find((e) => e.type === 'removed'));
    assert.deepEqual(ev, { type: 'removed', name: 'x' });
    assert.deepEqual(drain.status(), []);
    assert.equal(openFds(), before + 1);
    // The same name again is a new set: its samples arrive even with older timestamps.
    dyn.addSet('x', MS, 100, line(T0 - MS, 7n, 70n));
    await got.until('x', 2);
    assert.deepEqual(got.sets.get('x')?.frames, [1n, 7n]);
    assert.deepEqual(drain.events(), [{ type: 'added', name: 'x' }]);
  } finally {
    drain.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(openFds(), before);
});

test('samples queued when a set goes are still handed out', async () => {
  fake.addSet('gone', MS, 100, line(T0, 1n, 1n) + line(T0 + MS, 2n, 2n));
  const drain = new Drain({ procDir: fake.dir, names: ['gone'], rescanMs: 20 });
  drain.start();
  try {
    await waitFor('2 queued', () => drain.status()[0]?.queueLength === 2);
    fake.removeSet('gone');
    await waitFor('removed', () => drain.events().some((e) => e.type === 'removed'));
    const batches = drain.take();
    assert.equal(batches.length, 1);
    assert.deepEqual([...batches[0]!.frames], [1n, 2n]);
    assert.deepEqual(drain.take(), []);
  } finally {
    drain.stop();
  }
});

/**
 * The schedule is exact (absolute deadlines): never read more often than the interval (-15 % for
 * the first and last reads' wake-up delays), and a thread starved on a loaded 2-core machine may
 * fall behind by half of it, which still tells it from a schedule of half as often.
 */
const onSchedule = (meanNs: number, intervalNs: number) => meanNs >= intervalNs * 0.85 && meanNs <= intervalNs * 1.5;

test('a config change reschedules the set: four reads per period x capacity, capped at 250 ms', async () => {
  fake.addSet('cfg', MS, 1000, line(T0, 1n, 1n));
  const drain = new Drain({ procDir: fake.dir, names: ['cfg'], rescanMs: 20 });
  drain.start();
  try {
    assert.equal(drain.status()[0]?.drainIntervalNs, 250n * MS);
    fake.config('cfg', 100_000n, 1000); // 100 µs x 1000 / 4 = 25 ms
    await waitFor('new interval', () => drain.status()[0]?.drainIntervalNs === 25n * MS);
    assert.equal(drain.status()[0]?.periodNs, 100_000n);
    // Measured from the first read on the new schedule: mean spacing of read starts over a second.
    const changed = drain.status()[0]!.reads;
    await waitFor('a read on the new schedule', () => drain.status()[0]!.reads > changed);
    const a = drain.status()[0]!;
    await sleep(1000);
    const b = drain.status()[0]!;
    const reads = Number(b.reads - a.reads);
    const meanNs = Number(b.lastReadStartNs - a.lastReadStartNs) / reads;
    assert.ok(reads >= 26, `only ${reads} reads in 1 s`);
    assert.ok(onSchedule(meanNs, 25e6), `mean read interval ${meanNs} ns, want 25 ms`);
  } finally {
    drain.stop();
  }
});

test('sets with different periods are each read on their own schedule', async () => {
  // period x capacity / 4: 5 ms, 12.5 ms and 50 ms.
  const plan = [
    { name: 'fast', period: 100_000n, capacity: 200, interval: 5_000_000 },
    { name: 'mid', period: 500_000n, capacity: 100, interval: 12_500_000 },
    { name: 'slow', period: MS, capacity: 200, interval: 50_000_000 },
  ];
  for (const p of plan) fake.addSet(p.name, p.period, p.capacity);
  const drain = new Drain({ procDir: fake.dir, names: plan.map((p) => p.name), rescanMs: 100 });
  drain.start();
  try {
    await waitFor('first reads', () => drain.status().every((s) => s.reads > 0n));
    const a = drain.status();
    await sleep(1000);
    const b = drain.status();
    for (const p of plan) {
      const sa = a.find((s) => s.name === p.name)!;
      const sb = b.find((s) => s.name === p.name)!;
      assert.equal(sb.drainIntervalNs, BigInt(p.interval));
      const meanNs = Number(sb.lastReadStartNs - sa.lastReadStartNs) / Number(sb.reads - sa.reads);
      assert.ok(onSchedule(meanNs, p.interval), `${p.name}: mean read interval ${meanNs} ns, want ${p.interval}`);
    }
  } finally {
    drain.stop();
  }
});

test('queue overflow drops the new samples, counts them, and owes them to the next sample', async () => {
  let text = '';
  for (let i = 0; i < 25; i++)
    text += (i === 12 ? '# lost 4\n' : '') + line(T0 + BigInt(i) * MS, BigInt(i + 1), BigInt(i + 1) * 100n);
  fake.addSet('full', MS, 1000, text);
  const drain = new Drain({ procDir: fake.dir, names: ['full'], queueCapacity: 10, rescanMs: 20 });
  const got = new Collector(drain);
  drain.start();
  try {
    await waitFor('first read', () => drain.status()[0]!.reads > 0n);
    const st = drain.status()[0]!;
    assert.equal(st.queueLength, 10);
    assert.equal(st.queueDropped, 15n);
    assert.equal(st.kernelLost, 4n);
    assert.equal(st.samplesRead, 25n);
    got.take();
    fake.append('full', line(T0 + 30n * MS, 40n, 4000n));
    await got.until('full', 11);
    const s = got.sets.get('full')!;
    assert.deepEqual(s.frames, [1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n, 10n, 40n]);
    // 15 samples the queue dropped plus the 4 the kernel lost before one of them.
    assert.deepEqual(s.lost, [0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 19n]);
  } finally {
    drain.stop();
  }
});

test('the queues of all sets together are bounded too: what does not fit is dropped, counted, owed', async () => {
  const names = ['all0', 'all1', 'all2'];
  const ten = (k: number) => {
    let text = '';
    for (let i = 0; i < 10; i++) text += line(T0 + BigInt(i) * MS, BigInt(k * 100 + i + 1), 1n);
    return text;
  };
  names.forEach((n, k) => fake.addSet(n, MS, 1000, ten(k)));
  // 30 samples, 10 a set fit each queue; 25 fit the drain.
  const drain = new Drain({ procDir: fake.dir, names, queueCapacity: 10, totalQueueCapacity: 25, rescanMs: 20 });
  const got = new Collector(drain);
  drain.start();
  try {
    await waitFor('first reads', () => drain.status().every((s) => s.reads > 0n));
    const st = drain.status();
    assert.deepEqual(
      st.map((s) => s.samplesRead),
      [10n, 10n, 10n],
    );
    assert.equal(
      st.reduce((n, s) => n + s.queueLength, 0),
      25,
    );
    assert.equal(
      st.reduce((n, s) => n + s.queueDropped, 0n),
      5n,
    );
    got.take();
    // Taken: room again. Each set's next sample announces what its queue could not keep.
    names.forEach((n, k) => fake.append(n, line(T0 + 20n * MS, BigInt(k * 100 + 50), 1n)));
    for (const n of names) await got.until(n, st.find((s) => s.name === n)!.queueLength + 1);
    for (const s of st) {
      const lost = got.sets.get(s.name)!.lost;
      assert.equal(lost.length, s.queueLength + 1, s.name);
      assert.equal(lost.at(-1), s.queueDropped, s.name);
    }
  } finally {
    drain.stop();
  }
});

test('unreadable data and broken config are reported in status and events', async () => {
  fake.addSet('isdir', MS, 100);
  rmSync(join(fake.dir, 'isdir', 'stream'));
  mkdirSync(join(fake.dir, 'isdir', 'stream'));
  fake.addSet('nocfg', MS, 100);
  rmSync(join(fake.dir, 'nocfg', 'config'));
  fake.addSet('badcfg', MS, 100);
  writeFileSync(join(fake.dir, 'badcfg', 'config'), 'name: badcfg\nperiod_ns: 12x\ncapacity: 5\n');
  const names = ['badcfg', 'isdir', 'nocfg'];
  const drain = new Drain({ procDir: fake.dir, names, rescanMs: 20 });
  drain.start();
  try {
    const errors: DrainEvent[] = [];
    await waitFor(
      'three errors',
      () => (errors.push(...drain.events().filter((e) => e.type === 'error')), errors.length >= 3),
    );
    assert.deepEqual(errors.map((e) => e.type === 'error' && e.message).sort(), [
      'set badcfg: config has no valid period_ns',
      `set isdir: cannot read ${fake.dir}/isdir/stream: Is a directory`,
      `set nocfg: cannot read ${fake.dir}/nocfg/config: No such file or directory`,
    ]);
    assert.deepEqual(
      drain.status().map((s) => s.error),
      errors.map((e) => e.type === 'error' && e.message).sort(),
    );
    // Repairing the config clears the error; no event repeats meanwhile.
    fake.config('badcfg', MS, 100);
    await waitFor('badcfg recovered', () => drain.status()[0]?.error === null);
    assert.deepEqual(drain.events(), []);
  } finally {
    drain.stop();
  }
});

test('status carries config and stats at once after start(); then totals come from the samples', async () => {
  // The ring's oldest samples, older than `stats` at open: a new reader gets them first.
  fake.addSet('tot', MS, 100, line(T0, 1200n, 98000n) + line(T0 + MS, 1230n, 99000n));
  writeFileSync(join(fake.dir, 'tot', 'config'), `name: tot\nperiod_ns: ${MS}\ncapacity: 100\nrules: 3\n`);
  const stats = join(fake.dir, 'tot', 'stats');
  writeFileSync(stats, statsText(1234n, 99999n));
  // No rescan during the test: what changes later comes from the reads of the samples.
  const drain = new Drain({ procDir: fake.dir, names: ['tot'], rescanMs: 60_000 });
  const got = new Collector(drain);
  drain.start();
  try {
    const st = drain.status()[0]!;
    assert.deepEqual([st.rules, st.totalFrames, st.totalBytes, st.error], [3, 1234n, 99999n, null]);
    await got.until('tot', 2);
    const old = drain.status()[0]!;
    assert.deepEqual([old.totalFrames, old.totalBytes, old.samplesRead], [1234n, 99999n, 2n]);
    // `stats` runs ahead (the window still open); it is not read again: the sample sets the totals.
    writeFileSync(stats, statsText(1250n, 101000n));
    fake.append('tot', line(T0 + 2n * MS, 1240n, 100599n));
    await got.until('tot', 3);
    const later = drain.status()[0]!;
    assert.deepEqual([later.totalFrames, later.totalBytes, later.lastReadSamples], [1240n, 100599n, 1]);
    // Rounds without traffic: nothing read, totals stay where the newest sample put them.
    const reads = later.reads;
    await waitFor('two more rounds', () => drain.status()[0]!.reads >= reads + 2n);
    const idle = drain.status()[0]!;
    assert.deepEqual([idle.totalFrames, idle.totalBytes, idle.lastReadSamples], [1240n, 100599n, 0]);
    // A sample with as many frames as the totals is the same instant: it keeps them exact.
    fake.append('tot', line(T0 + 3n * MS, 1240n, 100599n) + line(T0 + 4n * MS, 1251n, 101100n));
    await got.until('tot', 5);
    const two = drain.status()[0]!;
    assert.deepEqual([two.totalFrames, two.totalBytes, two.lastReadSamples], [1251n, 101100n, 2]);
  } finally {
    drain.stop();
  }
});

test('a recreated set starts again from its own `stats`; one whose `stats` failed reads it on recovery', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pktstat-addon-tot-'));
  const dyn = Object.assign(Object.create(FakeProc.prototype) as FakeProc, { dir });
  dyn.addSet('re', MS, 100, line(T0, 10n, 1000n), statsText(12n, 1100n));
  const drain = new Drain({ procDir: dir, rescanMs: 20 });
  const got = new Collector(drain);
  const totals = () => {
    const st = drain.status().find((s) => s.name === 're');
    return st && [st.totalFrames, st.totalBytes, st.error];
  };
  drain.start();
  try {
    assert.deepEqual(totals(), [12n, 1100n, null]);
    dyn.append('re', line(T0 + MS, 15n, 1500n));
    await got.until('re', 2);
    assert.deepEqual(totals(), [15n, 1500n, null]);
    // A new set of the same name counts from zero: its totals are its own, smaller ones.
    dyn.removeSet('re');
    await waitFor('removed', () => drain.events().some((e) => e.type === 'removed'));
    dyn.addSet('re', MS, 100, line(T0 + 5n * MS, 2n, 200n), statsText(3n, 300n));
    await got.until('re', 3);
    await waitFor('the new set read', () => drain.status().find((s) => s.name === 're')?.samplesRead === 1n);
    assert.deepEqual(totals(), [3n, 300n, null]);
    dyn.append('re', line(T0 + 6n * MS, 4n, 410n));
    await got.until('re', 4);
    assert.deepEqual(totals(), [4n, 410n, null]);

    // `stats` unreadable at open: the error says so, samples still set the totals, and the
    // rescans retry `stats` until it reads; then the newer of the two holds.
    dyn.addSet('late', MS, 100, line(T0, 5n, 500n), null);
    const late = () => drain.status().find((s) => s.name === 'late');
    await waitFor('late read', () => late()?.samplesRead === 1n);
    assert.deepEqual(
      [late()!.totalFrames, late()!.totalBytes, late()!.error],
      [5n, 500n, `set late: cannot read ${dir}/late/stats: No such file or directory`],
    );
    writeFileSync(join(dir, 'late', 'stats'), statsText(9n, 900n));
    await waitFor('late recovered', () => late()!.error === null);
    assert.deepEqual([late()!.totalFrames, late()!.totalBytes], [9n, 900n]);
  } finally {
    drain.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('start() says in one line what to do: module not loaded, unknown rule', () => {
  const missing = join(fake.dir, 'no-such-dir');
  const notLoaded = `${missing} is missing: load the module (modprobe xt_pktstat) or pass an existing proc dir`;
  assert.throws(() => new Drain({ procDir: missing }).start(), { message: notLoaded });
  const file = join(fake.dir, 'plain-file');
  writeFileSync(file, '');
  assert.throws(() => new Drain({ procDir: file }).start(), {
    message: `${file} is missing: ${notLoaded.split(': ')[1]}`,
  });
  const drain = new Drain();
  try {
    drain.start();
    assert.ok(drain.running, 'the module is loaded here: /proc/net/xt_pktstat exists');
  } catch (e) {
    assert.equal(
      (e as Error).message,
      '/proc/net/xt_pktstat is missing: the module is not loaded, run modprobe xt_pktstat (as root)',
    );
  } finally {
    drain.stop();
  }
  const own = new FakeProc();
  try {
    const add = (name: string) => `add it with iptables -m pktstat --name ${name}`;
    assert.throws(() => new Drain({ procDir: own.dir, names: ['dns'] }).start(), {
      message: `unknown rule 'dns': no ${own.dir}/dns (no counter sets exist yet); ${add('dns')}`,
    });
    own.addSet('web', MS, 10);
    own.addSet('db', MS, 10);
    assert.throws(() => new Drain({ procDir: own.dir, names: ['web', 'dns'] }).start(), {
      message: `unknown rule 'dns': no ${own.dir}/dns (counter sets here: db, web); ${add('dns')}`,
    });
  } finally {
    own.cleanup();
  }
  assert.throws(() => new Drain({ names: ['../etc'] }), /invalid set name "\.\.\/etc"/);
  assert.throws(() => new Drain({ queueCapacity: 0 }), /queueCapacity must be an integer/);
});

test('without the native build the loader says how to build it, in one line', () => {
  const here = dirname(fileURLToPath(import.meta.url)); // dist/test/unit/addon
  const tree = mkdtempSync(join(tmpdir(), 'pktstat-nobuild-'));
  try {
    cpSync(join(here, '../../../addon'), join(tree, 'dist/addon'), { recursive: true });
    writeFileSync(join(tree, 'package.json'), '{"type":"module"}');
    const r = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { Drain } from ${JSON.stringify(join(tree, 'dist/addon/index.js'))};
       try { new Drain(); } catch (e) { console.log(e.message); }`,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(
      r.stdout,
      "native addon not built (build/Release/pktstat_drain.node missing): run 'npm ci' (or 'npm run install' to rebuild it)\n",
    );
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }
});

test('without permission, start() says to run as root, in one line', (t) => {
  if (process.getuid?.() !== 0) {
    t.skip('needs root to drop to nobody');
    return;
  }
  const root = mkdtempSync(join(tmpdir(), 'pktstat-perm-'));
  try {
    chmodSync(root, 0o755);
    const locked = join(root, 'locked');
    mkdirSync(locked, { mode: 0o700 });
    const open = join(root, 'open');
    const perm = Object.assign(Object.create(FakeProc.prototype) as FakeProc, { dir: open });
    mkdirSync(open, { mode: 0o755 });
    perm.addSet('s', MS, 100, line(T0, 1n, 1n));
    chmodSync(join(open, 's', 'stream'), 0o400); // like the kernel's stream file
    const index = join(dirname(fileURLToPath(import.meta.url)), '../../../addon/index.js');
    const script = `import { Drain } from ${JSON.stringify(index)};
      try { new Drain({ procDir: ${JSON.stringify(locked)} }).start(); } catch (e) { console.log(e.message); }
      try { new Drain({ procDir: ${JSON.stringify(open)} }).start(); } catch (e) { console.log(e.message); }`;
    const r = spawnSync(
      'setpriv',
      ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--input-type=module', '-e', script],
      { encoding: 'utf8' },
    );
    assert.equal(r.stderr, '');
    const asRoot = 'not permitted, run pktstat-top as root';
    assert.equal(r.stdout, `cannot list ${locked}: ${asRoot}\ncannot read ${open}/s/stream: ${asRoot}\n`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('events are bounded when nobody calls events(); the next call says how many were dropped', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pktstat-addon-events-'));
  try {
    // 5001 empty set folders: each gives 'added' and a config error, 10002 events in all.
    for (let i = 0; i < 5001; i++) mkdirSync(join(dir, `e${i}`));
    const drain = new Drain({ procDir: dir });
    drain.start(); // the first scan runs inside start()
    drain.stop();
    const events = drain.events();
    assert.equal(events.length, 10001);
    assert.deepEqual(events.at(-1), {
      type: 'error',
      name: null,
      message: '2 later events dropped: events() was not called in time',
    });
    assert.equal(events.filter((e) => e.type === 'added').length, 5000);
    assert.deepEqual(drain.events(), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
