// Runs the Ink dashboard until q, Ctrl-C, SIGTERM/SIGHUP or the end of --duration.
import { render } from 'ink';
import { App, type Source } from './app.js';

export async function runDashboard(o: {
  source: Source;
  focus?: string;
  color: boolean;
  durationMs: number | null;
}): Promise<void> {
  const ink = render(<App source={o.source} focus={o.focus} color={o.color} />, { maxFps: 20 });
  const timer = o.durationMs !== null ? setTimeout(() => ink.unmount(), o.durationMs) : null;
  // Leave through Ink, which restores the terminal, rather than dying in raw mode.
  const quit = () => ink.unmount();
  process.once('SIGTERM', quit);
  process.once('SIGHUP', quit);
  try {
    await ink.waitUntilExit();
    // Ink leaves the cursor after its last line: the shell prompt belongs on a fresh one.
    process.stdout.write('\n');
  } finally {
    if (timer !== null) clearTimeout(timer);
    process.off('SIGTERM', quit);
    process.off('SIGHUP', quit);
  }
}
