// Text from outside (a file's name, a field of a file) as it may be shown on a terminal, which
// acts on control characters: ESC starts a sequence (OSC 52 writes the clipboard), and so does
// U+009B.

/** C0, DEL and C1. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** How much of a field an error quotes, as the drain quotes a malformed line. */
export const QUOTED_MAX = 48;

/** `text` with each control character as '?', cut after `max` characters with "..." when longer. */
export function printable(text: string, max = Infinity): string {
  const shown = text.length > max ? text.slice(0, max) : text;
  return shown.replace(CONTROL, '?') + (shown.length < text.length ? '...' : '');
}
