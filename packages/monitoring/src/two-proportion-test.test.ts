import { describe, expect, it } from 'vitest';
import { clusteredRatioTest, twoProportionZTest } from '@mlsd/monitoring';

describe('twoProportionZTest', () => {
  it('matches a hand computation: 40/100 vs 60/100', () => {
    // p̂ = 0.5, se = √(0.25 · 0.02) = 0.0707, z = 0.2 / 0.0707 = 2.828, p = 2(1 - Φ(2.828)) = 0.00468.
    const test = twoProportionZTest(40, 100, 60, 100);
    expect(test.z).toBeCloseTo(2 * Math.SQRT2, 10);
    expect(test.pValue).toBeCloseTo(0.004678, 5);
    expect(test.difference).toBeCloseTo(0.2, 12);
    expect(test.approximationValid).toBe(true);
  });

  it('gives p = 1 for equal proportions and the textbook 1.96 → 0.05', () => {
    expect(twoProportionZTest(30, 100, 60, 200).pValue).toBeCloseTo(1, 6);
    // Choose counts so that z is about 1.96: the p-value must be about 0.05 (Φ(1.96) = 0.975).
    const test = twoProportionZTest(500, 1000, 544, 1000);
    expect(test.pValue).toBeCloseTo(2 * (1 - 0.975), 2);
  });

  it('is undefined without data and flags small counts', () => {
    expect(twoProportionZTest(0, 0, 3, 10).pValue).toBeNaN();
    expect(twoProportionZTest(0, 10, 0, 10).pValue).toBeNaN();
    expect(twoProportionZTest(2, 10, 7, 10).approximationValid).toBe(false);
  });
});

describe('clusteredRatioTest', () => {
  it('computes the delta-method variance of a ratio of sums by hand', () => {
    // Clusters (Y, X) = (1,1), (0,1), (2,2), (0,2): R = 3/6, residuals Y - R·X = ½, -½, 1, -1, squares sum 2.5,
    // Var = n / (ΣX)² · Σ / (n - 1) = 4/36 · 2.5/3.
    const variance = (4 / 36) * (2.5 / 3);
    const test = clusteredRatioTest([1, 0, 2, 0], [1, 1, 2, 2], [2, 2, 2, 2], [2, 2, 2, 2]);
    expect(test.p1).toBe(0.5);
    expect(test.p2).toBe(1);
    expect(test.z).toBeCloseTo(0.5 / Math.sqrt(variance), 10); // the second arm has no variance
  });

  it('reduces to the unpooled two-proportion test with one transaction per cluster', () => {
    const a = Array.from({ length: 100 }, (_, i) => (i < 40 ? 1 : 0));
    const b = Array.from({ length: 100 }, (_, i) => (i < 60 ? 1 : 0));
    const ones = new Array(100).fill(1);
    // Unpooled: se = √(0.4·0.6/100 + 0.6·0.4/100) · √(100/99) (the n/(n-1) factor of the cluster variance).
    const se = Math.sqrt((0.24 / 100 + 0.24 / 100) * (100 / 99));
    expect(clusteredRatioTest(a, ones, b, ones).z).toBeCloseTo(0.2 / se, 10);
  });
});
