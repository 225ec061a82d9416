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

  it('integrates against a sketch at uneven levels', () => {
    // Q rises from 0 to 1 over p in [0, ¾] and from 1 to 2 over [¾, 1]; a point at 1: ∫|Q - 1| = 3/8 + 1/8.
    expect(wassersteinAgainstQuantiles([0, 1, 2], Float64Array.from([1]), [0, 0.75, 1])).toBeCloseTo(0.5, 12);
    expect(wassersteinAgainstQuantiles([0, 1, 2], Float64Array.from([1]), [0, 0.5, 1])).toBeCloseTo(0.5, 12);
    expect(wassersteinAgainstQuantiles([0, 1, 2], Float64Array.from([0]), [0, 0.75, 1])).toBeCloseTo(3 / 8 + 0.25 * 1.5, 12);
    expect(() => wassersteinAgainstQuantiles([0, 1], Float64Array.from([1]), [0, 0.5, 1])).toThrow(/levels has 3 entries but quantiles has 2/);
  });

  it('recovers a shift of the reference sample from its sketch', () => {
    const rng = new SeededRandom(3);
    const reference = Float64Array.from({ length: 5000 }, () => Math.exp(rng.normal(3, 0.8)));
    const shifted = reference.map((v) => v + 10).sort();
    const { quantiles, levels, std } = profileDistribution(reference);
    expect(Math.abs(wassersteinAgainstQuantiles(quantiles, shifted, levels) - 10) / std).toBeLessThan(0.005);
    expect(wassersteinDistance(reference, shifted)).toBeCloseTo(10, 9);
  });

  it('draws a heavy tail closely enough that a sample is near its own sketch', () => {
    // Log-normal with σ = 1.5 (max / p99 ≈ 10 here): a straight line from the 99th percentile to the maximum
    // would put W₁(sample, own sketch) near (max − p99) / 200 ≈ 0.16 std; the refined tail keeps it tiny.
    const rng = new SeededRandom(8);
    const reference = Float64Array.from({ length: 13000 }, () => Math.exp(rng.normal(0, 1.5)));
    const { quantiles, levels, std, max } = profileDistribution(reference);
    const sorted = reference.slice().sort();
    const p99 = sorted[Math.floor(0.99 * 12999)]!;
    expect((max - p99) / 200 / std).toBeGreaterThan(0.1);
    expect(wassersteinAgainstQuantiles(quantiles, sorted, levels) / std).toBeLessThan(0.01);
  });
});
