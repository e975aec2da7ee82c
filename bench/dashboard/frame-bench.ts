// What one frame of the dashboard's main view costs to draw, 132 x 40 with colour, the chart
// moving a column each frame as it does live: the lines built and written by the Screen (only
// the rows that changed), against the same lines drawn by Ink as the main view was before (a
// block of lines in a Box: Ink builds its grid of cells, tokenizes and diffs styles for every
// character at every frame). Prints time and bytes per frame and the ratio, from one run.
// Usage: node dist/bench/dashboard/frame-bench.js [frames=300]
import { EventEmitter } from 'node:events';
import { Box, render } from 'ink';
import { createElement } from 'react';
import { Lines } from '../../tui/src/dashboard/components/Lines.js';
import { ReplayModel } from '../../tui/src/dashboard/model.js';
import { Screen } from '../../tui/src/dashboard/screen.js';
import { parseThresholds } from '../../tui/src/windows/threshold.js';
import type { Row } from '../../tui/src/windows/tiler.js';
import { mainViewLines } from '../../tui/src/dashboard/view/main-view.js';

const frames = Number(process.argv[2] ?? 300);
if (!Number.isSafeInteger(frames) || frames < 1)
  throw new Error(`frame-bench: not a positive integer: ${process.argv[2]}`);
const COLUMNS = 132;
const ROWS = 40;
const P = 100_000n;
const T0 = 1_764_288_000_000_000_000n;

// A ring of traffic with bursts, as the live dashboard holds for the selected set.
let seed = 12345;
const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
const rows: Row[] = Array.from({ length: 16_384 }, (_, i) => {
  const f = i % 97 < 3 ? 20 + rand(50) : rand(6);
  return {
    startNs: T0 + BigInt(i) * P,
    endNs: T0 + BigInt(i + 1) * P,
    frames: BigInt(f),
    bytes: BigInt(f * (64 + rand(1400))),
    lost: 0n,
  };
});
const snap = new ReplayModel('set00', rows, P, parseThresholds(['200kpps'])).snapshot();
const series = snap.series.get('set00');
const status = 'live | drain 316k samples/s | lost 0 | last burst set06 01:44:13.136100 600µs peak 64 fr | ? help';
/** Frame k: the chart one column further back, as a live chart moves by a column. */
const frameLines = (k: number) =>
  mainViewLines({
    sets: snap.sets,
    selected: 0,
    series,
    zoom: 1,
    offset: frames - k,
    width: COLUMNS,
    rows: ROWS,
    color: true,
    status,
  });

class Sink extends EventEmitter {
  readonly columns = COLUMNS;
  readonly rows = ROWS;
  bytes = 0;
  write(data: string): boolean {
    this.bytes += Buffer.byteLength(data);
    return true;
  }
}

async function viaScreen(): Promise<{ us: number; bytes: number }> {
  const sink = new Sink();
  const screen = new Screen(sink);
  const t = process.hrtime.bigint();
  for (let k = 0; k < frames; k++) {
    screen.show(frameLines(k));
    await Promise.resolve(); // the Screen paints once the current task is done
  }
  return { us: Number(process.hrtime.bigint() - t) / 1e3 / frames, bytes: sink.bytes / frames };
}

function viaInk(): { us: number; bytes: number } {
  const sink = new Sink();
  const tree = (k: number) =>
    createElement(
      Box,
      { flexDirection: 'column', width: COLUMNS },
      createElement(Lines, { lines: frameLines(k), width: COLUMNS }),
    );
  // Debug mode renders at once on each rerender, unthrottled, so each frame is timed whole.
  const ink = render(tree(0), {
    stdout: sink as unknown as NodeJS.WriteStream,
    debug: true,
    patchConsole: false,
  });
  const t = process.hrtime.bigint();
  for (let k = 0; k < frames; k++) ink.rerender(tree(k));
  const us = Number(process.hrtime.bigint() - t) / 1e3 / frames;
  ink.unmount();
  return { us, bytes: sink.bytes / frames };
}

// Warm-up of both, then the measured runs.
await viaScreen();
viaInk();
const screen = await viaScreen();
const ink = viaInk();
const line = (label: string, r: { us: number; bytes: number }) =>
  console.log(
    `${label.padEnd(40)} ${r.us.toFixed(0).padStart(6)} µs/frame  ${r.bytes.toFixed(0).padStart(6)} bytes/frame`,
  );
line('main view: lines + Screen (rows changed)', screen);
line('main view: the same lines through Ink', ink);
console.log(
  `Ink / Screen: ${(ink.us / screen.us).toFixed(1)}x the time per frame (${frames} frames of ${COLUMNS}x${ROWS})`,
);
