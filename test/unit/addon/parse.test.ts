// Exact parsing of `stream` by the native drain thread, and the TypeScript reader's agreement with it.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Drain } from '../../../addon/index.js';
import { TsStreamReader, parseU64 } from './ts-reader.js';
import { Collector, FakeProc, line } from './fixture.js';
import { waitFor } from '../helpers.js';

const U64_MAX = 18446744073709551615n;
const T0 = 1764288000000000000n;
const P = 100_000n; // 100 µs windows
const W0 = Number(T0 / P);
/** The last window a u64 timestamp can start at this period. */
const TOP = (U64_MAX / P) * P;

const fake = new FakeProc();
after(() => fake.cleanup());

async function drained(names: string[]): Promise<{ drain: Drain; got: Collector }> {
  const drain = new Drain({ procDir: fake.dir, names, rescanMs: 20 });
  drain.start();
  return { drain, got: new Collector(drain) };
}

test('u64 values up to 2^64-1 arrive exactly, with lost counts', async () => {
  const text =
    line(T0, 1n, 60n) +
    '# lost 2\n# lost 5\n' +
    line(T0 + 8n * P, U64_MAX - 1n, U64_MAX - 7n) +
    line(TOP - P, U64_MAX, U64_MAX) +
    '# lost 18446744073709551615\n' +
    line(TOP, 0n, 0n);
  fake.addSet('big', P, 1000, text);
  const { drain, got } = await drained(['big']);
  try {
    await got.until('big', 4);
    assert.deepEqual(got.sets.get('big'), {
      windows: [W0, W0 + 8, Number(U64_MAX / P) - 1, Number(U64_MAX / P)],
      frames: [1n, U64_MAX - 1n, U64_MAX, 0n],
      bytes: [60n, U64_MAX - 7n, U64_MAX, 0n],
      lost: [0n, 7n, 0n, U64_MAX],
    });
    const [st] = drain.status();
    // 7 + (2^64-1) saturates: a loss count never wraps to a small number.
    assert.equal(st?.kernelLost, U64_MAX);
    assert.equal(st?.samplesRead, 4n);
    assert.equal(st?.error, null);
    assert.equal(st?.periodNs, P);
    assert.equal(st?.capacity, 1000);
  } finally {
    drain.stop();
  }
});

const BAD_LINES = [
  '18446744073709551616 1 1', // 2^64
  '1 99999999999999999999 1', // 20 digits, too big
  '1 2 000000000000000000001', // 21 digits
  '17642880000000000/0 1 1', // a non-digit among eight read at once: '/' is just below '0'
  '1 2 1234:678', // and ':' just above '9'
  '-1 2 3',
  '+1 2 3',
  '1 2',
  '1  2 3',
  '1 2 3 ',
  '1 2 3 4',
  'abc def ghi',
  '',
  '# lost',
  '# lost x',
  '# comment',
];

test('each malformed line is refused with an error naming the set; draining goes on', async () => {
  const names = BAD_LINES.map((_, i) => `bad${i}`);
  BAD_LINES.forEach((bad, i) => fake.addSet(names[i]!, P, 100, line(T0, 1n, 2n) + bad + '\n' + line(T0 + P, 3n, 4n)));
  const { drain, got } = await drained(names);
  try {
    const errors = new Map<string, string>();
    await waitFor('an error per set', () => {
      for (const e of drain.events()) if (e.type === 'error' && e.name) errors.set(e.name, e.message);
      return errors.size === names.length;
    });
    BAD_LINES.forEach((bad, i) => {
      const msg = errors.get(names[i]!);
      const quoted = JSON.stringify(bad);
      assert.ok(msg?.startsWith(`set ${names[i]}: stream: malformed `) && msg.endsWith(quoted), `${msg} for ${quoted}`);
    });
    for (const n of names) await got.until(n, 2);
    for (const n of names) assert.deepEqual(got.sets.get(n)?.frames, [1n, 3n]);
    // Still draining after the error: a new sample arrives, and that clean round clears it.
    fake.append('bad0', line(T0 + 2n * P, 5n, 6n));
    await got.until('bad0', 3);
    assert.deepEqual(got.sets.get('bad0')?.bytes, [2n, 4n, 6n]);
    await waitFor('bad0 clean', () => drain.status().find((s) => s.name === 'bad0')?.error === null);
  } finally {
    drain.stop();
  }
});

