// A histogram whose bucket counts the exporter keeps itself (WindowCounts, added to in bulk),
// written out by prom-client's Registry like any of its own metrics: the registry needs only
// name, help, type and get(), so the text format stays prom-client's.
import type { Metric, Registry } from 'prom-client';
import type { PowerOfTwoBuckets, WindowCounts } from './window-counts.js';

type Labels = Readonly<Record<string, string | number>>;

interface Sample {
  readonly metricName: string;
  readonly labels: Labels;
  /** The series' own labels; the registry caches their text per object, so they must persist. */
  readonly sharedLabels: Labels;
  readonly value: number;
}

const NO_LABELS: Labels = Object.freeze({});
const leLabels = new WeakMap<PowerOfTwoBuckets, Labels[]>();

/** { le } per bound, then +Inf; made once per bucket layout. */
function leOf(buckets: PowerOfTwoBuckets): Labels[] {
  let labels = leLabels.get(buckets);
  if (labels === undefined) {
    labels = [...buckets.bounds.map((b) => Object.freeze({ le: b })), Object.freeze({ le: '+Inf' })];
    leLabels.set(buckets, labels);
  }
  return labels;
}

export class BulkHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';

  /**
   * @param series read at every scrape, never changed by it: each series' labels (the same
   *   object every time) and counts
   */
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly series: () => Iterable<readonly [Labels, WindowCounts]>,
  ) {}

  registerIn(registry: Registry): void {
    // The Registry's declared parameter lists prom-client's own classes; at run time it reads
    // only the members this class has (lib/registry.js getMetricsAsString).
    registry.registerMetric(this as unknown as Metric);
  }

  get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: Sample[] }> {
    const values: Sample[] = [];
    const bucket = `${this.name}_bucket`;
    for (const [sharedLabels, counts] of this.series()) {
      const le = leOf(counts.buckets);
      let cumulative = 0;
      for (let i = 0; i < le.length - 1; i++) {
        cumulative += counts.perBucket[i];
        values.push({ metricName: bucket, labels: le[i], sharedLabels, value: cumulative });
      }
      values.push({ metricName: bucket, labels: le[le.length - 1], sharedLabels, value: counts.count });
      values.push({ metricName: `${this.name}_sum`, labels: NO_LABELS, sharedLabels, value: Number(counts.sum) });
      values.push({ metricName: `${this.name}_count`, labels: NO_LABELS, sharedLabels, value: counts.count });
    }
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values });
  }
}
