// The exporter's metrics (SPEC 5, plus its own health): a private prom-client Registry and the
// window histograms written beside it. Every value is read from the watched sets at scrape time;
// a scrape changes none of them.
import { Counter, Gauge, Registry } from 'prom-client';
import { ratesPerSecond, type Thresholds } from '../windows/threshold.js';
import { HistogramText } from './histogram-text.js';
import type { Exposition } from './metrics-server.js';
import type { WatchedSet } from './watched-set.js';
import type { WindowCounts } from './window-counts.js';

/** How the exporter itself is doing: what makes a dead drain or a missing module visible. */
export interface Health {
  readonly moduleLoaded: boolean;
  readonly drainRunning: boolean;
  readonly drainErrors: number;
  readonly setsFailing: number;
}

interface ExporterView {
  sets(): Iterable<WatchedSet>;
  health(): Health;
  /** CLOCK_REALTIME in ns, for the trailing peaks. */
  nowNs(): bigint;
}

type PerSetValue = (s: WatchedSet, nowNs: bigint) => number | null;

/** @param thresholds those in force (--threshold): the burst and threshold metrics exist only with them */
export function exporterExposition(view: ExporterView, thresholds: Thresholds | null): Exposition {
  const registry = new Registry();
  const registers = [registry];

  // collect() runs at each scrape before the metric is written: it copies the current values.
  const perSet = (type: 'counter' | 'gauge', name: string, help: string, value: PerSetValue) => {
    const collect = function (this: Counter<'set'> | Gauge<'set'>) {
      this.reset();
      const now = view.nowNs();
      for (const s of view.sets()) {
        const v = value(s, now);
        if (v === null) continue;
        if (this instanceof Counter) this.inc({ set: s.name }, v);
        else this.set({ set: s.name }, v);
      }
    };
    const config = { name, help, labelNames: ['set'] as const, registers, collect };
    if (type === 'counter') new Counter(config);
    else new Gauge(config);
  };
  const exporter = (type: 'counter' | 'gauge', name: string, help: string, value: (h: Health) => number) => {
    const collect = function (this: Counter | Gauge) {
      this.reset();
      const v = value(view.health());
      if (this instanceof Counter) this.inc(v);
      else this.set(v);
    };
    if (type === 'counter') new Counter({ name, help, registers, collect });
    else new Gauge({ name, help, registers, collect });
  };
  const windows = (pick: (s: WatchedSet) => WindowCounts) =>
    function* () {
      for (const s of view.sets()) yield [s.labels, pick(s)] as const;
    };

  perSet(
    'counter',
    'pktstat_frames_total',
    'Frames the counter set matched since its creation (as its stats file).',
    (s) => (s.totals === null ? null : Number(s.totals.frames)),
  );
  perSet(
    'counter',
    'pktstat_bytes_total',
    'Bytes the counter set matched since its creation (as its stats file).',
    (s) => (s.totals === null ? null : Number(s.totals.bytes)),
  );
  perSet(
    'gauge',
    'pktstat_window_seconds',
    'The counter set period: the width of one window.',
    (s) => Number(s.periodNs) / 1e9,
  );
  const histograms = [
    new HistogramText(
      'pktstat_window_frames',
      'Frames per window, one observation per window that ended since the exporter began watching the set, idle ones as 0.',
      windows((s) => s.frames),
    ),
    new HistogramText(
      'pktstat_window_bytes',
      'Bytes per window, one observation per window that ended since the exporter began watching the set, idle ones as 0.',
      windows((s) => s.bytes),
    ),
  ];
  perSet(
    'counter',
    'pktstat_unobserved_windows_total',
    'Windows inside stretches whose detail was lost: ended, but not in the window histograms.',
    (s) => s.unobservedWindows,
  );
  perSet(
    'gauge',
    'pktstat_window_frames_max',
    'The largest window in frames that ended within the trailing peak interval.',
    (s, now) => s.peak.peak(now).frames,
  );
  perSet(
    'gauge',
    'pktstat_window_bytes_max',
    'The largest window in bytes that ended within the trailing peak interval.',
    (s, now) => s.peak.peak(now).bytes,
  );
  perSet(
    'counter',
    'pktstat_lost_samples_total',
    'Samples the exporter missed because they were overwritten before it read them.',
    (s) => Number(s.lostSamples),
  );
  if (thresholds !== null) {
    perSet('counter', 'pktstat_bursts_total', 'Bursts (runs of windows above the threshold) that ended.', (s) =>
      s.detector === null ? null : s.detector.endedCount,
    );
    perSet('counter', 'pktstat_burst_windows_total', 'Windows above the threshold.', (s) =>
      s.detector === null ? null : s.detector.hotWindows,
    );
    const rates = ratesPerSecond(thresholds);
    if (rates.frames !== null) {
      const pps = rates.frames;
      perSet('gauge', 'pktstat_threshold_frames_per_second', 'The pps threshold in force.', () => pps);
    }
    if (rates.bytes !== null) {
      const bps = rates.bytes;
      perSet(
        'gauge',
        'pktstat_threshold_bytes_per_second',
        'The bps threshold in force, in bytes per second.',
        () => bps,
      );
    }
  }

  exporter('gauge', 'pktstat_module_loaded', '1 when the proc directory of xt_pktstat exists, else 0.', (h) =>
    h.moduleLoaded ? 1 : 0,
  );
  exporter('gauge', 'pktstat_exporter_drain_running', '1 while the drain thread runs, else 0.', (h) =>
    h.drainRunning ? 1 : 0,
  );
  exporter(
    'counter',
    'pktstat_exporter_drain_errors_total',
    'Errors reading the counter sets (unreadable files, malformed data) or starting the drain.',
    (h) => h.drainErrors,
  );
  exporter(
    'gauge',
    'pktstat_exporter_sets_failing',
    'Counter sets whose reads are failing right now.',
    (h) => h.setsFailing,
  );
  exporter('gauge', 'pktstat_exporter_sets', 'Counter sets the exporter watches.', () => [...view.sets()].length);
  return {
    contentType: registry.contentType,
    // The registry's families end in a newline and are set apart by an empty line, as these are.
    metrics: async () => [await registry.metrics(), ...histograms.map((h) => h.text())].join('\n'),
  };
}