test('a stream without the header line is refused; the next clean round clears the error', async () => {
  fake.addSet('nohdr', P, 100);
  writeFileSync(join(fake.dir, 'nohdr', 'stream'), line(T0, 1n, 1n));
  const { drain, got } = await drained(['nohdr']);
  try {
    const err = await waitFor('header error', () => drain.events().find((e) => e.type === 'error'));
    assert.equal(err.type === 'error' && err.message, `set nohdr: stream: does not start with the header: "${T0} 1 1"`);
    // The headerless line still counted as a sample: the missing header is what was wrong.
    await got.until('nohdr', 1);
    fake.append('nohdr', line(T0 + P, 2n, 2n));
    await got.until('nohdr', 2);
    assert.deepEqual(got.sets.get('nohdr')?.frames, [1n, 2n]);
    await waitFor('error cleared', () => drain.status()[0]?.error === null);
  } finally {
    drain.stop();
  }
});

test('a partial last line waits until it is whole', async () => {
  fake.addSet('part', P, 100, line(T0, 1n, 100n) + `${T0 + P} 2 `);
  const { drain, got } = await drained(['part']);
  try {
    await got.until('part', 1);
    const reads = drain.status()[0]!.reads;
    await waitFor('two more reads', () => drain.status()[0]!.reads >= reads + 2n);
    got.take();
    assert.equal(got.count('part'), 1);
    assert.equal(drain.status()[0]?.error, null);
    fake.append('part', '200\n');
    await got.until('part', 2);
    assert.deepEqual(got.sets.get('part'), {
      windows: [W0, W0 + 1],
      frames: [1n, 2n],
      bytes: [100n, 200n],
      lost: [0n, 0n],
    });
  } finally {
    drain.stop();
  }
});

// 100k lines of growing width cross the 64 KiB read boundaries at every possible column.
function bigText(n: number): { text: string; frames: bigint[] } {
  const parts: string[] = [];
  const frames: bigint[] = [];
  for (let i = 0; i < n; i++) {
    const f = BigInt(i) * 1_000_003n + (i % 7 === 0 ? U64_MAX - 10_000_000_000_000n : 0n);
    frames.push(f);
    if (i % 1000 === 999) parts.push(`# lost ${i}\n`);
    parts.push(line(T0 + BigInt(i) * P, f, BigInt(i) * 1500n));
  }
  return { text: parts.join(''), frames };
}

test('100k samples spanning many 64 KiB reads arrive exactly, like the TS reader reads them', async () => {
  const n = 100_000;
  const { text, frames } = bigText(n);
  fake.addSet('huge', P, 1_048_576, text);
  const { drain, got } = await drained(['huge']);
  try {
    await got.until('huge', n, 20_000);
    const s = got.sets.get('huge')!;
    assert.equal(s.windows.length, n);
    assert.deepEqual(s.frames, frames);
    assert.equal(s.bytes[n - 1], BigInt(n - 1) * 1500n);
    assert.equal(s.windows[n - 1], W0 + n - 1);
    assert.equal(s.lost[999], 999n);
    assert.equal(s.lost[1000], 0n);
    assert.equal(
      s.lost.reduce((a, b) => a + b, 0n),
      drain.status()[0]?.kernelLost,
    );

    const reader = new TsStreamReader(join(fake.dir, 'huge', 'stream'), P);
    const round = reader.read();
    assert.deepEqual([...round.windows], s.windows);
    assert.deepEqual([...round.frames], s.frames);
    assert.deepEqual([...round.bytes], s.bytes);
    assert.deepEqual([...round.lostBefore], s.lost);
    assert.equal(round.kernelLost, drain.status()[0]?.kernelLost);
    assert.equal(reader.read().windows.length, 0, 'a second round delivers nothing twice');
    reader.close();
  } finally {
    drain.stop();
  }
});

