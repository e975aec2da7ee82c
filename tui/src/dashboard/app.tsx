// The dashboard: table, charts of the selected set, status line, and the key handling. The main
// view goes to the Screen as lines; Ink draws the overlays and forms.
import { Box, useApp, useInput, useStdout } from 'ink';
import { useEffect, useLayoutEffect, useMemo, useReducer, useRef, useState } from 'react';
import { AddForm } from './components/AddForm.js';
import { ConfirmDelete } from './components/ConfirmDelete.js';
import { Help } from './components/Help.js';
import { Lines } from './components/Lines.js';
import { AXIS_WIDTH } from './chart.js';
import { addRule, deleteSetRules, type Exec, execIptables, findSetRules } from '../rules/iptables.js';
import { Bursts } from './components/Bursts.js';
import { Histogram } from './components/Histogram.js';
import type { Screen } from './screen.js';
import { mainViewLines } from './view/main-view.js';
import { type LastBurst, statusLine } from './view/status-line.js';
import { ThresholdForm } from './components/ThresholdForm.js';
import type { Burst } from '../windows/bursts.js';
import { LiveModel, type Model, type ReplayModel, type Snapshot } from './model.js';
import { formatThresholds, NO_THRESHOLDS, type Thresholds } from '../windows/threshold.js';
import type { Feed } from '../windows/feed.js';
import { INITIAL_VIEW, type KeyContext, viewReducer } from './keys.js';

export type Source =
  | { readonly kind: 'live'; readonly feed: Feed }
  | { readonly kind: 'replay'; readonly model: ReplayModel; readonly label: string };

interface AppProps {
  readonly source: Source;
  /** Where the main view is drawn; Ink renders into its inkStdout. */
  readonly screen: Screen;
  /** Set to select first (--rule). */
  readonly focus?: string;
  readonly exec?: Exec;
  readonly color: boolean;
  /** Every set's thresholds until `t` changes one (--threshold). */
  readonly thresholds?: Thresholds;
  /** How often the drain is taken from and the view refreshed. */
  readonly tickMs?: number;
}

function terminalSize(stdout: NodeJS.WriteStream): { width: number; rows: number } {
  return { width: stdout.columns || 80, rows: stdout.rows || 24 };
}

