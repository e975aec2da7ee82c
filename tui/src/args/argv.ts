// Splits free text into an argument list the way a shell would for simple quoting
// ('single', "double", backslash escapes), without ever running a shell.

export function splitArgs(text: string): string[] {
  const args: string[] = [];
  let cur = '';
  let inArg = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote === "'") {
      if (c === "'") quote = null;
      else cur += c;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === '\\' && i + 1 < text.length && (text[i + 1] === '"' || text[i + 1] === '\\')) cur += text[++i];
      else cur += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inArg = true;
    } else if (c === '\\') {
      if (i + 1 >= text.length) throw new Error('a backslash ends the text: escape something or remove it');
      cur += text[++i];
      inArg = true;
    } else if (/\s/.test(c)) {
      if (inArg) args.push(cur);
      cur = '';
      inArg = false;
    } else {
      cur += c;
      inArg = true;
    }
  }
  if (quote !== null) throw new Error(`unterminated ${quote === '"' ? 'double' : 'single'} quote`);
  if (inArg) args.push(cur);
  return args;
}
