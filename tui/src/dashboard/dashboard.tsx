// Runs the Ink dashboard until q, Ctrl-C, SIGTERM/SIGHUP or the end of --duration, on the
// terminal's alternate screen as top and htop do: every way out, a crash included, restores the
// screen the shell had.
import { render } from 'ink';
import { App, type Source } from './app.js';
import { Screen } from './screen.js';
import { withLifetime } from '../args/lifetime.js';
import type { Thresholds } from '../windows/threshold.js';

// The cursor hidden there: the Screen moves it from row to row.
const ENTER_ALTERNATE_SCREEN = '\x1b[?1049h\x1b[H\x1b[?25l';
const LEAVE_ALTERNATE_SCREEN = '\x1b[?25h\x1b[?1049l';

export async function runDashboard(o: {
  source: Source;
  focus?: string;
  color: boolean;
  durationMs: number | null;
  thresholds: Thresholds;
}): Promise<void> {
  let alternate = true;
  const leave = () => {
    if (!alternate) return;
    alternate = false;
    process.stdout.write(LEAVE_ALTERNATE_SCREEN);
  };
  process.stdout.write(ENTER_ALTERNATE_SCREEN);
  const screen = new Screen(process.stdout);
  // Ink in debug mode: it hands each whole frame to the Screen, which draws what changed.
  const ink = render(
    <App screen={screen} source={o.source} focus={o.focus} color={o.color} thresholds={o.thresholds} />,
    { stdout: screen.inkStdout as unknown as NodeJS.WriteStream, debug: true },
  );
  // A bug: the terminal back first, so that the error is seen on the screen the shell has.
  const crash = (e: unknown) => {
    try {
      ink.unmount();
    } finally {
      leave();
      process.stderr.write(`pktstat-top: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(70);
    }
  };
  process.once('uncaughtException', crash);
  process.once('unhandledRejection', crash);
  process.once('exit', leave);
  try {
    await withLifetime({ signals: ['SIGTERM', 'SIGHUP'], durationMs: o.durationMs }, (end) => {
      // Leave through Ink, which restores the terminal's modes, rather than dying in raw mode.
      end.addEventListener('abort', () => ink.unmount());
      return ink.waitUntilExit();
    });
  } finally {
    leave();
    process.off('uncaughtException', crash);
    process.off('unhandledRejection', crash);
    process.off('exit', leave);
  }
}
