import { describe, expect, it } from 'vitest';
import { twoProportionZTest } from '@mlsd/serving';

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
