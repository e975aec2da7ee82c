import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { App } from '../../../tui/src/dashboard/app.js';
import type { Exec } from '../../../tui/src/rules/iptables.js';
import { ReplayModel } from '../../../tui/src/dashboard/model.js';
import { NO_THRESHOLDS, parseThresholds, type Thresholds } from '../../../tui/src/windows/threshold.js';
import { ScriptedFeed, waitFor } from '../helpers.js';
import { renderApp, unmountAll } from './terminal.js';

const T = 1_764_288_000_000_000_000n;
const P = 100_000n;
const KEY = {
  up: '\u001B[A',
  down: '\u001B[B',
  right: '\u001B[C',
  left: '\u001B[D',
  enter: '\r',
  tab: '\t',
  esc: '\u001B',
};

afterEach(() => unmountAll());

/** Two sets with traffic the test knows: "alpha" 5 windows, "beta" idle after one window. */
function twoSets(): ScriptedFeed {
  const feed = new ScriptedFeed();
  feed.addSet('alpha', P, 1024);
  feed.addSet('beta', 1_000_000n, 64);
  // The first sample of each only sets the baseline.
  feed.read('alpha', T + P + 1n, [{ t: T, frames: 100n, bytes: 10_000n }]);
  feed.read('beta', T + 1_000_001n, [{ t: T, frames: 9n, bytes: 900n }]);
  feed.read('alpha', T + 6n * P + 1n, [
    { t: T + P, frames: 103n, bytes: 10_300n },
    { t: T + 2n * P, frames: 110n, bytes: 11_000n },
    { t: T + 4n * P, frames: 150n, bytes: 15_000n },
    { t: T + 5n * P, frames: 154n, bytes: 15_400n },
  ]);
  return feed;
}

function start(feed: ScriptedFeed, exec?: Exec, thresholds?: Thresholds) {
  return renderApp((screen) => (
    <App
      screen={screen}
      source={{ kind: 'live', feed }}
      color={false}
      tickMs={10}
      exec={exec}
      thresholds={thresholds}
    />
  ));
}

/**
 * Types a key once React has run the effects of what it drew last: a form or an overlay subscribes
 * to the keys in one. React schedules that work with setImmediate, so a few turns of the event
 * loop's check phase flush it, however loaded the machine is.
 */
async function press(r: { stdin: { write: (s: string) => void } }, key: string): Promise<void> {
  for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
  r.stdin.write(key);
}

const frame = (r: { lastFrame: () => string | undefined }) => r.lastFrame() ?? '';

test('the table shows every set with the numbers of its windows', async () => {
  const r = start(twoSets());
  await waitFor('both sets, alpha taken', () => frame(r).includes('beta') && frame(r).includes(' 4/1024'));
  const lines = frame(r).split('\n');
  const alpha = lines.find((l) => l.includes('alpha'))!;
  // period 100µs, FIFO 4/1024 (the latest read returned 4 samples), all 5 windows in the newest sparkline column, latest window 4
  // frames, peak 40 frames; 54 frames in 5 windows (500 µs) → 108k pkt/s, 5400 B → 86.4 Mb/s;
  // no threshold so no burst count, lost 0.
  assert.match(alpha, /^> alpha\s+100µs\s+4\/1024\s+█\s+4\s+40\s+108k\s+86\.4M\s+-\s+0$/);
  assert.match(frame(r), /frames per 100µs window {2}alpha {2}span 500µs/);
  assert.match(frame(r), /live \| drain \d+ samples\/s \| lost 0 \| \? help/);
});

test('↑/↓ select, and the charts follow the selection', async () => {
  const r = start(twoSets());
  await waitFor('both sets', () => frame(r).includes('beta'));
  await press(r, KEY.down);
  await waitFor('beta selected', () => /^> beta/m.test(frame(r)));
  assert.match(frame(r), /waiting for the first window/);
  await press(r, KEY.up);
  await waitFor('alpha selected again', () => /^> alpha/m.test(frame(r)));
});

