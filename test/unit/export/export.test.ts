import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { runExport } from '../../../tui/src/export/export.js';
import { ScriptedFeed, sleep, waitFor } from '../helpers.js';

const T = 1_764_288_000_000_000_000n;
const P = 100_000n;

/** A slow sink with a tiny buffer, so the exporter must honour backpressure. */
function slowSink(): { sink: Writable; text: () => string; drains: () => number } {
  let text = '';
  let drains = 0;
  const sink = new Writable({
    highWaterMark: 16,
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString();
      setTimeout(done, 1);
    },
  });
  sink.on('drain', () => drains++);
  return { sink, text: () => text, drains: () => drains };
}

test('export: baseline, exact windows, idle zeros, a lost stretch, and the final read after the stop', async () => {
  const feed = new ScriptedFeed();
  feed.addSet('web', P);
  feed.addSet('other', P);
  // Drained before the export's first window: only a baseline.
  feed.read('web', T + 50n, [{ t: T - P, frames: 1001n, bytes: 100_100n }]);
  feed.read('other', T + 50n, [{ t: T, frames: 7n, bytes: 700n }]);
  const { sink, text, drains } = slowSink();
  const ctl = new AbortController();
  let done = false;
  const run = runExport({
    feed,
    name: 'web',
    out: sink,
    origin: { startNs: T + 1n, base: { frames: 1000n, bytes: 100_000n } },
    stop: ctl.signal,
    tickMs: 5,
  }).then(() => {
    done = true;
  });
  await sleep(20);
  feed.read('web', T + 3n * P + 10n, [{ t: T + P, frames: 1004n, bytes: 100_400n }]);
  await sleep(20);
  feed.read('web', T + 8n * P + 50n, [{ t: T + 7n * P, frames: 1030n, bytes: 103_000n, lostBefore: 2n }], 2n);
  await sleep(20);
  ctl.abort();
  await sleep(30);
  assert.equal(done, false, 'the export waits for the drain to read once more');
  feed.read('web', T + 11n * P + 5n, [{ t: T + 8n * P, frames: 1031n, bytes: 103_100n }]);
  await run;
  const w = (k: bigint) => T + k * P;
  assert.equal(
    text(),
    [
      'start_ns,end_ns,frames,bytes,lost',
      `${w(1n)},${w(2n)},3,300,0`,
      `${w(2n)},${w(3n)},0,0,0`,
      `${w(3n)},${w(8n)},26,2600,2`,
      `${w(8n)},${w(9n)},1,100,0`,
      `${w(9n)},${w(10n)},0,0,0`,
      `${w(10n)},${w(11n)},0,0,0`,
      '',
    ].join('\n'),
  );
  assert.ok(drains() > 0, 'the sink filled up at least once');
});

test('export: drain errors are told, a removed set ends the export with one line', async () => {
  const feed = new ScriptedFeed();
  feed.addSet('gone', P);
  const { sink } = slowSink();
  const ctl = new AbortController();
  const warnings: string[] = [];
  const run = runExport({
    feed,
    name: 'gone',
    out: sink,
    origin: { startNs: T, base: { frames: 0n, bytes: 0n } },
    stop: ctl.signal,
    tickMs: 5,
    warn: (l) => warnings.push(l),
  });
  feed.error('other', 'not ours');
  feed.error('gone', 'cannot read data: Input/output error');
  await waitFor('the warning', () => warnings.length > 0);
  assert.deepEqual(warnings, ['cannot read data: Input/output error']);
  (feed as unknown as { pending: unknown[] }).pending.push({ type: 'removed', name: 'gone' });
  await assert.rejects(run, /counter set gone was removed: its rules are gone/);
});

test('export: windows whose samples the native queue dropped stay out of zero rows until the drop is announced', async () => {
  const feed = new ScriptedFeed();
  feed.addSet('web', P);
  const { sink, text } = slowSink();
  const ctl = new AbortController();
  const run = runExport({
    feed,
    name: 'web',
    out: sink,
    origin: { startNs: T, base: { frames: 0n, bytes: 0n } },
    stop: ctl.signal,
    tickMs: 5,
  });
  const w = (k: bigint) => T + k * P;
  feed.read('web', w(2n), [{ t: w(0n), frames: 2n, bytes: 20n }]);
  await waitFor('the idle window 1', () => text().includes(`${w(1n)},${w(2n)},0,0,0`));
  // Windows 2 and 3 had traffic, the queue was full: both samples dropped, reads go on.
  feed.read('web', w(4n) + 7n, [], 0n, 2n);
  feed.read('web', w(6n) + 7n);
  await sleep(40);
  assert.ok(!text().includes(`${w(2n)},${w(3n)}`), 'no zero row over the dropped windows');
  // The next sample the queue takes announces the two lost ones.
  feed.read('web', w(7n) + 1n, [{ t: w(6n), frames: 30n, bytes: 300n, lostBefore: 2n }], 0n, 0n);
  await waitFor('one row over the whole stretch', () => text().includes(`${w(2n)},${w(7n)},28,280,2`));
  ctl.abort();
  feed.read('web', w(8n) + 1n);
  await run;
  assert.equal(
    text(),
    [
      'start_ns,end_ns,frames,bytes,lost',
      `${w(0n)},${w(1n)},2,20,0`,
      `${w(1n)},${w(2n)},0,0,0`,
      `${w(2n)},${w(7n)},28,280,2`,
      `${w(7n)},${w(8n)},0,0,0`,
      '',
    ].join('\n'),
  );
});
