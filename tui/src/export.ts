// `--export csv`: streams one counter set's windows as CSV rows while the drain drains it.
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { SetStatus } from '../../addon/types.js';
import type { Feed } from './feed.js';
import { CSV_HEADER, csvLine, type Origin, Tiler } from './tiler.js';

export interface ExportOptions {
  readonly feed: Feed;
  readonly name: string;
  readonly out: Writable;
  /** CLOCK_REALTIME (ns) when the export started, rows begin with the next window; and the
   * cumulative counters then (from `stats`). */
  readonly origin: Origin;
  /** Aborted by SIGINT/SIGTERM or when --duration is over. */
  readonly stop: AbortSignal;
  /**
   * Samples the kernel has dropped since the set was created (`stats` lost), or null. The
   * kernel announces drops only with the next sample that gets in; until then the windows
   * involved look idle, so zero rows are held back while drops are unannounced.
   */
  readonly kernelDropped?: () => bigint | null;
  /** Told, one line each, of drain errors for the set (the export goes on). */
  readonly warn?: (line: string) => void;
  readonly tickMs?: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function write(out: Writable, text: string): Promise<void> {
  if (text !== '' && !out.write(text)) await once(out, 'drain');
}

/** Resolves once every complete row is written; rejects with a one-line Error. */
export async function runExport(o: ExportOptions): Promise<void> {
  const tickMs = o.tickMs ?? 50;
  let tiler: Tiler | null = null;
  const find = (): SetStatus | undefined => o.feed.status().find((s) => s.name === o.name);

  let drops: { dropped: bigint; announced: bigint } | null = null;
  /** Whether the kernel dropped samples it has not announced yet (read after `st`). */
  const dropsPending = (st: SetStatus): boolean => {
    const dropped = o.kernelDropped?.() ?? null;
    if (dropped === null) return false;
    drops ??= { dropped, announced: st.kernelLost };
    return dropped - drops.dropped > st.kernelLost - drops.announced;
  };

  const step = (st: SetStatus): string => {
    tiler ??= new Tiler(st.periodNs, o.origin);
    let text = '';
    // Status before take: every window ending by lastReadStartNs is then either in the
    // batch taken below, or idle, or dropped (and then announced by a later sample).
    for (const b of o.feed.take()) if (b.name === o.name) for (const r of tiler.feed(b)) text += csvLine(r);
    if (!dropsPending(st)) for (const r of tiler.idleUntil(st.lastReadStartNs)) text += csvLine(r);
    return text;
  };

  const checkEvents = () => {
    for (const ev of o.feed.events()) {
      if (ev.type === 'removed' && ev.name === o.name)
        throw new Error(`counter set ${o.name} was removed: its rules are gone`);
      if (ev.type === 'error' && (ev.name === o.name || ev.name === null)) o.warn?.(ev.message);
    }
  };

  await write(o.out, CSV_HEADER);
  while (!o.stop.aborted) {
    checkEvents();
    const st = find();
    if (st !== undefined) await write(o.out, step(st));
    await sleep(tickMs);
  }
  // Final take after the drain thread's next read, so the last windows that ended are included.
  const before = find();
  if (before === undefined) return;
  const limitMs = Math.max(2000, Number((before.drainIntervalNs * 2n) / 1_000_000n));
  const deadline = Date.now() + limitMs;
  let st = before;
  while (Date.now() < deadline) {
    st = find() ?? st;
    if (st.reads > before.reads) break;
    await sleep(5);
  }
  await write(o.out, step(st));
}