test('p freezes the view while draining goes on; p again shows what arrived', async () => {
  const feed = twoSets();
  const r = start(feed);
  await waitFor('alpha', () => frame(r).includes('alpha'));
  await press(r, 'p');
  await waitFor('paused', () => frame(r).includes('PAUSED'));
  const takes = feed.takes;
  feed.read('alpha', T + 7n * P + 1n, [{ t: T + 6n * P, frames: 931n, bytes: 93_100n }]);
  await waitFor('take() to go on while paused', () => feed.takes > takes + 3);
  assert.match(frame(r), /^> alpha\s+100µs\s+4\/1024\s+█\s+4\s+40\s/m);
  await press(r, 'p');
  // 931 - 154 = 777 frames in the new window.
  await waitFor('the new window', () => /^> alpha\s+100µs\s+1\/1024\s+█\s+777\s+777\s/m.test(frame(r)));
  assert.match(frame(r), /^live \| drain/m);
});

test('? lists every key, any key closes it', async () => {
  const r = start(twoSets());
  await waitFor('alpha', () => frame(r).includes('alpha'));
  await press(r, '?');
  await waitFor('help', () => frame(r).includes('pktstat-top keys'));
  for (const k of ['↑/↓', '←/→', '+/-', 'a ', 'd ', 'p ', '? ', 'q, Ctrl-C']) assert.ok(frame(r).includes(k), k);
  await press(r, 'x');
  await waitFor('help closed', () => !frame(r).includes('pktstat-top keys'));
});

test('+ and - zoom: several windows per column, each showing its peak window', async () => {
  const r = start(twoSets());
  await waitFor('chart', () => frame(r).includes('span 500µs'));
  await press(r, '+');
  await waitFor('zoom 2', () => frame(r).includes('frames: peak of 2×100µs windows per column'));
  // 5 windows in columns of 2 → 3 columns, 600 µs; the column of 40 and 4 frames peaks at 40,
  // and the chart's top is the biggest window, not the sum 44.
  assert.match(frame(r), /span 600µs/);
  assert.match(frame(r), /^ {4}40 ┤/m);
  await press(r, '-');
  await waitFor('zoom 1', () => frame(r).includes('frames per 100µs window'));
  assert.match(frame(r), /^ {4}40 ┤/m);
});

test('the add form refuses bad input field by field, then shows what iptables said', async () => {
  const calls: Array<[string, readonly string[]]> = [];
  // The first run is refused, the second accepted.
  const exec: Exec = async (file, args) => {
    calls.push([file, args]);
    if (calls.length === 1)
      throw Object.assign(new Error('exit 2'), {
        code: 2,
        stderr: "iptables v1.8.9 (legacy): Couldn't load match `pktstat':No such file or directory\n",
      });
    return { stdout: '', stderr: '' };
  };
  const r = start(twoSets(), exec);
  await waitFor('alpha', () => frame(r).includes('alpha'));
  await press(r, 'a');
  await waitFor('form', () => frame(r).includes('add a pktstat rule'));
  await press(r, KEY.enter);
  await waitFor('period error', () => frame(r).includes("period: '' is not a duration"));
  assert.match(frame(r), /samples '' is not a whole number/);
  assert.equal(calls.length, 0);
  // Fill matches, period, samples, name.
  // Each step waits for the screen to show it, so no key races a focus change.
  const field = async (label: string) => {
    await press(r, KEY.tab);
    await waitFor(`focus on ${label}`, () => frame(r).includes(`> ${label}`));
  };
  const type = async (text: string, shown: RegExp) => {
    await press(r, text);
    await waitFor(`typed ${text}`, () => shown.test(frame(r)));
  };
  await field('chain');
  await field('extra matches');
  await type("-p tcp -m comment --comment 'a b'", /extra matches +-p tcp -m comment --comment 'a b'/);
  await field('period');
  await type('250us', /period \(e\.g\. 100us\) +250us/);
  await field('samples');
  await type('0', /> samples +0/);
  await press(r, KEY.enter);
  await waitFor('samples range', () => frame(r).includes('samples 0 is out of range 1 .. 1048576'));
  await type('\u007F', /> samples +│/);
  await type('64', /> samples +64/);
  await field('name');
  await type('web', /> name \(optional\) +web/);
  await press(r, KEY.enter);
  await waitFor('refusal', () => frame(r).includes('refused:'));
  assert.match(
    frame(r),
    /refused: iptables v1\.8\.9 \(legacy\): Couldn't load match `pktstat':No such file or directory/,
  );
  assert.deepEqual(calls, [
    [
      'iptables',
      [
        '-A',
        'INPUT',
        '-p',
        'tcp',
        '-m',
        'comment',
        '--comment',
        'a b',
        '-m',
        'pktstat',
        '--period',
        '250us',
        '--samples',
        '64',
        '--name',
        'web',
      ],
    ],
  ]);
  await press(r, KEY.enter);
  await waitFor('form closed after success', () => !frame(r).includes('add a pktstat rule'));
  assert.equal(calls.length, 2);
  assert.deepEqual(calls[1], calls[0]);
  await press(r, 'a');
  await waitFor('form again', () => frame(r).includes('add a pktstat rule'));
  // A paste arrives as one chunk; its tab becomes a space in the field.
  await press(r, 'ipv6\tx');
  await waitFor('pasted text', () => frame(r).includes('ipv4ipv6 x'));
  await press(r, KEY.esc);
  await waitFor('form closed by Esc', () => !frame(r).includes('add a pktstat rule'));
  assert.equal(calls.length, 2);
});

