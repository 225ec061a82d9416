import { describe, expect, it } from 'vitest';
import { balancedSampleWeights, classWeights, undersampleMajority } from '@mlsd/data';

const labels = new Uint8Array(1000);
for (let i = 0; i < 1000; i += 100) labels[i] = 1; // 10 positives, 990 negatives

describe('classWeights', () => {
  it("matches scikit-learn's balanced weights n / (2 n_c)", () => {
    const weights = classWeights(labels);
    expect(weights.positive).toBe(50);
    expect(weights.negative).toBeCloseTo(1000 / 1980, 12);
  });

  it('gives per-row weights summing to n, half per class', () => {
    const weights = balancedSampleWeights(labels);
    let positive = 0;
    let negative = 0;
    for (let i = 0; i < weights.length; i++) labels[i] === 1 ? (positive += weights[i]!) : (negative += weights[i]!);
    expect(positive).toBeCloseTo(500, 9);
    expect(negative).toBeCloseTo(500, 9);
  });

  it('refuses labels with one class', () => {
    expect(() => classWeights(new Uint8Array(5))).toThrow(/need both classes; got 5 negatives and 0 positives/);
  });
});

describe('undersampleMajority', () => {
  it('keeps every minority row and minority / ratio majority rows, sorted', () => {
    const kept = undersampleMajority(labels, { ratio: 0.5, seed: 3 });
    expect(kept.length).toBe(30);
    expect(Array.from(kept).filter((i) => labels[i] === 1).length).toBe(10);
    expect(Array.from(kept)).toEqual(Array.from(kept).sort((a, b) => a - b));
    expect(undersampleMajority(labels, { ratio: 1, seed: 3 }).length).toBe(20);
  });

  it('is reproducible for a seed and draws different rows for another', () => {
    const a = Array.from(undersampleMajority(labels, { ratio: 0.1, seed: 1 }));
    expect(Array.from(undersampleMajority(labels, { ratio: 0.1, seed: 1 }))).toEqual(a);
    expect(Array.from(undersampleMajority(labels, { ratio: 0.1, seed: 2 }))).not.toEqual(a);
  });

  it('refuses a ratio outside (0, 1] and unknown options', () => {
    expect(() => undersampleMajority(labels, { ratio: 2, seed: 1 })).toThrow(/must be in \(0, 1\]/);
    expect(() => undersampleMajority(labels, { ratio: 0.5, seed: 1, replace: true } as never)).toThrow(
      /undersampleMajority: unknown option "replace". Valid options: ratio, seed\./,
    );
  });
});
