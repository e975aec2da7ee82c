// The exporter's numbers end to end without the kernel: a scripted drain, the follower that
// tiles and counts, and the exposition prom-client writes, checked by promtool.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exporterExposition, type Health } from '../../../tui/src/serve/exporter-metrics.js';
import { SetFollower } from '../../../tui/src/serve/set-follower.js';
import { parseThresholds, type Thresholds } from '../../../tui/src/windows/threshold.js';
import type { Counters } from '../../../tui/src/windows/tiler.js';
import { ScriptedFeed } from '../helpers.js';
import { promtoolCheck, samples, value } from './exposition.js';

const MS = 1_000_000n;
const T = 1_764_288_000_000n * MS; // the moment the exporter starts watching
const P = 100_000n; // 100 us

function rig(thresholds: Thresholds | null, counters: Counters | null = { frames: 10n, bytes: 1000n }) {
  let now = T;
  const feed = new ScriptedFeed();
  const follower = new SetFollower({
    thresholds,
    peakIntervalSeconds: 60,
    readCounters: () => counters,
    nowNs: () => now,
  });
  const health: Health = { moduleLoaded: true, drainRunning: true, drainErrors: 0, setsFailing: 0 };
  const exposition = exporterExposition(
    { sets: () => follower.sets.values(), health: () => health, nowNs: () => now },
    thresholds,
  );
  return {
    feed,
    follower,
    scrape: () => exposition.metrics(),
    setNow: (ns: bigint) => (now = ns),
  };
}

test('windows, idle runs, a lost stretch and a burst give exact histograms, totals and counters', async () => {
  const r = rig(parseThresholds(['20kpps']));
  r.feed.addSet('a', P);
  r.follower.tick(r.feed);
  // Watching began at T: the origin is T + 1 ms, the window start 10 periods on.
  r.feed.read('a', T + 100n * P, [
    { t: T - 5n * P, frames: 12n, bytes: 1200n }, // before the origin: the new baseline
    { t: T + 20n * P, frames: 15n, bytes: 1500n },
    { t: T + 21n * P, frames: 30n, bytes: 9000n },
    { t: T + 50n * P, frames: 40n, bytes: 9100n, lostBefore: 2n },
  ]);
  r.follower.tick(r.feed);
  const text = await r.scrape();
  assert.equal(promtoolCheck(text), null);
  const m = samples(text);
  const s = (name: string, le?: string) => value(m, `${name}{set="a"${le === undefined ? '' : `,le="${le}"`}}`);
  assert.equal(s('pktstat_frames_total'), 40);
  assert.equal(s('pktstat_bytes_total'), 9100);
  assert.equal(s('pktstat_window_seconds'), 0.0001);
  // Windows T+10P … T+100P: 10 idle, 3 frames, 15 frames, 29 lost, 49 idle.
  assert.equal(s('pktstat_window_frames_count'), 61);
  assert.equal(s('pktstat_window_frames_bucket', '0'), 59);
  assert.equal(s('pktstat_window_frames_bucket', '2'), 59);
  assert.equal(s('pktstat_window_frames_bucket', '4'), 60);
  assert.equal(s('pktstat_window_frames_bucket', '16'), 61);
  assert.equal(s('pktstat_window_frames_bucket', '+Inf'), 61);
  assert.equal(s('pktstat_window_frames_sum'), 3 + 15);
  assert.equal(s('pktstat_window_bytes_sum'), 300 + 7500);
  assert.equal(s('pktstat_window_bytes_bucket', '256'), 59);
  assert.equal(s('pktstat_window_bytes_bucket', '512'), 60);
  assert.equal(s('pktstat_window_bytes_bucket', '8192'), 61);
  assert.equal(s('pktstat_unobserved_windows_total'), 29);
  assert.equal(s('pktstat_lost_samples_total'), 2);
  // _count plus the unobserved windows is every window that ended since the origin.
  assert.equal(s('pktstat_window_frames_count') + s('pktstat_unobserved_windows_total'), 90);
  assert.equal(s('pktstat_window_frames_max'), 15);
  assert.equal(s('pktstat_window_bytes_max'), 7500);
  // 20 kpps at 100 us: more than 2 frames is hot. The lost stretch ended the burst of two.
  assert.equal(s('pktstat_bursts_total'), 1);
  assert.equal(s('pktstat_burst_windows_total'), 2);
  assert.equal(s('pktstat_threshold_frames_per_second'), 20_000);
  assert.equal(m.has('pktstat_threshold_bytes_per_second{set="a"}'), false);
  assert.equal(value(m, 'pktstat_exporter_sets'), 1);
  assert.equal(value(m, 'pktstat_module_loaded'), 1);
});