test('d lists the exact rules of the set and asks; n keeps them, y deletes exactly those', async () => {
  const calls: string[] = [];
  const rule = '-A INPUT -m pktstat --period 1ms --samples 64 --name beta';
  // A firewall rule whose recent list is also called beta: not the set's, never touched.
  const firewall = '-A INPUT -m recent --rcheck --name beta --mask 255.255.255.255 --rsource -j DROP';
  const exec: Exec = async (file, args) => {
    calls.push(`${file} ${args.join(' ')}`);
    if (file === 'iptables' && args[1] === 'filter' && args[2] === '-S')
      return { stdout: `-P INPUT ACCEPT\n${firewall}\n${rule}\n`, stderr: '' };
    return { stdout: '', stderr: '' };
  };
  const r = start(twoSets(), exec);
  await waitFor('beta', () => frame(r).includes('beta'));
  await press(r, KEY.down);
  await waitFor('beta selected', () => /^> beta/m.test(frame(r)));
  await press(r, 'd');
  await waitFor('confirmation', () => frame(r).includes('delete this rule of counter set beta? (y/n)'));
  assert.ok(frame(r).includes(`iptables -t filter ${rule}`), frame(r));
  assert.ok(!frame(r).includes('recent'), frame(r));
  await press(r, 'n');
  await waitFor('closed', () => !frame(r).includes('(y/n)'));
  assert.deepEqual(
    calls.filter((c) => !c.endsWith('-S')),
    [],
  );
  await press(r, 'd');
  await waitFor('confirmation again', () => frame(r).includes('(y/n)'));
  await press(r, 'y');
  await waitFor('deleted', () => !frame(r).includes('beta?') && !frame(r).includes('deleting'));
  assert.deepEqual(
    calls.filter((c) => !c.endsWith('-S')),
    ['iptables -t filter -D INPUT -m pktstat --period 1ms --samples 64 --name beta'],
  );
});

test('a set that goes away leaves the table, the selection stays in range', async () => {
  const feed = twoSets();
  const r = start(feed);
  await waitFor('beta', () => frame(r).includes('beta'));
  await press(r, KEY.down);
  await waitFor('beta selected', () => /^> beta/m.test(frame(r)));
  feed.removeSet('beta');
  await waitFor('beta gone', () => !frame(r).includes('beta'));
  assert.match(frame(r), /^> alpha/m);
});

test('drain errors reach the status line', async () => {
  const feed = twoSets();
  const r = start(feed);
  await waitFor('alpha', () => frame(r).includes('alpha'));
  feed.error('beta', 'cannot read data: Permission denied');
  await waitFor('error shown', () => frame(r).includes('error: beta: cannot read data: Permission denied'));
});

test('replay: ←/→ page through the file, rules cannot change', async () => {
  const rows = Array.from({ length: 300 }, (_, i) => ({
    startNs: T + BigInt(i) * P,
    endNs: T + BigInt(i + 1) * P,
    frames: BigInt(i),
    bytes: BigInt(i * 10),
    lost: 0n,
  }));
  const r = renderApp((screen) => (
    <App
      screen={screen}
      source={{ kind: 'replay', model: new ReplayModel('lab', rows, P, NO_THRESHOLDS), label: 'lab.csv' }}
      color={false}
    />
  ));
  // 100 columns wide: 91 columns of chart.
  await waitFor('chart', () => frame(r).includes('span 9.1ms'));
  assert.match(frame(r), /^ {3}299 [┤┼]/m);
  await press(r, KEY.left);
  await waitFor('paged back', () => frame(r).includes('before the latest'));
  assert.match(frame(r), /ending 9\.1ms before the latest/);
  assert.match(frame(r), /^ {3}208 [┤┼]/m);
  await press(r, KEY.right);
  await waitFor('paged forward', () => !frame(r).includes('before the latest'));
  await press(r, 'a');
  await waitFor('refused', () => frame(r).includes('rules cannot be changed while replaying a file'));
  assert.match(frame(r), /replay lab\.csv \| rules cannot be changed while replaying a file \| lost 0/);
});

