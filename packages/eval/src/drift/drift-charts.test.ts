import { describe, expect, it } from 'vitest';
import { denseMatrix } from '@mlsd/data';
import { buildReferenceProfile, compareToProfile, driftBinsChartSpec, driftTimelineChartSpec, renderVegaLiteSvg } from '@mlsd/eval';

describe('drift charts', () => {
  it('render the bins of a drifted feature and a PSI timeline to inline SVG', async () => {
    const reference = Float64Array.from({ length: 100 }, (_, i) => i);
    const profile = buildReferenceProfile({ features: denseMatrix(reference, 100, 1, ['TX_AMOUNT']), bins: 4 });
    const window = Float64Array.from({ length: 100 }, (_, i) => i + 50);
    const drift = compareToProfile(profile, { features: denseMatrix(window, 100, 1, ['TX_AMOUNT']) }).features['TX_AMOUNT']!;
    const spec = driftBinsChartSpec('TX_AMOUNT', profile.features[0]!, drift);
    // Two bars per bin: the reference quartiles (25 % each) and the window's shares (0, 0, 25 %, 75 %).
    const values = (spec as { data: { values: { sample: string; share: number; range: string }[] } }).data.values;
    expect(values.filter((v) => v.sample === 'reference').map((v) => v.share)).toEqual([0.25, 0.25, 0.25, 0.25]);
    expect(values.filter((v) => v.sample === 'window').map((v) => v.share)).toEqual([0, 0, 0.25, 0.75]);
    expect(values[0]!.range).toBe('≤ 24');
    const svg = await renderVegaLiteSvg(spec);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('TX_AMOUNT: PSI');
    const timeline = await renderVegaLiteSvg(
      driftTimelineChartSpec(
        [
          { events: 500, feature: 'TX_AMOUNT', value: 0.05 },
          { events: 1000, feature: 'TX_AMOUNT', value: 0.3 },
        ],
        { warn: 0.1, alert: 0.2 },
      ),
    );
    expect(timeline).toContain('Events seen');
  });
});
