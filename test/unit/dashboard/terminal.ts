// A terminal for the tests: it interprets what the Screen writes (cursor moves, erases, text,
// wrap and scroll) into rows of characters, so a test reads what a terminal would show. Colours
// and styles take no room and are left out of the rows.
import { EventEmitter } from 'node:events';
import type { ReactElement } from 'react';
import { render } from 'ink';
import { Screen } from '../../../tui/src/dashboard/screen.js';

export class VirtualTerminal extends EventEmitter {
  private grid: string[][];
  private row = 0;
  private col = 0;
  /** Bytes written, by write(). */
  readonly writes: string[] = [];

  constructor(
    public columns: number,
    public rows: number,
  ) {
    super();
    this.grid = this.blankRows(rows);
  }

  write(data: string): boolean {
    this.writes.push(data);
    // eslint-disable-next-line no-control-regex
    const parts = data.match(/\x1b\[[?0-9;]*[A-Za-z]|[^\x1b]/gu) ?? [];
    for (const p of parts) {
      if (p.startsWith('\x1b')) this.control(p);
      else this.print(p);
    }
    return true;
  }

  /** The rows as text, trailing blanks and blank rows at the end left out. */
  text(): string {
    const lines = this.grid.map((r) => r.join('').trimEnd());
    while (lines.length > 0 && lines.at(-1) === '') lines.pop();
    return lines.join('\n');
  }

  /** A new size, as a terminal window resized: the rows are cut or padded, then 'resize'. */
  resize(columns: number, rows: number): void {
    this.grid = this.grid
      .slice(0, rows)
      .map((r) => [...r.slice(0, columns), ...Array<string>(Math.max(0, columns - r.length)).fill(' ')]);
    this.grid.push(...this.blankRows(rows - this.grid.length));
    this.columns = columns;
    this.rows = rows;
    this.row = Math.min(this.row, rows - 1);
    this.col = Math.min(this.col, columns);
    this.emit('resize');
  }

  private blankRows(n: number): string[][] {
    return Array.from({ length: Math.max(0, n) }, () => Array<string>(this.columns).fill(' '));
  }

  private print(ch: string): void {
    if (this.col === this.columns) {
      // The cursor waited past the last column: the character wraps, at the bottom the rows scroll.
      this.col = 0;
      if (this.row === this.rows - 1) this.grid = [...this.grid.slice(1), ...this.blankRows(1)];
      else this.row++;
    }
    this.grid[this.row]![this.col++] = ch;
  }

  private control(seq: string): void {
    const final = seq.at(-1);
    const args = seq.slice(2, -1);
    if (final === 'm' || args.startsWith('?')) return;
    const n = args.split(';').map((a) => (a === '' ? 0 : Number(a)));
    if (final === 'H') {
      this.row = Math.min(this.rows, Math.max(1, n[0] || 1)) - 1;
      this.col = Math.min(this.columns, Math.max(1, n[1] || 1)) - 1;
    } else if (final === 'K' && n[0] === 2) this.grid[this.row] = this.blankRows(1)[0]!;
    else if (final === 'J' && n[0] === 2) this.grid = this.blankRows(this.rows);
    else if (final === 'J' && n[0] === 0) {
      this.grid[this.row]!.fill(' ', this.col);
      for (let r = this.row + 1; r < this.rows; r++) this.grid[r] = this.blankRows(1)[0]!;
    } else throw new Error(`the virtual terminal does not know ${JSON.stringify(seq)}`);
  }
}

/** Keys for Ink, as a terminal's stdin in raw mode hands them over. */
class KeyboardStdin extends EventEmitter {
  readonly isTTY = true;
  private data: string | null = null;

  write(keys: string): void {
    this.data = keys;
    this.emit('readable');
  }

  read(): string | null {
    const { data } = this;
    this.data = null;
    return data;
  }

  setEncoding(): void {}
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
}

const mounted: Array<() => void> = [];

/**
 * The app as pktstat-top runs it (its main view through a Screen, Ink for the rest, in debug
 * mode) on a virtual terminal 100 × 24.
 */
export function renderApp(app: (screen: Screen) => ReactElement) {
  const terminal = new VirtualTerminal(100, 24);
  const screen = new Screen(terminal);
  const stdin = new KeyboardStdin();
  const instance = render(app(screen), {
    stdout: screen.inkStdout as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    debug: true,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  mounted.push(() => {
    instance.unmount();
    instance.cleanup();
  });
  return { stdin, terminal, lastFrame: () => terminal.text() };
}

/** Unmounts every app renderApp started (afterEach). */
export function unmountAll(): void {
  for (const unmount of mounted.splice(0)) unmount();
}
