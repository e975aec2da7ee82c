// The dashboard: table, charts of the selected set, status line, and the key handling.
import { Box, Text, useApp, useInput, useStdout } from 'ink';
import { useEffect, useMemo, useRef, useState } from 'react';
import { AddForm } from './components/AddForm.js';
import { Charts } from './components/Charts.js';
import { ConfirmDelete } from './components/ConfirmDelete.js';
import { Help } from './components/Help.js';
import { StatusLine } from './components/StatusLine.js';
import { Table } from './components/Table.js';
import { AXIS_WIDTH } from './chart.js';
import { addRule, deleteRules, type Exec, execIptables } from './iptables.js';
import { LiveModel, type Snapshot } from './model.js';
import type { Feed } from './engine.js';

export type Source =
  | { readonly kind: 'live'; readonly feed: Feed; readonly procDir: string | null }
  | { readonly kind: 'replay'; readonly snapshot: Snapshot; readonly label: string };

export interface AppProps {
  readonly source: Source;
  /** Set to select first (--rule). */
  readonly focus?: string;
  readonly exec?: Exec;
  readonly color: boolean;
  /** How often the engine is taken from and the view refreshed. */
  readonly tickMs?: number;
}

const MAX_ZOOM = 256;
type Overlay = 'none' | 'help' | 'add' | 'delete';

function useTerminalSize(): { columns: number; rows: number } {
  const { stdout } = useStdout();
  const read = () => ({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}

export function App(props: AppProps) {
  const { exit } = useApp();
  const { columns, rows } = useTerminalSize();
  const exec = props.exec ?? execIptables;
  const live = props.source.kind === 'live' ? props.source : null;
  const model = useMemo(() => (live !== null ? new LiveModel(live.feed, live.procDir) : null), [live]);
  const [snap, setSnap] = useState<Snapshot>(() =>
    props.source.kind === 'replay' ? props.source.snapshot : { sets: [], series: new Map(), drainRate: 0, lost: 0n, lastError: null },
  );
  const [paused, setPaused] = useState(false);
  const pausedRef = useRef(false);
  const [selected, setSelected] = useState(0);
  const [overlay, setOverlay] = useState<Overlay>('none');
  const [zoom, setZoom] = useState(1);
  const [offset, setOffset] = useState(0);
  const [uiError, setUiError] = useState<string | null>(null);
  const focused = useRef(false);

  useEffect(() => {
    if (model === null) return;
    const tick = () => {
      model.update(Date.now());
      // Draining goes on while paused; only the view stays.
      if (!pausedRef.current) setSnap(model.snapshot());
    };
    tick();
    const timer = setInterval(tick, props.tickMs ?? 50);
    return () => clearInterval(timer);
  }, [model, props.tickMs]);

  useEffect(() => {
    if (focused.current || props.focus === undefined) return;
    const i = snap.sets.findIndex((s) => s.name === props.focus);
    if (i >= 0) {
      setSelected(i);
      focused.current = true;
    }
  }, [snap, props.focus]);

  const sel = Math.max(0, Math.min(selected, snap.sets.length - 1));
  // Read by the key handler: Ink may deliver a key before the handler of the latest render is
  // subscribed, so it must not rely on its closure's snapshot.
  const setCount = useRef(0);
  setCount.current = snap.sets.length;
  const current = snap.sets[sel];
  const series = current !== undefined ? snap.series.get(current.name) : undefined;
  const chartWidth = Math.max(1, columns - AXIS_WIDTH - 1);

  useInput(
    (input, key) => {
      if (overlay === 'help') {
        setOverlay('none');
        return;
      }
      if (input === 'q') exit();
      else if (key.upArrow || key.downArrow) {
        const last = Math.max(0, setCount.current - 1);
        setSelected((s) => Math.max(0, Math.min(last, Math.min(s, last) + (key.upArrow ? -1 : 1))));
      }
      else if (key.leftArrow || key.rightArrow) {
        const total = series?.length ?? 0;
        const step = chartWidth * zoom;
        setOffset((o) => Math.max(0, Math.min(Math.max(0, total - 1), key.leftArrow ? o + step : o - step)));
      } else if (input === '+') setZoom((z) => Math.min(MAX_ZOOM, z * 2));
      else if (input === '-') setZoom((z) => Math.max(1, z / 2));
      else if (input === '?') setOverlay('help');
      else if (input === 'p' && model !== null) {
        pausedRef.current = !pausedRef.current;
        setPaused(pausedRef.current);
        setSnap(model.snapshot(pausedRef.current));
      } else if (input === 'a' || input === 'd') {
        if (live === null) setUiError('rules cannot be changed while replaying a file');
        else if (input === 'a') setOverlay('add');
        else if (current !== undefined) setOverlay('delete');
      }
    },
    { isActive: overlay === 'none' || overlay === 'help' },
  );

  const state = live === null ? `replay ${props.source.kind === 'replay' ? props.source.label : ''}` : paused ? 'PAUSED' : 'live';
  // Rows: table header + sets, two chart titles, status; the rest goes to the charts.
  const tableRows = Math.max(1, Math.min(snap.sets.length, Math.floor(rows / 4)));
  const chartHeight = Math.max(2, Math.floor((rows - 1 - (tableRows + 1) - 2 - 1) / 2));

  let body;
  if (overlay === 'help') body = <Help />;
  else if (overlay === 'add')
    body = (
      <AddForm
        submit={(spec) => addRule(spec, exec)}
        close={() => setOverlay('none')}
        color={props.color}
      />
    );
  else if (overlay === 'delete' && current !== undefined)
    body = (
      <ConfirmDelete
        name={current.name}
        remove={(name) => deleteRules(name, exec)}
        close={(err) => {
          setUiError(err);
          setOverlay('none');
        }}
      />
    );
  else
    body = (
      <>
        <Table sets={snap.sets} selected={sel} width={columns} rows={tableRows} color={props.color} />
        {series !== undefined && series.length > 0 ? (
          <Charts series={series} zoom={zoom} offset={offset} width={columns} height={chartHeight} color={props.color} />
        ) : (
          <Text dimColor>{current !== undefined ? 'waiting for the first window…' : ''}</Text>
        )}
      </>
    );

  return (
    <Box flexDirection="column" width={columns}>
      {body}
      <StatusLine
        state={state}
        drainRate={live !== null ? snap.drainRate : null}
        lost={snap.lost}
        error={uiError ?? snap.lastError}
        color={props.color}
      />
    </Box>
  );
}
