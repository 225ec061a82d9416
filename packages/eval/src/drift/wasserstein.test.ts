import { describe, expect, it } from 'vitest';
import { SeededRandom } from '@mlsd/data';
import { profileDistribution, wassersteinAgainstQuantiles, wassersteinDistance } from '@mlsd/eval';

describe('Wasserstein W₁', () => {
  it('is exact for samples (hand-computed cases)', () => {
    expect(wassersteinDistance([0, 1, 3], [5, 6, 8])).toBeCloseTo(5, 12); // a pure shift by 5
    expect(wassersteinDistance([0], [1, 3])).toBeCloseTo(2, 12); // mean of |0-1| and |0-3|
    expect(wassersteinDistance([0, 0, 1], [0, 1, 1])).toBeCloseTo(1 / 3, 12); // |F_a - F_b| = 1/3 on [0, 1)
    expect(wassersteinDistance([2, 1], [1, 2])).toBe(0);
  });

  it('integrates exactly against a piecewise-linear quantile sketch', () => {
    // Sketch [0, 1] is U(0, 1): ∫|p - ½| dp = ¼; two points at ¼ and ¾: 4 triangles of area 1/32.
    expect(wassersteinAgainstQuantiles([0, 1], Float64Array.from([0.5]))).toBeCloseTo(0.25, 12);
    expect(wassersteinAgainstQuantiles([0, 1], Float64Array.from([0.25, 0.75]))).toBeCloseTo(0.125, 12);
    // Sketch [0, 1, 2] is U(0, 2), Q(p) = 2p: ∫₀^½ (3 - 2p) dp + ∫_½^1 (4 - 2p) dp = 1.25 + 1.25.
    expect(wassersteinAgainstQuantiles([0, 1, 2], Float64Array.from([3, 4]))).toBeCloseTo(2.5, 12);
  });

  it('recovers a shift of the reference sample from its sketch', () => {
    const rng = new SeededRandom(3);
    const reference = Float64Array.from({ length: 5000 }, () => Math.exp(rng.normal(3, 0.8)));
    const shifted = reference.map((v) => v + 10).sort();
    const { quantiles, iqr } = profileDistribution(reference);
    // The sketch interpolates linearly from the 99th percentile to the maximum, so a heavy tail costs a little:
    // here about 3 % of the IQR, the scale drift is judged on (the default warn level is 23 %).
    expect(Math.abs(wassersteinAgainstQuantiles(quantiles, shifted) - 10) / iqr).toBeLessThan(0.04);
    expect(wassersteinDistance(reference, shifted)).toBeCloseTo(10, 9);
  });
});
