import { describe, expect, it } from 'vitest';
import { FallbackRules, decide } from '@mlsd/serving';

describe('FallbackRules', () => {
  const rules = new FallbackRules({ amountLimit: 220, customerMeanMultiple: 5, riskyTerminals: [42] });

  it('fires each rule on its own condition and scores the highest fired rule', () => {
    expect(rules.evaluate({ amount: 220, terminalId: 1 })).toEqual({ score: 0, firedRules: [] });
    expect(rules.evaluate({ amount: 220.01, terminalId: 1 })).toEqual({ score: 0.9, firedRules: ['amount-above-limit'] });
    // 5 x mean is the boundary: strictly above fires.
    expect(rules.evaluate({ amount: 100, terminalId: 1, customerMeanAmount: 20 }).firedRules).toEqual([]);
    expect(rules.evaluate({ amount: 100.5, terminalId: 1, customerMeanAmount: 20 })).toEqual({
      score: 0.6,
      firedRules: ['amount-far-above-customer-mean'],
    });
    expect(rules.evaluate({ amount: 10, terminalId: 42 })).toEqual({ score: 0.7, firedRules: ['risky-terminal'] });
    expect(rules.evaluate({ amount: 500, terminalId: 42, customerMeanAmount: 50 })).toEqual({
      score: 0.9,
      firedRules: ['amount-above-limit', 'amount-far-above-customer-mean', 'risky-terminal'],
    });
  });

  it('skips the customer-mean rule when the mean is unknown, NaN or zero', () => {
    for (const customerMeanAmount of [undefined, Number.NaN, 0]) {
      expect(rules.evaluate({ amount: 150, terminalId: 1, customerMeanAmount }).firedRules).toEqual([]);
    }
  });
});

describe('decide', () => {
  it('maps scores to decisions with inclusive lower thresholds', () => {
    const thresholds = { review: 0.5, block: 0.8 };
    expect(decide(0.4999, thresholds)).toBe('allow');
    expect(decide(0.5, thresholds)).toBe('review');
    expect(decide(0.7999, thresholds)).toBe('review');
    expect(decide(0.8, thresholds)).toBe('block');
  });
});