test('the TS reader refuses the same malformed lines with the same words', async () => {
  for (const [i, bad] of BAD_LINES.entries()) {
    const reader = new TsStreamReader(join(fake.dir, `bad${i}`, 'stream'), P);
    const round = reader.read();
    reader.close();
    const quoted = JSON.stringify(bad);
    assert.ok(round.error?.startsWith('malformed ') && round.error.endsWith(quoted), `${round.error} for ${quoted}`);
    // bad0 got a third sample in the test above.
    assert.equal(round.windows.length, i === 0 ? 3 : 2);
  }
  assert.equal(parseU64(Buffer.from('18446744073709551615'), 0, 20), U64_MAX);
  assert.equal(parseU64(Buffer.from('18446744073709551616'), 0, 20), undefined);
  assert.equal(parseU64(Buffer.from('000000000000000000001'), 0, 21), undefined);
  assert.equal(parseU64(Buffer.from('0'), 0, 1), 0n);
});

// SPEC 2: a timestamp is a multiple of the period; the window number it gives is exact in a number.
const OFF_GRID = [
  { name: 'offgrid', period: P, bad: T0 + P + 1n, why: `timestamp not a multiple of the period ${P} ns` },
  // 1 µs windows: 2^53 periods after the epoch is in the year 2255.
  { name: 'beyond', period: 1000n, bad: (1n << 53n) * 1000n, why: 'timestamp beyond 2^53 periods' },
];

test('a timestamp off the period grid or 2^53 periods out is refused, named; the set goes on', async () => {
  for (const o of OFF_GRID) fake.addSet(o.name, o.period, 100, line(T0, 1n, 2n) + line(o.bad, 3n, 4n));
  const { drain, got } = await drained(OFF_GRID.map((o) => o.name));
  try {
    const errors = new Map<string, string>();
    await waitFor('an error per set', () => {
      for (const e of drain.events()) if (e.type === 'error' && e.name) errors.set(e.name, e.message);
      return errors.size === OFF_GRID.length;
    });
    for (const o of OFF_GRID) {
      assert.equal(errors.get(o.name), `set ${o.name}: stream: ${o.why}: "${o.bad} 3 4"`);
      const reader = new TsStreamReader(join(fake.dir, o.name, 'stream'), o.period);
      const round = reader.read();
      reader.close();
      assert.equal(round.error, `${o.why}: "${o.bad} 3 4"`, 'the TS reader words it alike');
      assert.deepEqual([...round.windows], [Number(T0 / o.period)]);
    }
    // The last window below 2^53 arrives exactly; the refused line's growth goes into the next sample.
    const last = (1n << 53n) - 1n;
    fake.append('beyond', line(last * 1000n, 5n, 6n));
    fake.append('offgrid', line(T0 + 2n * P, 5n, 6n));
    await got.until('beyond', 2);
    await got.until('offgrid', 2);
    assert.deepEqual(got.sets.get('beyond')?.windows, [Number(T0 / 1000n), 2 ** 53 - 1]);
    assert.deepEqual(got.sets.get('offgrid'), {
      windows: [W0, W0 + 2],
      frames: [1n, 5n],
      bytes: [2n, 6n],
      lost: [0n, 0n],
    });
    await waitFor('errors cleared', () => drain.status().every((s) => s.error === null));
  } finally {
    drain.stop();
  }
});

test('samples wait in the stream until config gives the period that numbers them', async () => {
  fake.addSet('noperiod', 0n, 100, line(T0, 1n, 2n));
  const { drain, got } = await drained(['noperiod']);
  try {
    await waitFor('config error', () => drain.status()[0]?.error?.includes('period_ns'));
    got.take();
    assert.equal(got.count('noperiod'), 0);
    assert.equal(drain.status()[0]?.samplesRead, 0n);
    fake.config('noperiod', P, 100);
    await got.until('noperiod', 1);
    assert.deepEqual(got.sets.get('noperiod')?.windows, [W0]);
  } finally {
    drain.stop();
  }
});
