import fc from 'fast-check';
import { AggregatorRegistry, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { BucketHistogram } from './bucket-histogram.js';

const BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const labelSets = [
  { route: '/v1/score', method: 'POST', status_code: '200' },
  { route: '/v1/score', method: 'POST', status_code: '400' },
  { route: 'unmatched', method: 'GET', status_code: '404' },
];

/** The same observations through prom-client's Histogram and through BucketHistogram, each in its own registry. */
function both(observations: readonly [number, number][]) {
  const ours = new Registry();
  const theirs = new Registry();
  const histogram = new BucketHistogram({ name: 'h_seconds', help: 'Help.', buckets: BUCKETS, registers: [ours] });
  const reference = new Histogram({ name: 'h_seconds', help: 'Help.', labelNames: ['route', 'method', 'status_code'], buckets: BUCKETS, registers: [theirs] });
  const cells = labelSets.map((labels) => histogram.cell(labels));
  const children = labelSets.map((labels) => reference.labels(labels));
  for (const [set, value] of observations) {
    cells[set]!.observe(value);
    children[set]!.observe(value);
  }
  return { ours, theirs };
}

const observationsArbitrary = fc.array(
  fc.tuple(fc.integer({ min: 0, max: 2 }), fc.oneof(fc.double({ min: 0, max: 5, noNaN: true }), fc.constantFrom(...BUCKETS))),
  {
    maxLength: 200,
  },
);

describe('BucketHistogram', () => {
  it('renders the text prom-client renders for its Histogram given the same observations (bounds, +Inf, sum, count)', async () => {
    await fc.assert(
      fc.asyncProperty(observationsArbitrary, async (observations) => {
        const { ours, theirs } = both(observations);
        expect(await ours.metrics()).toBe(await theirs.metrics());
      }),
      { numRuns: 100 },
    );
  });

  it('gives the same JSON, and sums across cluster workers as prom-client does', async () => {
    const first = both([
      [0, 0.0003],
      [0, 0.2],
      [1, 7],
    ]);
    const second = both([
      [0, 0.0003],
      [2, 0.001],
    ]);
    const strip = (metrics: { values: { labels: unknown; value: number; metricName?: string }[] }[]) =>
      metrics.map((m) => ({ ...m, values: m.values.map(({ labels, value, metricName }) => ({ labels, value, metricName })) }));
    expect(strip(await first.ours.getMetricsAsJSON())).toEqual(strip(await first.theirs.getMetricsAsJSON()));
    const merged = AggregatorRegistry.aggregate([await first.ours.getMetricsAsJSON(), await second.ours.getMetricsAsJSON()]);
    const reference = AggregatorRegistry.aggregate([await first.theirs.getMetricsAsJSON(), await second.theirs.getMetricsAsJSON()]);
    expect(await merged.metrics()).toBe(await reference.metrics());
  });

  it('keeps counting through a cell after the registry resets it', async () => {
    const registry = new Registry();
    const histogram = new BucketHistogram({ name: 'h_seconds', help: 'Help.', buckets: [1], registers: [registry] });
    const cell = histogram.cell({ source: 'model' });
    cell.observe(0.5);
    registry.resetMetrics();
    cell.observe(2);
    expect(await registry.metrics()).toContain(
      'h_seconds_bucket{le="1",source="model"} 0\nh_seconds_bucket{le="+Inf",source="model"} 1\nh_seconds_sum{source="model"} 2',
    );
  });
});
