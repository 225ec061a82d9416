import { describe, expect, it } from 'vitest';
import { PSI_EPSILON, populationStabilityIndex } from '@mlsd/eval';

describe('populationStabilityIndex', () => {
  it('matches a hand computation: 0.1·ln(1.2) + 0.1·ln(1.25)', () => {
    expect(populationStabilityIndex([0.5, 0.5], [0.6, 0.4])).toBeCloseTo(0.1 * Math.log(1.2) + 0.1 * Math.log(1.25), 12);
  });

  it('is 0 for identical distributions and symmetric in its arguments', () => {
    const e = [0.1, 0.2, 0.3, 0.4];
    const a = [0.25, 0.25, 0.25, 0.25];
    expect(populationStabilityIndex(e, e)).toBe(0);
    expect(populationStabilityIndex(e, a)).toBeCloseTo(populationStabilityIndex(a, e), 14);
  });

  it('floors an empty bin at the documented epsilon instead of going infinite', () => {
    // The empty bin counts as PSI_EPSILON: (ε - ½) ln(ε / ½) + (1 - ½) ln(1 / ½) ≈ 4.6.
    expect(populationStabilityIndex([0.5, 0.5], [0, 1])).toBeCloseTo((PSI_EPSILON - 0.5) * Math.log(PSI_EPSILON / 0.5) + 0.5 * Math.log(2), 12);
  });

  it('rejects distributions over different bins', () => {
    expect(() => populationStabilityIndex([1], [0.5, 0.5])).toThrow(/1 bins but actual has 2/);
  });
});
