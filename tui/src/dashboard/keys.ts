// Key handling as a reducer: several keys can arrive in one chunk, before React re-renders,
// so each must see the state the previous one left.
import type { Key } from 'ink';

type Overlay = 'none' | 'help' | 'add' | 'delete' | 'threshold' | 'bursts' | 'histogram';

export interface ViewState {
  readonly selected: number;
  readonly overlay: Overlay;
  /** Windows per chart column. */
  readonly zoom: number;
  /** Windows between the charts' right edge and the latest window. */
  readonly offset: number;
  readonly paused: boolean;
  readonly quit: boolean;
  readonly message: string | null;
  /** The set `d`, `t`, `b` or `h` is about, fixed when asked even if the selection moves. */
  readonly target: string | null;
}

export const INITIAL_VIEW: ViewState = {
  selected: 0,
  overlay: 'none',
  zoom: 1,
  offset: 0,
  paused: false,
  quit: false,
  message: null,
  target: null,
};

/** What the keys need to know about the screen when they arrive. */
export interface KeyContext {
  readonly sets: number;
  readonly selectedName: string | null;
  /** Windows kept for the selected set. */
  readonly windows: number;
  readonly chartColumns: number;
  /** False while replaying a file: nothing to pause, no rules to change. */
  readonly live: boolean;
}

export const MAX_ZOOM = 256;

type ViewAction =
  | { readonly type: 'key'; readonly input: string; readonly key: Partial<Key>; readonly ctx: KeyContext }
  | { readonly type: 'close'; readonly message: string | null }
  | { readonly type: 'select'; readonly index: number }
  /** Enter on a burst: the overlay closes and the charts show it. */
  | { readonly type: 'gotoBurst'; readonly burst: BurstPlace; readonly chartColumns: number };

/** Where a burst lies in the windows kept for the charts. */
export interface BurstPlace {
  /** Windows from the burst's end to the latest window. */
  readonly windowsBack: number;
  /** The burst's length in windows. */
  readonly windows: number;
  /** Windows kept for its set. */
  readonly keptWindows: number;
}

/** The charts at a zoom where the burst fits in half their width, its end a quarter from the right. */
function gotoBurst(s: ViewState, b: BurstPlace, chartColumns: number): ViewState {
  const closed = { ...s, overlay: 'none' as const, target: null };
  if (b.windowsBack + b.windows > b.keptWindows)
    return { ...closed, message: 'that burst is older than the windows kept for the charts' };
  let zoom = s.zoom;
  while (zoom < MAX_ZOOM && b.windows > (chartColumns * zoom) / 2) zoom *= 2;
  const offset = Math.max(0, b.windowsBack - Math.floor((chartColumns * zoom) / 4));
  return { ...closed, zoom, offset, message: null };
}

export function viewReducer(s: ViewState, a: ViewAction): ViewState {
  if (a.type === 'close') return { ...s, overlay: 'none', target: null, message: a.message };
  if (a.type === 'select') return { ...s, selected: a.index };
  if (a.type === 'gotoBurst') return gotoBurst(s, a.burst, a.chartColumns);
  const { input, key, ctx } = a;
  if (s.overlay === 'help' || s.overlay === 'histogram') return { ...s, overlay: 'none', target: null };
  if (s.overlay !== 'none') return s; // the form or the confirmation has the keys
  const last = Math.max(0, ctx.sets - 1);
  const sel = Math.min(s.selected, last);
  if (input === 'q') return { ...s, quit: true };
  if (key.upArrow) return { ...s, selected: Math.max(0, sel - 1), offset: 0 };
  if (key.downArrow) return { ...s, selected: Math.min(last, sel + 1), offset: 0 };
  if (key.leftArrow || key.rightArrow) {
    const step = ctx.chartColumns * s.zoom;
    const offset = s.offset + (key.leftArrow ? step : -step);
    return { ...s, offset: Math.max(0, Math.min(Math.max(0, ctx.windows - 1), offset)) };
  }
  if (input === '+') return { ...s, zoom: Math.min(MAX_ZOOM, s.zoom * 2) };
  if (input === '-') return { ...s, zoom: Math.max(1, s.zoom / 2) };
  if (input === '?') return { ...s, overlay: 'help' };
  if (input === 'p') return ctx.live ? { ...s, paused: !s.paused } : { ...s, message: 'a replay has nothing to pause' };
  if (input === 't' || input === 'b' || input === 'h') {
    if (ctx.selectedName === null) return { ...s, message: 'no counter set selected' };
    const overlay = input === 't' ? 'threshold' : input === 'b' ? 'bursts' : 'histogram';
    return { ...s, overlay, target: ctx.selectedName, message: null };
  }
  if (input === 'a' || input === 'd') {
    if (!ctx.live) return { ...s, message: 'rules cannot be changed while replaying a file' };
    if (input === 'a') return { ...s, overlay: 'add', message: null };
    return ctx.selectedName !== null
      ? { ...s, overlay: 'delete', target: ctx.selectedName, message: null }
      : { ...s, message: 'no counter set to delete' };
  }
  return s;
}
