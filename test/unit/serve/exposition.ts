// Reads the text exposition back for the tests: sample lines by their series, and promtool's
// verdict on the whole text.
import { spawnSync } from 'node:child_process';

/** `name{b="1",a="2"}` as `name{a="2",b="1"}`: the order of labels carries no meaning. */
function canonical(series: string): string {
  const m = /^([^{]+)\{(.*)\}$/.exec(series);
  if (m === null) return series;
  const labels = m[2].match(/[a-zA-Z_]\w*="(?:[^"\\]|\\.)*"/g) ?? [];
  return `${m[1]}{${labels.sort().join(',')}}`;
}

/** Sample lines by series, labels in name order: `pktstat_window_frames_bucket{le="0",set="a"}`. */
export function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(canonical(line.slice(0, i)), Number(line.slice(i + 1)));
  }
  return out;
}

/** The value of one series (labels in any order), failing loudly when it is absent. */
export function value(text: string | Map<string, number>, series: string): number {
  const m = typeof text === 'string' ? samples(text) : text;
  const v = m.get(canonical(series));
  if (v === undefined) throw new Error(`no series ${series} in the exposition`);
  return v;
}

/** `promtool check metrics`: null when it accepts the text, else what it said. */
export function promtoolCheck(text: string): string | null {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (r.error) throw new Error(`promtool not runnable (scripts/install-deps.sh installs it): ${r.error.message}`);
  return r.status === 0 ? null : `${r.stdout}${r.stderr}`;
}

/** A fixed exposition for the HTTP side's tests, counting how often it was asked. */
export function countingExposition(body: string) {
  const counted = {
    scrapes: 0,
    contentType: 'text/plain; version=0.0.4; charset=utf-8',
    metrics: () => {
      counted.scrapes++;
      return Promise.resolve(body);
    },
  };
  return counted;
}
