// A histogram whose bucket counts the exporter keeps itself (WindowCounts, added to in bulk),
// written out by prom-client's Registry like any of its own metrics: the registry needs only
// name, help, type and get(), so the text format stays prom-client's.
import type { Metric, Registry } from 'prom-client';
import type { WindowCounts } from './window-counts.js';

interface Sample {
  readonly metricName: string;
  readonly labels: Record<string, string | number>;
  readonly value: number;
}

export class BulkHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';

  /** @param series read at every scrape, never changed by it: label set and counts per series */
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly series: () => Iterable<readonly [Record<string, string>, WindowCounts]>,
  ) {}

  registerIn(registry: Registry): void {
    // The Registry's declared parameter lists prom-client's own classes; at run time it reads
    // only the members this class has (lib/registry.js getMetricsAsString).
    registry.registerMetric(this as unknown as Metric);
  }

  get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: Sample[] }> {
    const values: Sample[] = [];
    for (const [labels, counts] of this.series()) {
      const bounds = counts.buckets.bounds;
      let cumulative = 0;
      for (let i = 0; i < bounds.length; i++) {
        cumulative += counts.perBucket[i];
        values.push({ metricName: `${this.name}_bucket`, labels: { ...labels, le: bounds[i] }, value: cumulative });
      }
      values.push({ metricName: `${this.name}_bucket`, labels: { ...labels, le: '+Inf' }, value: counts.count });
      values.push({ metricName: `${this.name}_sum`, labels, value: Number(counts.sum) });
      values.push({ metricName: `${this.name}_count`, labels, value: counts.count });
    }
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values });
  }
}
