import type { Registry } from 'prom-client';

/** One label set's counts of a {@link BucketHistogram}; `observe` is what a request pays. */
export class HistogramCell {
  /** Observations per bucket (not cumulative); the last one is above every bound (`+Inf` only). */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(
    readonly labels: Readonly<Record<string, string>>,
    private readonly bounds: Float64Array,
    /** Called at the cell's first observation (since the last reset): it is rendered from then on. */
    private readonly onFirst: (cell: HistogramCell) => void,
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  /** Counts one observation of `value` (a finite number; others are ignored, as they cannot be summed). */
  observe(value: number): void {
    if (!Number.isFinite(value)) return;
    const bounds = this.bounds;
    let bucket = 0;
    while (bucket < bounds.length && value > bounds[bucket]!) bucket++;
    this.counts[bucket]! += 1;
    this.sum += value;
    if (this.count === 0) this.onFirst(this);
    this.count += 1;
  }
}

/**
 * A Prometheus histogram whose label sets are bound once (`cell(labels)`) and whose `observe` is a bucket scan and
 * three additions. prom-client's `Histogram` builds a labels object, validates it and hashes it into a string on
 * every `observe`, even through `labels(…)`: about 2 % of a scored request's CPU. Registered in a prom-client
 * `Registry`, it is rendered by prom-client in the same text and JSON as its `Histogram` (a test compares them), and
 * merged across cluster workers by summing.
 */
export class BucketHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly bounds: Float64Array;
  private readonly cells = new Map<string, HistogramCell>();
  /** The cells observed since the last reset, in the order of their first observation (as prom-client renders). */
  private shown: HistogramCell[] = [];

  constructor(options: { readonly name: string; readonly help: string; readonly buckets: readonly number[]; readonly registers: readonly Registry[] }) {
    this.name = options.name;
    this.help = options.help;
    this.bounds = Float64Array.from(options.buckets).sort();
    for (const registry of options.registers) registry.registerMetric(this as never);
  }

  readonly name: string;
  readonly help: string;

  /** The cell of `labels` (label name → value), made on first use; keep it and call its `observe`. */
  cell(labels: Readonly<Record<string, string>>): HistogramCell {
    const key = JSON.stringify(labels);
    let cell = this.cells.get(key);
    if (cell === undefined) {
      cell = new HistogramCell({ ...labels }, this.bounds, (first) => this.shown.push(first));
      this.cells.set(key, cell);
    }
    return cell;
  }

  /** Zeroes every label set (prom-client's `registry.resetMetrics()`); cells handed out before keep counting. */
  reset(): void {
    this.shown = [];
    for (const cell of this.cells.values()) {
      cell.counts.fill(0);
      cell.sum = 0;
      cell.count = 0;
    }
  }

  /**
   * What prom-client renders as text: per label set observed since the last reset, in the order of first
   * observation, the cumulative buckets, `+Inf`, `_sum` and `_count`.
   */
  getForPromString() {
    const values: { labels: Record<string, string | number>; sharedLabels: Record<string, string>; value: number; metricName: string }[] = [];
    const bucketName = `${this.name}_bucket`;
    for (const cell of this.shown) {
      let cumulative = 0;
      for (let b = 0; b < this.bounds.length; b++) {
        cumulative += cell.counts[b]!;
        values.push({ labels: { le: this.bounds[b]! }, sharedLabels: cell.labels, value: cumulative, metricName: bucketName });
      }
      values.push({ labels: { le: '+Inf' }, sharedLabels: cell.labels, value: cell.count, metricName: bucketName });
      values.push({ labels: {}, sharedLabels: cell.labels, value: cell.sum, metricName: `${this.name}_sum` });
      values.push({ labels: {}, sharedLabels: cell.labels, value: cell.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  /** The same as JSON (`registry.getMetricsAsJSON()`, merged across workers), each value's labels in one object. */
  get() {
    const data = this.getForPromString();
    return {
      ...data,
      values: data.values.map(({ labels, sharedLabels, value, metricName }) => ({ labels: { ...labels, ...sharedLabels }, value, metricName })),
    };
  }
}
