// A histogram family in the text exposition format 0.0.4, written from bucket counts the exporter
// keeps itself (WindowCounts, added to in bulk): prom-client's Histogram can only be observed one
// value at a time, and its Registry takes no metric of another kind through its public API.
import type { PowerOfTwoBuckets, WindowCounts } from './window-counts.js';

type Labels = Readonly<Record<string, string>>;

/** Text of a label value or help line: backslash and newline escaped, and in label values the quote. */
const escapeHelp = (s: string) => s.replaceAll('\\', '\\\\').replaceAll('\n', '\\n');
const escapeLabel = (s: string) => escapeHelp(s).replaceAll('"', '\\"');

/** `a="x",b="y"` per labels object: a series keeps one object for its life, so this is made once. */
const labelTexts = new WeakMap<Labels, string>();
function labelText(labels: Labels): string {
  let text = labelTexts.get(labels);
  if (text === undefined) {
    text = Object.entries(labels)
      .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
      .join(',');
    labelTexts.set(labels, text);
  }
  return text;
}

/** `,le="B"} ` per bound, then +Inf; made once per bucket layout. */
const leTexts = new WeakMap<PowerOfTwoBuckets, string[]>();
function leText(buckets: PowerOfTwoBuckets): string[] {
  let texts = leTexts.get(buckets);
  if (texts === undefined) {
    texts = [...buckets.bounds.map((b) => `,le="${b}"} `), ',le="+Inf"} '];
    leTexts.set(buckets, texts);
  }
  return texts;
}

export class HistogramText {
  readonly #head: string;

  /**
   * @param series read at every scrape, never changed by it: each series' labels (one label at
   *   least; the same object every time) and counts
   */
  constructor(
    private readonly name: string,
    help: string,
    private readonly series: () => Iterable<readonly [Labels, WindowCounts]>,
  ) {
    this.#head = `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} histogram\n`;
  }

  /** The family: HELP, TYPE, then per series its cumulative buckets, _sum (exact) and _count. */
  text(): string {
    let out = this.#head;
    const bucket = `${this.name}_bucket{`;
    for (const [labels, counts] of this.series()) {
      const l = labelText(labels);
      const le = leText(counts.buckets);
      let cumulative = 0;
      for (let i = 0; i < le.length - 1; i++) {
        cumulative += counts.perBucket[i];
        out += `${bucket}${l}${le[i]}${cumulative}\n`;
      }
      out += `${bucket}${l}${le[le.length - 1]}${counts.count}\n`;
      out += `${this.name}_sum{${l}} ${counts.sum}\n${this.name}_count{${l}} ${counts.count}\n`;
    }
    return out;
  }
}
