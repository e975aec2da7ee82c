// A line of styled cells with one escape sequence per run of same-styled cells, not one per
// cell: Ink tokenizes every character of every line it draws, escape codes included, at every
// redraw, and a chart painted cell by cell would be mostly escape codes.

export const RESET = '\x1b[0m';

export class LinePainter {
  private text = '';
  /** The style of the run being written; null for unstyled. */
  private style: string | null = null;
  /** Blank cells not written yet. */
  private blanks = 0;

  /** `close` ends a run: RESET, or an end code that leaves the line's other styles alone (a
   * foreground colour's '\x1b[39m' keeps an inverse around it). */
  constructor(private readonly close: string = RESET) {}

  /** Appends `chars` in `style` (an SGR sequence such as '\x1b[31m'; null for none). */
  add(chars: string, style: string | null): void {
    if (style !== this.style) {
      this.flushBlanks();
      if (this.style !== null) this.text += this.close;
      if (style !== null) this.text += style;
      this.style = style;
    }
    this.flushBlanks();
    this.text += chars;
  }

  /**
   * Appends a blank cell that looks the same in any style of this line, which holds only when
   * its styles are foreground colours and intensities (no inverse, underline or background): it
   * joins the run it falls in rather than splitting it, and blanks at the end are left out (the
   * line is drawn over blank cells).
   */
  blank(): void {
    this.blanks++;
  }

  /** The line, its last run closed; the painter starts over empty. */
  done(): string {
    const line = this.style !== null ? this.text + this.close : this.text;
    this.text = '';
    this.style = null;
    this.blanks = 0;
    return line;
  }

  private flushBlanks(): void {
    if (this.blanks === 0) return;
    this.text += ' '.repeat(this.blanks);
    this.blanks = 0;
  }
}

/**
 * `text` cut to `width` columns with an ellipsis, as Ink's wrap="truncate-end" cuts it, for
 * text of single-width characters (the dashboard's own lines).
 */
export function truncateEnd(text: string, width: number): string {
  return text.length > width ? text.slice(0, Math.max(0, width - 1)) + '…' : text;
}