function useTerminalSize(): { width: number; rows: number } {
  const { stdout } = useStdout();
  const [size, setSize] = useState(() => terminalSize(stdout));
  useEffect(() => {
    const onResize = () => setSize(terminalSize(stdout));
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}

/**
 * The view refreshes five times a second (keys show at once), as often as a reader follows
 * figures that change; the drain thread reads on its own schedule, whatever the view does.
 */
const TICK_MS = 200;

function lastBurst(s: Snapshot): LastBurst | null {
  let last: LastBurst | null = null;
  for (const set of s.sets)
    if (set.lastBurst !== null && (last === null || set.lastBurst.endNs > last.burst.endNs))
      last = { name: set.name, burst: set.lastBurst };
  return last;
}

export function App(props: AppProps) {
  const { exit } = useApp();
  const { width, rows } = useTerminalSize();
  const exec = props.exec ?? execIptables;
  const live = props.source.kind === 'live' ? props.source : null;
  const thresholds = props.thresholds ?? NO_THRESHOLDS;
  // Made once: a dashboard's source is fixed for its life, and the model holds every set's history
  // (useMemo's cache may be dropped). The thresholds given at start only matter when it is made.
  const [model] = useState<Model>(() =>
    props.source.kind === 'replay' ? props.source.model : new LiveModel(props.source.feed, thresholds),
  );
  const [snap, setSnap] = useState<Snapshot>(() => model.snapshot());
  const [view, dispatch] = useReducer(viewReducer, INITIAL_VIEW);
  const focused = useRef(false);

  useEffect(() => {
    if (live === null) return;
    const tick = () => {
      model.update(Date.now());
      // Draining goes on while paused, and the status line stays live (losses are never hidden).
      setSnap(model.snapshot());
    };
    tick();
    const timer = setInterval(tick, props.tickMs ?? TICK_MS);
    return () => clearInterval(timer);
  }, [model, live, props.tickMs]);

  // Table and charts freeze when the pause is rendered (a new threshold shows at once).
  const [thresholdsChanged, setThresholdsChanged] = useState(0);
  const frozen = useMemo(
    () => (view.paused ? model.snapshot(true) : null),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [view.paused, model, thresholdsChanged],
  );

  useEffect(() => {
    if (view.quit) exit();
  }, [view.quit, exit]);

  useEffect(() => {
    if (focused.current || props.focus === undefined) return;
    const i = snap.sets.findIndex((s) => s.name === props.focus);
    if (i >= 0) {
      dispatch({ type: 'select', index: i });
      focused.current = true;
    }
  }, [snap, props.focus]);

  const shown = frozen ?? snap;
  const sel = Math.max(0, Math.min(view.selected, shown.sets.length - 1));
  const current = shown.sets[sel];
  const series = current !== undefined ? shown.series.get(current.name) : undefined;
  const chartColumns = Math.max(1, width - AXIS_WIDTH - 1);
  // Read when a key arrives, which may be before the handler of this render is subscribed.
  const ctx = useRef<KeyContext>({ sets: 0, selectedName: null, windows: 0, chartColumns, live: live !== null });
  const keyContext: KeyContext = {
    sets: shown.sets.length,
    selectedName: current?.name ?? null,
    windows: series?.windows ?? 0,
    chartColumns,
    live: live !== null,
  };
  useLayoutEffect(() => {
    ctx.current = keyContext;
  });

  // Keys typed faster than the app reads arrive as one chunk ("++"): each counts.
  useInput(
    (input, key) => {
      for (const ch of input.length > 1 && /^[\x20-\x7e]+$/.test(input) ? input : [input])
        dispatch({ type: 'key', input: ch, key, ctx: ctx.current });
    },
    {
      isActive: view.overlay === 'none' || view.overlay === 'help' || view.overlay === 'histogram',
    },
  );

  const target = view.target !== null ? shown.sets.find((s) => s.name === view.target) : undefined;
  const targetSeries = target !== undefined ? shown.series.get(target.name) : undefined;
  const setThresholds = (name: string, t: Thresholds) => {
    model.setThresholds(name, t);
    setSnap(model.snapshot());
    setThresholdsChanged((n) => n + 1);
    const text = formatThresholds(t);
    dispatch({ type: 'close', message: text === '' ? `${name}: threshold cleared` : `${name}: threshold ${text}` });
  };
  const gotoBurst = (b: Burst) => {
    const s = targetSeries;
    if (s === undefined) return;
    const windowsBack = Number((s.endNs - b.endNs) / s.periodNs);
    dispatch({ type: 'gotoBurst', burst: { windowsBack, windows: b.windows, keptWindows: s.windows }, chartColumns });
  };

  const state = props.source.kind === 'replay' ? `replay ${props.source.label}` : view.paused ? 'PAUSED' : 'live';
  const status = statusLine({
    state,
    drainRate: live !== null ? snap.drainRate : null,
    lost: snap.lost,
    message: view.message,
    error: snap.lastError,
    lastBurst: lastBurst(shown),
    color: props.color,
    width,
  });

  let body;
  if (view.overlay === 'help') body = <Help />;
  else if (view.overlay === 'threshold' && target !== undefined)
    body = (
      <ThresholdForm
        name={target.name}
        current={formatThresholds(target.thresholds)}
        apply={(t) => setThresholds(target.name, t)}
        close={() => dispatch({ type: 'close', message: null })}
        color={props.color}
      />
    );
  else if (view.overlay === 'bursts' && target !== undefined)
    body = (
      <Bursts
        name={target.name}
        periodNs={target.periodNs}
        bursts={target.bursts()}
        count={target.burstCount ?? 0}
        thresholds={formatThresholds(target.thresholds)}
        rows={rows - 3}
        goto={gotoBurst}
        close={() => dispatch({ type: 'close', message: null })}
      />
    );
  else if (view.overlay === 'histogram' && target !== undefined && targetSeries !== undefined)
    body = (
      <Histogram series={targetSeries} limit={target.limits.frames} width={width} rows={rows - 1} color={props.color} />
    );
  else if (view.overlay === 'add')
    body = (
      <AddForm
        submit={(spec) => addRule(spec, exec)}
        close={() => dispatch({ type: 'close', message: null })}
        color={props.color}
      />
    );
  else if (view.overlay === 'delete' && view.target !== null)
    body = (
      <ConfirmDelete
        name={view.target}
        find={(name) => findSetRules(name, exec)}
        remove={(rules) => deleteSetRules(rules, exec)}
        close={(err) => dispatch({ type: 'close', message: err })}
      />
    );
  const main =
    body === undefined
      ? mainViewLines({
          sets: shown.sets,
          selected: sel,
          series,
          zoom: view.zoom,
          offset: view.offset,
          width,
          rows,
          color: props.color,
          status,
        })
      : null;
  useLayoutEffect(() => props.screen.show(main));
  if (body === undefined) return null;
  return (
    <Box flexDirection="column" width={width}>
      {body}
      <Lines lines={[status]} width={width} />
    </Box>
  );
}
