// start()/stop() cycles: the thread joins promptly and leaves no descriptor or memory behind.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Drain } from '../../../addon/index.js';
import { FakeProc, line, openFds } from './fixture.js';
import { sleep, waitFor } from '../helpers.js';

const T0 = 1764288000000000000n;
const P = 100_000n;

// RSS after a full collection measures what the cycles kept, not garbage the collector has
// not reached yet. Node 24's RSS climbs for about 50 cycles (to 107 MB, then +3 MB in 350
// more), Node 20's for fewer: growth is measured from cycle 50 on.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
function rssAfterGc(): number {
  collectGarbage();
  return process.memoryUsage().rss;
}

const fake = new FakeProc();
after(() => fake.cleanup());

test('stop() wakes a sleeping thread at once and is idempotent', async () => {
  fake.addSet('sleepy', 1_000_000_000n, 1000, line(T0, 1n, 1n));
  const drain = new Drain({ procDir: fake.dir, names: ['sleepy'], rescanMs: 3_600_000 });
  drain.start();
  assert.equal(drain.running, true);
  await waitFor('first read', () => drain.status()[0]!.reads === 1n);
  await sleep(20); // now in a 250 ms wait
  const t = process.hrtime.bigint();
  drain.stop();
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  // A stop that waited for the next read would take the rest of the 250 ms; half of it leaves a
  // loaded machine room to schedule the woken thread.
  assert.ok(ms < 125, `stop() took ${ms} ms`);
  assert.equal(drain.running, false);
  drain.stop();
  assert.deepEqual(drain.status(), []);
  assert.deepEqual([...drain.take()[0]!.frames], [1n]);
});

test('200 start/stop cycles under load: no descriptor leak, bounded memory, exact data each time', async () => {
  const names = Array.from({ length: 16 }, (_, i) => `load${i}`);
  const n = 2000;
  for (const name of names) {
    let text = '';
    for (let i = 0; i < n; i++) text += line(T0 + BigInt(i) * P, BigInt(i + 1), BigInt(i + 1) * 1500n);
    fake.addSet(name, P, 64, text); // 100 µs x 64 / 4: a 1.6 ms drain interval
  }
  const drain = new Drain({ procDir: fake.dir, names, rescanMs: 5 });
  const before = openFds();
  let rssAfterWarmup = 0;
  let delivered = 0;
  const next = names.map(() => BigInt(n));
  for (let cycle = 0; cycle < 200; cycle++) {
    drain.start();
    assert.equal(openFds(), before + names.length + 1);
    // A writer keeps adding samples while the drain runs.
    const k = cycle % names.length;
    const i = next[k]!++;
    fake.append(names[k]!, line(T0 + i * P, i + 1n, (i + 1n) * 1500n));
    await sleep(cycle % 5);
    drain.stop();
    assert.equal(drain.running, false);
    assert.equal(openFds(), before, `cycle ${cycle}`);
    for (const b of drain.take()) {
      // Whatever a cycle delivered is a run of whole, consecutive samples of that set.
      const k = b.frames.length;
      delivered += k;
      assert.equal(b.windows[k - 1]! - b.windows[0]!, k - 1, b.name);
      assert.equal(b.bytes[k - 1], b.frames[k - 1]! * 1500n);
    }
    drain.events();
    if (cycle === 49) rssAfterWarmup = rssAfterGc();
  }
  // Load means the cycles really drained: at least every sample of every set once.
  assert.ok(delivered >= names.length * n, `only ${delivered} samples delivered`);
  const growth = rssAfterGc() - rssAfterWarmup;
  assert.ok(growth < 32 * 1024 * 1024, `RSS grew ${growth} bytes over 150 cycles`);
});
