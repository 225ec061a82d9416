import { describe, expect, it } from 'vitest';
import { SeededRandom } from '@mlsd/data';
import { averagePrecision, precisionAtK, precisionRecallCurve } from '@mlsd/eval';
import { definitionAp, tiedScores } from '../test-support/random-data.js';

const y = Uint8Array.from([0, 0, 1, 1]);
const s = Float64Array.from([0.1, 0.4, 0.35, 0.8]);

describe('averagePrecision and precisionRecallCurve', () => {
  it('match the scikit-learn documentation examples', () => {
    // average_precision_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.8333...
    expect(averagePrecision(y, s)).toBeCloseTo(5 / 6, 15);
    // precision_recall_curve docs: precision [0.5, 0.667, 0.5, 1, 1], recall [1, 1, 0.5, 0.5, 0], thresholds [0.1, 0.35, 0.4, 0.8]
    const curve = precisionRecallCurve(y, s);
    expect(Array.from(curve.precision)).toEqual([0.5, 2 / 3, 0.5, 1, 1]);
    expect(Array.from(curve.recall)).toEqual([1, 1, 0.5, 0.5, 0]);
    expect(Array.from(curve.thresholds)).toEqual([0.1, 0.35, 0.4, 0.8]);
  });

  it('handles ties step-wise, without interpolation (hand-computed)', () => {
    // Threshold 0.9: 1 tp of 1 alerted (R 1/2, P 1); threshold 0.5: 2 tp of 3 alerted (R 1, P 2/3) → 1/2 + 1/3.
    expect(averagePrecision(Uint8Array.from([1, 1, 0, 0]), Float64Array.from([0.9, 0.5, 0.5, 0.2]))).toBeCloseTo(5 / 6, 15);
    // Everything tied: AP is the positive rate.
    expect(averagePrecision(Uint8Array.from([1, 0, 0, 0, 1]), new Float64Array(5).fill(0.3))).toBeCloseTo(0.4, 15);
  });

  it('equals Σ (Rₙ − Rₙ₋₁) Pₙ over distinct thresholds on random data full of ties, to 1e-9', () => {
    for (const [n, levels, seed] of [
      [400, 9, 1],
      [3000, 50, 2],
      [2600, 4, 3],
    ] as const) {
      const { labels, scores } = tiedScores(n, levels, seed, 0.1);
      expect(Math.abs(averagePrecision(labels, scores) - definitionAp(labels, scores))).toBeLessThan(1e-9);
      const { precision, recall } = precisionRecallCurve(labels, scores);
      let ap = 0;
      for (let i = 0; i < recall.length - 1; i++) ap += (recall[i]! - recall[i + 1]!) * precision[i]!;
      expect(Math.abs(ap - definitionAp(labels, scores))).toBeLessThan(1e-9);
    }
  });

  it('is invariant to row permutations and matches repeated rows for integer weights', () => {
    const { labels, scores } = tiedScores(2500, 20, 8, 0.05);
    const order = new SeededRandom(1).shuffle(Int32Array.from(labels, (_, i) => i));
    expect(
      averagePrecision(
        Uint8Array.from(order, (i) => labels[i]!),
        Float64Array.from(order, (i) => scores[i]!),
      ),
    ).toBe(averagePrecision(labels, scores));
    const weights = Float64Array.from([1, 0, 2, 3]);
    const repeated = averagePrecision(Uint8Array.from([0, 1, 1, 1, 1, 1]), Float64Array.from([0.1, 0.35, 0.35, 0.8, 0.8, 0.8]));
    expect(averagePrecision(y, s, { sampleWeight: weights })).toBeCloseTo(repeated, 15);
  });

  it('accepts all-positive labels (AP 1) and rejects labels without a positive', () => {
    expect(averagePrecision(Uint8Array.from([1, 1]), Float64Array.from([0.2, 0.1]))).toBe(1);
    expect(() => averagePrecision(Uint8Array.from([0, 0]), Float64Array.from([0.2, 0.1]))).toThrow(/no positive \(1\) label/);
  });
});

describe('precisionAtK', () => {
  it('counts positives in the top k and divides by k even past the last row', () => {
    expect(precisionAtK(y, s, 1)).toBe(1);
    expect(precisionAtK(y, s, 2)).toBe(0.5);
    expect(precisionAtK(y, s, 8)).toBe(2 / 8);
  });

  it('averages over the orderings of ties that straddle position k', () => {
    // Top row 0.9 (+), then three rows tied at 0.5 with one positive; k = 2 takes one of the three: 1 + 1/3.
    const labels = Uint8Array.from([1, 0, 1, 0, 0]);
    const scores = Float64Array.from([0.9, 0.5, 0.5, 0.5, 0.1]);
    expect(precisionAtK(labels, scores, 2)).toBeCloseTo((1 + 1 / 3) / 2, 15);
    // Brute force: mean over all 3! orderings of the tied rows equals the same value.
    const perms = [
      [1, 2, 3],
      [1, 3, 2],
      [2, 1, 3],
      [2, 3, 1],
      [3, 1, 2],
      [3, 2, 1],
    ];
    const mean = perms.reduce((sum, p) => sum + (labels[0]! + labels[p[0]!]!) / 2, 0) / perms.length;
    expect(precisionAtK(labels, scores, 2)).toBeCloseTo(mean, 15);
  });

  it('rejects a k that is not a whole number >= 1', () => {
    expect(() => precisionAtK(y, s, 0)).toThrow(/k is 0; it must be a whole number >= 1/);
    expect(() => precisionAtK(y, s, 1.5)).toThrow(/k is 1.5/);
  });
});
