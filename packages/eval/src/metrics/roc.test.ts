import { describe, expect, it } from 'vitest';
import { isMlsdError, SeededRandom } from '@mlsd/data';
import { recallAtFpr, rocAuc, rocCurve } from '@mlsd/eval';
import { pairwiseAuc, tiedScores } from '../test-support/random-data.js';

const y = Uint8Array.from([0, 0, 1, 1]);
const s = Float64Array.from([0.1, 0.4, 0.35, 0.8]);

describe('rocAuc and rocCurve', () => {
  it('match the scikit-learn documentation examples', () => {
    // roc_auc_score docs / user guide: roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75
    expect(rocAuc(y, s)).toBeCloseTo(0.75, 15);
    // roc_curve docs: fpr [0, 0, 0.5, 0.5, 1], tpr [0, 0.5, 0.5, 1, 1], thresholds [inf, 0.8, 0.4, 0.35, 0.1]
    const curve = rocCurve(y, s);
    expect(Array.from(curve.fpr)).toEqual([0, 0, 0.5, 0.5, 1]);
    expect(Array.from(curve.tpr)).toEqual([0, 0.5, 0.5, 1, 1]);
    expect(Array.from(curve.thresholds)).toEqual([Infinity, 0.8, 0.4, 0.35, 0.1]);
  });

  it('drops intermediate points like scikit-learn and keeps every point without it', () => {
    // Scores 4,3,2,1 all positive-then-negative in one run: tps 1,2,2,2 fps 0,0,1,2.
    const labels = Uint8Array.from([1, 1, 0, 0]);
    const scores = Float64Array.from([4, 3, 2, 1]);
    const dropped = rocCurve(labels, scores);
    // Second differences: fps (0,0,1,2) → point 1 kept (0-0 vs 1-0), point 2 dropped (1 vs 1); tps (1,2,2,2) → point 1 kept.
    expect(Array.from(dropped.thresholds)).toEqual([Infinity, 4, 3, 1]);
    expect(Array.from(rocCurve(labels, scores, { dropIntermediate: false }).thresholds)).toEqual([Infinity, 4, 3, 2, 1]);
  });

  it('counts ties as one half (hand-computed)', () => {
    // Positive 0.5 ties one of two negatives (0.5, 0.2); positive 0.9 beats both: (2 + 1.5) / 4.
    expect(rocAuc(Uint8Array.from([1, 1, 0, 0]), Float64Array.from([0.9, 0.5, 0.5, 0.2]))).toBe(0.875);
    expect(rocAuc(Uint8Array.from([1, 0, 1, 0]), Float64Array.from([0.3, 0.3, 0.3, 0.3]))).toBe(0.5);
  });

  it('equals the pairwise definition on random data full of ties, to 1e-9, on both sort paths', () => {
    for (const [n, levels, seed] of [
      [300, 7, 1],
      [2500, 40, 2],
      [3000, 3, 3],
    ] as const) {
      const { labels, scores } = tiedScores(n, levels, seed);
      expect(Math.abs(rocAuc(labels, scores) - pairwiseAuc(labels, scores))).toBeLessThan(1e-9);
      // The trapezoid area under the returned curve is the same number.
      const { fpr, tpr } = rocCurve(labels, scores);
      let area = 0;
      for (let i = 1; i < fpr.length; i++) area += ((fpr[i]! - fpr[i - 1]!) * (tpr[i]! + tpr[i - 1]!)) / 2;
      expect(Math.abs(area - pairwiseAuc(labels, scores))).toBeLessThan(1e-9);
    }
  });

  it('is invariant to row permutations and strictly increasing transforms of the scores', () => {
    const { labels, scores } = tiedScores(3000, 25, 9);
    const auc = rocAuc(labels, scores);
    const order = new SeededRandom(5).shuffle(Int32Array.from(labels, (_, i) => i));
    const permutedLabels = Uint8Array.from(order, (i) => labels[i]!);
    const permutedScores = Float64Array.from(order, (i) => scores[i]!);
    expect(rocAuc(permutedLabels, permutedScores)).toBe(auc);
    expect(
      rocAuc(
        labels,
        scores.map((v) => Math.exp(3 * v) - 7),
      ),
    ).toBe(auc);
    expect(rocAuc(labels, Float32Array.from(scores))).toBe(auc);
  });

  it('treats integer sample weights as repeated rows', () => {
    const labels = Uint8Array.from([1, 0, 1, 0, 0]);
    const scores = Float64Array.from([0.9, 0.8, 0.3, 0.3, 0.1]);
    const weights = Float64Array.from([2, 1, 3, 0, 2]);
    const repeatedLabels = Uint8Array.from([1, 1, 0, 1, 1, 1, 0, 0]);
    const repeatedScores = Float64Array.from([0.9, 0.9, 0.8, 0.3, 0.3, 0.3, 0.1, 0.1]);
    expect(rocAuc(labels, scores, { sampleWeight: weights })).toBeCloseTo(rocAuc(repeatedLabels, repeatedScores), 15);
  });

  it('reports bad inputs with the argument and row', () => {
    const fail = (fn: () => unknown, pattern: RegExp): void => {
      try {
        fn();
        expect.unreachable();
      } catch (error) {
        expect(isMlsdError(error)).toBe(true);
        expect((error as Error).message).toMatch(pattern);
      }
    };
    fail(() => rocAuc(y, Float64Array.from([0.1, 0.2])), /scores has 2 rows but labels has 4/);
    fail(() => rocAuc(y, Float64Array.from([0.1, NaN, 0.3, 0.4])), /scores\[1\] is NaN/);
    fail(() => rocAuc(Uint8Array.from([0, 2, 1, 1]), s), /labels\[1\] is 2; labels must be 0 or 1/);
    fail(() => rocAuc(Uint8Array.from([1, 1, 1, 1]), s), /no negative \(0\) label/);
    fail(() => rocCurve(Uint8Array.from([0, 0, 0, 0]), s), /no positive \(1\) label/);
    fail(() => rocCurve(y, s, { dropIntermedate: true } as never), /unknown option "dropIntermedate"\. Valid options: dropIntermediate, sampleWeight\./);
  });
});

describe('recallAtFpr', () => {
  it('picks the highest recall within the false-positive budget (hand-computed)', () => {
    // Descending: 0.8(+) 0.4(-) 0.35(+) 0.1(-). FPR 0 allows only 0.8 → recall 0.5; FPR 0.5 allows down to 0.35 → 1.
    expect(recallAtFpr(y, s, 0)).toEqual({ recall: 0.5, fpr: 0, threshold: 0.8 });
    expect(recallAtFpr(y, s, 0.5)).toEqual({ recall: 1, fpr: 0.5, threshold: 0.35 });
    // A tie between the top positive and a negative cannot be split: nothing fits FPR 0.
    expect(recallAtFpr(Uint8Array.from([1, 0, 0]), Float64Array.from([0.9, 0.9, 0.1]), 0.4)).toEqual({
      recall: 0,
      fpr: 0,
      threshold: Infinity,
    });
  });

  it('equals a scan of the ROC curve without dropped points', () => {
    const { labels, scores } = tiedScores(2000, 30, 4);
    const { fpr, tpr } = rocCurve(labels, scores, { dropIntermediate: false });
    let best = 0;
    for (let i = 0; i < fpr.length; i++) if (fpr[i]! <= 0.05) best = Math.max(best, tpr[i]!);
    expect(recallAtFpr(labels, scores, 0.05).recall).toBe(best);
  });
});