test('an hour of idle 100 us windows is counted at once, and scrapes change nothing', async () => {
  const r = rig(null);
  r.feed.addSet('idle', P);
  r.follower.tick(r.feed);
  const hour = 3_600_000n * MS;
  r.feed.read('idle', T + MS + hour);
  // 36 million windows, as one idle row.
  r.follower.tick(r.feed);
  r.setNow(T + hour);
  const first = await r.scrape();
  const second = await r.scrape();
  assert.equal(first, second);
  assert.equal(value(first, 'pktstat_window_frames_count{set="idle"}'), 36_000_000);
  assert.equal(value(first, 'pktstat_window_frames_bucket{set="idle",le="0"}'), 36_000_000);
  assert.equal(value(first, 'pktstat_window_frames_sum{set="idle"}'), 0);
  assert.equal(value(first, 'pktstat_frames_total{set="idle"}'), 10);
  // Without --threshold there are no burst or threshold metrics at all.
  assert.doesNotMatch(first, /burst|threshold/);
});

test('a set that goes disappears; one that comes back under its name starts from zero', async () => {
  const r = rig(null, { frames: 0n, bytes: 0n });
  r.feed.addSet('x', P);
  r.feed.addSet('y', MS);
  r.follower.tick(r.feed);
  r.feed.read('x', T + 20n * P, [{ t: T + 12n * P, frames: 7n, bytes: 700n }]);
  r.follower.tick(r.feed);
  assert.equal(value(await r.scrape(), 'pktstat_frames_total{set="x"}'), 7);
  r.feed.removeSet('x');
  r.follower.tick(r.feed);
  let text = await r.scrape();
  assert.doesNotMatch(text, /set="x"/);
  assert.match(text, /pktstat_window_seconds\{set="y"\} 0.001/);
  r.setNow(T + 100n * P);
  r.feed.addSet('x', P);
  r.follower.tick(r.feed);
  text = await r.scrape();
  assert.equal(value(text, 'pktstat_frames_total{set="x"}'), 0);
  assert.equal(value(text, 'pktstat_window_frames_count{set="x"}'), 0);
  assert.equal(value(text, 'pktstat_exporter_sets'), 2);
});

test('without readable stats the first sample sets the baseline; drain errors are counted', async () => {
  const r = rig(null, null);
  r.feed.addSet('z', P);
  r.follower.tick(r.feed);
  assert.doesNotMatch(await r.scrape(), /pktstat_frames_total\{/);
  r.feed.read('z', T + 30n * P, [
    { t: T + 2n * P, frames: 100n, bytes: 6400n },
    { t: T + 4n * P, frames: 103n, bytes: 6592n },
  ]);
  r.feed.error('z', 'z: data: malformed line');
  const errors: string[] = [];
  r.follower.tick(r.feed, (line) => errors.push(line));
  const m = samples(await r.scrape());
  assert.equal(value(m, 'pktstat_frames_total{set="z"}'), 103);
  assert.equal(value(m, 'pktstat_window_frames_sum{set="z"}'), 3);
  // Windows T+3P … T+30P: one idle, one of 3 frames, 25 idle.
  assert.equal(value(m, 'pktstat_window_frames_count{set="z"}'), 27);
  assert.deepEqual(errors, ['z: data: malformed line']);
  assert.equal(r.follower.drainErrors, 1);
});
