// The terminal as the dashboard draws it, through one writer that rewrites only the rows that
// changed. The main view (table, charts, status line) comes here as finished lines; Ink draws the
// overlays and forms into `inkStdout` (Ink's debug mode hands over its whole frame at each
// render) and those lines are drawn the same way. Ink redraws all of its output at every frame,
// a few µs per character on the screen (a grid of cells, tokenizing, style diffs), while a frame
// of the main view changes a few rows: so the main view does not go through Ink.
import { EventEmitter } from 'node:events';

/** Where the screen is written: process.stdout, or a test's recorder. */
export interface Terminal {
  write(data: string): unknown;
  readonly columns?: number;
  readonly rows?: number;
  on(event: 'resize', listener: () => void): unknown;
  off(event: 'resize', listener: () => void): unknown;
}

const CSI = '\x1b[';
/** The terminal holds its redraw until the frame is complete (ignored where unknown). */
const BEGIN_SYNC = `${CSI}?2026h`;
const END_SYNC = `${CSI}?2026l`;

/** The stream Ink renders into: its frames, and the terminal's size and resizes. */
class InkStdout extends EventEmitter {
  constructor(
    private readonly terminal: Terminal,
    private readonly frame: (text: string) => void,
  ) {
    super();
    const resized = () => this.emit('resize');
    terminal.on('resize', resized);
  }

  get columns(): number {
    return this.terminal.columns || 80;
  }

  get rows(): number {
    return this.terminal.rows || 24;
  }

  write(text: string): boolean {
    this.frame(text);
    return true;
  }
}

export class Screen {
  /** Give this to Ink's render() as `stdout`, with `debug: true`. */
  readonly inkStdout: InkStdout;
  private inkLines: readonly string[] = [];
  /** The main view's lines; null while Ink draws (an overlay is open). */
  private mainLines: readonly string[] | null = null;
  /** What each row of the terminal shows, as written. */
  private painted: string[] = [];
  /** The terminal's rows are unknown (at start, after a resize): clear them all first. */
  private stale = true;
  private pending = false;

  constructor(private readonly terminal: Terminal) {
    this.inkStdout = new InkStdout(terminal, (text) => {
      this.inkLines = text === '' ? [] : text.split('\n');
      this.schedule();
    });
    // A resize reflows or cuts what the terminal holds.
    terminal.on('resize', () => {
      this.stale = true;
      this.schedule();
    });
  }

  /** Shows the main view's lines, each at most as wide as the terminal; null: Ink's frame. */
  show(lines: readonly string[] | null): void {
    this.mainLines = lines;
    this.schedule();
  }

  /**
   * Once the current task is done: Ink writes its frame during React's commit and the main view
   * comes in a layout effect of the same commit, so a switch between the two is one paint.
   */
  private schedule(): void {
    if (this.pending) return;
    this.pending = true;
    queueMicrotask(() => {
      this.pending = false;
      this.paint();
    });
  }

  private paint(): void {
    const lines = (this.mainLines ?? this.inkLines).slice(0, this.inkStdout.rows).map(withoutTrailingBlanks);
    let out = '';
    if (this.stale) {
      out += `${CSI}H${CSI}2J`;
      this.painted = [];
      this.stale = false;
    }
    lines.forEach((line, i) => {
      if (line === this.painted[i]) return;
      // Cleared first: a line that ends in the last column leaves the cursor waiting to wrap,
      // where erasing to the end of the line would take that column.
      out += `${CSI}${i + 1};1H${CSI}2K${line}`;
      this.painted[i] = line;
    });
    if (this.painted.length > lines.length) {
      out += `${CSI}${lines.length + 1};1H${CSI}J`;
      this.painted.length = lines.length;
    }
    if (out !== '') this.terminal.write(BEGIN_SYNC + out + END_SYNC);
  }
}

/** The line without its plain blanks at the end (blanks inside a style, such as inverse, stay). */
function withoutTrailingBlanks(line: string): string {
  let end = line.length;
  while (end > 0 && line.charCodeAt(end - 1) === 0x20) end--;
  return end === line.length ? line : line.slice(0, end);
}
