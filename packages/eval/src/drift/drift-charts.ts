import type { VegaLiteSpec } from '../report/render-vega-lite.js';
import type { DistributionProfile } from '../profile/reference-profile.js';
import type { DistributionDrift } from './compare-to-profile.js';
import type { ThresholdPair } from './drift-thresholds.js';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** One point of a drift timeline: a statistic's value for a feature after `events` events. */
export interface DriftTimelinePoint {
  readonly events: number;
  readonly feature: string;
  readonly value: number;
}

/**
 * A line per feature of a drift statistic (e.g. PSI) over the events seen, with dashed rules at the warn (amber) and
 * alert (red) levels. Data inline, for `renderVegaLiteSvg`.
 */
export function driftTimelineChartSpec(points: readonly DriftTimelinePoint[], levels: ThresholdPair, statistic = 'PSI'): VegaLiteSpec {
  return {
    $schema: SCHEMA,
    width: 560,
    height: 300,
    layer: [
      {
        data: { values: points.map((p) => ({ ...p })) },
        mark: { type: 'line', point: points.length < 60 },
        encoding: {
          x: { field: 'events', type: 'quantitative', title: 'Events seen' },
          y: { field: 'value', type: 'quantitative', title: statistic },
          color: { field: 'feature', type: 'nominal', title: 'Feature' },
        },
      },
      thresholdRule(levels.warn, '#bf8700'),
      thresholdRule(levels.alert, '#cf222e'),
    ],
  };
}

/** One layer of a layered Vega-Lite chart. */
type Layer = VegaLiteSpec;

function thresholdRule(y: number, color: string): Layer {
  return { data: { values: [{ y }] }, mark: { type: 'rule', strokeDash: [6, 4], color }, encoding: { y: { field: 'y', type: 'quantitative' } } };
}

/**
 * Grouped bars of the reference and window share in each of a feature's quantile bins (the bins PSI and
 * Jensen–Shannon are computed on), labelled by their ranges.
 */
export function driftBinsChartSpec(feature: string, reference: DistributionProfile, drift: DistributionDrift): VegaLiteSpec {
  const { edges } = reference;
  const label = (i: number): string => {
    const fmt = (x: number): string => (Math.abs(x) >= 1000 || Number.isInteger(x) ? x.toFixed(0) : x.toPrecision(3));
    if (edges.length === 0) return 'all';
    if (i === 0) return `≤ ${fmt(edges[0]!)}`;
    if (i === edges.length) return `> ${fmt(edges[i - 1]!)}`;
    return `${fmt(edges[i - 1]!)}–${fmt(edges[i]!)}`;
  };
  const values = reference.proportions.flatMap((p, i) => [
    { bin: i, range: label(i), sample: 'reference', share: p },
    { bin: i, range: label(i), sample: 'window', share: drift.windowProportions[i] ?? 0 },
  ]);
  return {
    $schema: SCHEMA,
    title: `${feature}: PSI ${drift.psi.value === null ? 'n/a' : drift.psi.value.toFixed(3)} (${drift.status})`,
    width: 480,
    height: 220,
    data: { values },
    mark: 'bar',
    encoding: {
      x: { field: 'range', type: 'ordinal', sort: { field: 'bin' }, title: 'Reference quantile bin' },
      xOffset: { field: 'sample' },
      y: { field: 'share', type: 'quantitative', title: 'Share', axis: { format: '%' } },
      color: { field: 'sample', type: 'nominal', title: null, scale: { range: ['#8c959f', '#0969da'] } },
    },
  };
}
