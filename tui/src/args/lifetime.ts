// How long a run lasts: until one of its signals, or the end of --duration. The export, the
// exporter and the dashboard each run inside one.

/** Node's timers hold 32 bits: a longer delay fires after 1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Lifetime {
  /** Each ends the run the first time it comes; a second one gets the default action. */
  readonly signals: readonly NodeJS.Signals[];
  /** --duration in ms, any length (a week-long export is 604,800,000); null: no limit. */
  readonly durationMs: number | null;
}

/**
 * Runs `body` with a signal that aborts when the run should end; the handlers and the timer go
 * when it settles, however it does.
 */
export async function withLifetime<T>(o: Lifetime, body: (end: AbortSignal) => Promise<T>): Promise<T> {
  const ctl = new AbortController();
  const end = () => ctl.abort();
  let timer: NodeJS.Timeout | undefined;
  // Past the timers' limit, in steps of at most that.
  const wait = (ms: number) => {
    timer = ms > MAX_TIMER_MS ? setTimeout(() => wait(ms - MAX_TIMER_MS), MAX_TIMER_MS) : setTimeout(end, ms);
  };
  for (const s of o.signals) process.once(s, end);
  if (o.durationMs !== null) wait(o.durationMs);
  try {
    return await body(ctl.signal);
  } finally {
    clearTimeout(timer);
    for (const s of o.signals) process.off(s, end);
  }
}
