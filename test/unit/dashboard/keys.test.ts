import assert from 'node:assert/strict';
import { test } from 'node:test';
import { INITIAL_VIEW, type KeyContext, type ViewState, viewReducer } from '../../../tui/src/dashboard/keys.js';

const ctx: KeyContext = { sets: 3, selectedName: 'web', windows: 1000, chartColumns: 71, live: true };
const press = (s: ViewState, input: string, key: Record<string, boolean> = {}, c = ctx) =>
  viewReducer(s, { type: 'key', input, key, ctx: c });

test('keys arriving together each see the state the previous one left', () => {
  let s = press(INITIAL_VIEW, '+');
  s = press(s, '+');
  assert.equal(s.zoom, 4);
  s = press(s, '-');
  s = press(s, '', { leftArrow: true });
  assert.equal(s.offset, 142);
  s = press(s, '', { leftArrow: true });
  s = press(s, '', { leftArrow: true });
  s = press(s, '', { leftArrow: true });
  assert.equal(s.offset, 568);
  for (let i = 0; i < 5; i++) s = press(s, '', { leftArrow: true });
  assert.equal(s.offset, 999, 'paging stops at the oldest window');
  s = press(s, '', { rightArrow: true });
  assert.equal(s.offset, 857);
  for (let i = 0; i < 9; i++) s = press(s, '+');
  assert.equal(s.zoom, 256);
});

test('selection stays within the sets; overlays take the keys', () => {
  let s = press(INITIAL_VIEW, '', { upArrow: true });
  assert.equal(s.selected, 0);
  for (let i = 0; i < 5; i++) s = press(s, '', { downArrow: true });
  assert.equal(s.selected, 2);
  s = press(s, '?');
  assert.equal(s.overlay, 'help');
  s = press(s, 'q');
  assert.deepEqual([s.overlay, s.quit], ['none', false], 'a key closes help without acting');
  s = press(s, 'd');
  assert.deepEqual([s.overlay, s.target], ['delete', 'web']);
  assert.equal(press(s, 'q').quit, false, 'the confirmation has the keys');
  s = viewReducer(s, { type: 'close', message: 'no iptables or ip6tables rule uses the name x' });
  assert.deepEqual([s.overlay, s.target, s.message], ['none', null, 'no iptables or ip6tables rule uses the name x']);
  assert.equal(press(s, 'q').quit, true);
});

test('replay: no pause and no rule changes, each said once in the status line', () => {
  const replay = { ...ctx, live: false };
  assert.equal(press(INITIAL_VIEW, 'p', {}, replay).message, 'a replay has nothing to pause');
  assert.equal(press(INITIAL_VIEW, 'a', {}, replay).overlay, 'none');
  assert.equal(
    press(INITIAL_VIEW, 'd', {}, { ...ctx, sets: 0, selectedName: null }).message,
    'no counter set to delete',
  );
  assert.equal(press(INITIAL_VIEW, 'p').paused, true);
});

test('Enter on a burst: the zoom where it fits in half the chart, its end a quarter from the right', () => {
  const open: ViewState = { ...INITIAL_VIEW, zoom: 2, overlay: 'bursts', target: 'web' };
  const go = (windowsBack: number, windows: number, keptWindows = 16384) =>
    viewReducer(open, { type: 'gotoBurst', burst: { windowsBack, windows, keptWindows }, chartColumns: 100 });
  // 30 windows fit in half of 100 columns at zoom 2: the zoom stays, the end is 50 windows in.
  assert.deepEqual([go(500, 30).zoom, go(500, 30).offset], [2, 450]);
  // 1000 windows need 20 per column for half of 100 columns: zoom 32 (2 doubled until 16 is not enough).
  assert.deepEqual([go(5000, 1000).zoom, go(5000, 1000).offset], [32, 5000 - 800]);
  assert.equal(go(10, 30).offset, 0, 'a recent burst: the charts end at the latest window');
  assert.equal(go(0, 1e6, 1e6).zoom, 256, 'no zoom beyond the largest');
  const closed = go(16000, 500);
  assert.deepEqual([closed.overlay, closed.target], ['none', null]);
  assert.equal(closed.message, 'that burst is older than the windows kept for the charts');
  assert.equal(closed.zoom, 2, 'the charts stay where they were');
  assert.equal(go(15884, 500).message, null, 'a burst that ends just inside the kept windows is shown');
});
