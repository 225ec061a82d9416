import { describe, expect, it } from 'vitest';
import { SeededRandom } from '@mlsd/data';
import { kolmogorovSurvival, ksAgainstQuantiles, ksPValue, ksStatistic, profileDistribution } from '@mlsd/eval';

describe('Kolmogorov–Smirnov', () => {
  it('computes the two-sample statistic by hand, with and without ties', () => {
    // CDFs at 4: a = 1, b = 2/5 -> D = 0.6.
    expect(ksStatistic([1, 2, 3, 4], [3, 4, 5, 6, 7])).toBeCloseTo(0.6, 12);
    // Ties: at 1 the CDFs are 2/3 and 1/3, at 2 both 1.
    expect(ksStatistic([1, 1, 2], [1, 2, 2])).toBeCloseTo(1 / 3, 12);
    expect(ksStatistic([1, 2, 3], [3, 2, 1])).toBe(0);
  });

  it('gives the published Kolmogorov distribution values', () => {
    expect(kolmogorovSurvival(1)).toBeCloseTo(0.26999967, 7); // scipy.special.kolmogorov(1)
    expect(kolmogorovSurvival(1.3581)).toBeCloseTo(0.05, 4); // the 5 % critical value
    expect(kolmogorovSurvival(1.6276)).toBeCloseTo(0.01, 4); // the 1 % critical value
    expect(kolmogorovSurvival(0)).toBe(1);
  });

  it('applies the effective sample size and Stephens correction to the p-value', () => {
    // n = m = 100: nₑ = 50, λ = (√50 + 0.12 + 0.11/√50) · 0.2 = 1.44133; Q(λ) = 2(e^{-2λ²} - e^{-8λ²} + ...).
    const lambda = (Math.sqrt(50) + 0.12 + 0.11 / Math.sqrt(50)) * 0.2;
    expect(ksPValue(0.2, 100, 100)).toBeCloseTo(2 * (Math.exp(-2 * lambda ** 2) - Math.exp(-8 * lambda ** 2)), 8);
    expect(ksPValue(0.2, 100, 100)).toBeCloseTo(0.0314, 3);
  });

  it('measures a sample against a quantile sketch exactly for the interpolated reference CDF', () => {
    // Sketch [0, 1] is U(0, 1). One point at 0.5: the sample CDF jumps to 1 where F_ref = 0.5.
    expect(ksAgainstQuantiles([0, 1], Float64Array.from([0.5]))).toBeCloseTo(0.5, 12);
    // Four points up to 0.4: at 0.4 the sample CDF is 1, F_ref is 0.4.
    expect(ksAgainstQuantiles([0, 1], Float64Array.from([0.1, 0.2, 0.3, 0.4]))).toBeCloseTo(0.6, 12);
    // A point mass in the sketch (repeated quantiles) is a jump: a sample all at 0 where F_ref(0) = 0.6.
    expect(ksAgainstQuantiles([0, 0, 0, 0, 0, 0, 0, 0.5, 1, 1, 1], Float64Array.from([0, 0]))).toBeCloseTo(0.4, 12);
    // Uneven levels: F_ref(1) = ¾ when the sketch puts 1 at p = ¾; F_ref(1.5) = ¾ + ½ · ¼.
    expect(ksAgainstQuantiles([0, 1, 2], Float64Array.from([1]), [0, 0.75, 1])).toBeCloseTo(0.75, 12);
    expect(ksAgainstQuantiles([0, 1, 2], Float64Array.from([1.5]), [0, 0.75, 1])).toBeCloseTo(0.875, 12);
  });

  it('agrees with the exact two-sample statistic to within the sketch resolution', () => {
    const rng = new SeededRandom(7);
    const reference = Float64Array.from({ length: 20000 }, () => rng.normal());
    const window = Float64Array.from({ length: 1000 }, () => rng.normal(0.3, 1.2)).sort();
    const { quantiles, levels } = profileDistribution(reference);
    expect(Math.abs(ksAgainstQuantiles(quantiles, window, levels) - ksStatistic(reference, window))).toBeLessThan(0.012);
  });
});
