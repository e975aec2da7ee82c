import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import { withLifetime } from '../../../tui/src/args/lifetime.js';

const DAY_MS = 86_400_000;
const MAX_TIMER_MS = 2 ** 31 - 1;

test('a duration past 2^31 ms (24.8 days) ends exactly then, not after 1 ms', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  for (const durationMs of [2 ** 31 - 1, 2 ** 31, 600 * 3_600_000, 3 * (2 ** 31 - 1) + 7, 365 * DAY_MS]) {
    let ended = false;
    let elapsed = 0;
    const run = withLifetime({ signals: [], durationMs }, async (end) => {
      await new Promise<void>((resolve) => end.addEventListener('abort', () => resolve()));
      ended = true;
    });
    // A day at a time, as a long run lives: nothing ends it early. The ticks stop at each multiple
    // of Node's longest timer, where real time would run a timer set by a timer at once and the
    // mock runs it one tick later.
    for (let at = 0; at < durationMs - 1;) {
      at = Math.min(at + DAY_MS, durationMs - 1, (Math.floor(at / MAX_TIMER_MS) + 1) * MAX_TIMER_MS);
      t.mock.timers.tick(at - elapsed);
      elapsed = at;
      await Promise.resolve();
      assert.equal(ended, false, `${durationMs} ms: ended ${durationMs - at} ms early`);
    }
    t.mock.timers.tick(1);
    await run;
    assert.equal(ended, true, `${durationMs} ms`);
  }
});

test('no duration: only a signal ends it; each signal ends it, the handlers go with it', async () => {
  const before = process.listenerCount('SIGUSR2');
  for (const signal of ['SIGUSR2', 'SIGWINCH'] as const) {
    const reason = await withLifetime({ signals: ['SIGUSR2', 'SIGWINCH'], durationMs: null }, async (end) => {
      assert.equal(process.listenerCount('SIGUSR2'), before + 1);
      process.kill(process.pid, signal);
      // Signal handlers do not keep the event loop alive; a timer does, until the signal comes.
      const alive = setTimeout(() => {}, 10_000);
      await new Promise<void>((resolve) => end.addEventListener('abort', () => resolve()));
      clearTimeout(alive);
      return end.aborted;
    });
    assert.equal(reason, true);
    assert.equal(process.listenerCount('SIGUSR2'), before);
    assert.equal(process.listenerCount('SIGWINCH'), 0);
  }
});

test('a body that ends first takes the timer with it; its error comes out unchanged', async () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  // Node 24's test runner has a SIGUSR2 listener of its own
  const before = process.listenerCount('SIGUSR2');
  try {
    let seen: AbortSignal | undefined;
    const result = await withLifetime({ signals: ['SIGUSR2'], durationMs: 5000 }, async (end) => {
      seen = end;
      return 'done';
    });
    assert.equal(result, 'done');
    await assert.rejects(
      withLifetime({ signals: ['SIGUSR2'], durationMs: 5000 }, async () => {
        throw new Error('boom');
      }),
      /^Error: boom$/,
    );
    assert.equal(process.listenerCount('SIGUSR2'), before);
    // Nothing left to fire: a timer left behind would abort the finished run, and keep the process alive.
    mock.timers.tick(5000);
    assert.equal(seen?.aborted, false);
  } finally {
    mock.timers.reset();
  }
});