// alpha's windows after the baseline: 3, 7, idle, 40, 4 frames (100 bytes a frame). At 50 kpps
// a 100 µs window of more than 5 frames is hot: two bursts of one window, 7 and 40 frames.
test("t sets the selected set's threshold: bursts counted, marked on the chart, the last one on the status line", async () => {
  const r = start(twoSets());
  await waitFor('chart', () => frame(r).includes('span 500µs'));
  assert.match(frame(r), /^> alpha .* - +0$/m, 'no threshold: no burst count');
  await press(r, 't');
  await waitFor('the prompt', () => frame(r).includes('threshold of alpha'));
  await press(r, 'x');
  await waitFor('typed x', () => frame(r).includes('> x'));
  await press(r, KEY.enter);
  await waitFor('refused', () => frame(r).includes("threshold 'x': expected a rate"));
  await press(r, '\u007F');
  await waitFor('x erased', () => /^│ > +│/m.test(frame(r)) || !/> x/.test(frame(r)));
  await press(r, '50kpps');
  await waitFor('typed', () => frame(r).includes('> 50kpps'));
  await press(r, KEY.enter);
  await waitFor('set', () => frame(r).includes('alpha: threshold 50kpps'));
  assert.match(frame(r), /^> alpha .* 2 +0$/m, 'two bursts');
  assert.match(frame(r), /^ {2}beta .* - +0$/m, 'beta keeps no threshold');
  assert.match(frame(r), /╌ 50kpps ▲ hot/);
  // Columns 1 and 3 of the 5 are hot; the threshold line crosses the empty cells of its row.
  assert.match(frame(r), /^ {5}0 ┼─▲─▲─$/m);
  // The status line ends truncated at 100 columns.
  assert.match(frame(r), /last burst alpha \d\d:\d\d:\d\d\.000400/);
});

test('b lists the bursts biggest first; Enter moves the charts to one; Esc closes', async () => {
  const r = start(twoSets(), undefined, parseThresholds(['50kpps']));
  await waitFor('bursts counted from --threshold', () => /^> alpha .* 2 +0$/m.test(frame(r)));
  await press(r, 'b');
  await waitFor('the list', () => frame(r).includes('bursts of alpha above 50kpps: 2, biggest peak first'));
  const lines = frame(r).split('\n');
  const first = lines.findIndex((l) => l.startsWith('> '));
  // 40 frames in 100 µs: 400k pkt/s; 4000 bytes: 320 Mb/s. Then the burst of 7 frames.
  assert.match(lines[first], /^> \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.000400 +100µs +1 +40 +4\.00kB +400k +320M$/);
  assert.match(lines[first + 1], /^ {2}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.000200 +100µs +1 +7 +700B +70\.0k +56\.0M$/);
  await press(r, KEY.down);
  await waitFor('the second selected', () => /^> .*\.000200 /m.test(frame(r)));
  await press(r, KEY.enter);
  await waitFor('back to the charts', () => frame(r).includes('frames per 100µs window'));
  await press(r, 'b');
  await waitFor('the list again', () => frame(r).includes('bursts of alpha'));
  await press(r, KEY.esc);
  await waitFor('closed by Esc', () => !frame(r).includes('bursts of alpha'));
});

test('h shows how often windows of each size occur, buckets above the threshold marked', async () => {
  const r = start(twoSets(), undefined, parseThresholds(['50kpps']));
  await waitFor('chart', () => frame(r).includes('span 500µs'));
  await press(r, 'h');
  await waitFor('the histogram', () => frame(r).includes('windows of alpha by frames (5 windows of 100µs)'));
  const f = frame(r);
  assert.match(f, /^ {10}0 {2}│█+ 1$/m);
  assert.match(f, /^ {10}1 {2}│ 0$/m);
  assert.match(f, /^ {8}2-3 {2}│█+ 1$/m);
  assert.match(f, /^ {8}4-7 ▲│█+ 2$/m);
  assert.match(f, /^ {6}32-63 ▲│█+ 1$/m);
  await press(r, 'x');
  await waitFor('closed', () => !frame(r).includes('windows of alpha by frames'));
});
