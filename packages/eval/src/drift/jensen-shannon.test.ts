import { describe, expect, it } from 'vitest';
import { jensenShannonDistance, jensenShannonDivergence } from '@mlsd/eval';

describe('Jensen–Shannon (base 2)', () => {
  it('matches a hand computation for [½, ½] vs [1, 0]', () => {
    // M = [¾, ¼]; KL(P‖M) = ½ log2(⅔) + ½ log2(2); KL(Q‖M) = log2(4/3).
    const expected = 0.5 * (0.5 * Math.log2(2 / 3) + 0.5) + 0.5 * Math.log2(4 / 3);
    expect(jensenShannonDivergence([0.5, 0.5], [1, 0])).toBeCloseTo(expected, 12);
    expect(jensenShannonDistance([0.5, 0.5], [1, 0])).toBeCloseTo(Math.sqrt(expected), 12);
  });

  it('is 0 for identical and 1 (its maximum in bits) for disjoint distributions', () => {
    expect(jensenShannonDivergence([0.2, 0.8], [0.2, 0.8])).toBe(0);
    expect(jensenShannonDistance([1, 0, 0], [0, 0.5, 0.5])).toBeCloseTo(1, 12);
  });
});
