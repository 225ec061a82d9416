import { describe, expect, it } from 'vitest';
import { brierScore, calibrationBins, confusionMatrix, logLoss } from '@mlsd/eval';

describe('logLoss and brierScore', () => {
  it('match the scikit-learn documentation examples', () => {
    // log_loss(["spam", "ham", "ham", "spam"], [[.1, .9], [.9, .1], [.8, .2], [.35, .65]]) == 0.21616...
    const loss = logLoss(Uint8Array.from([1, 0, 0, 1]), Float64Array.from([0.9, 0.1, 0.2, 0.65]));
    expect(loss).toBeCloseTo(-(2 * Math.log(0.9) + Math.log(0.8) + Math.log(0.65)) / 4, 15);
    expect(loss).toBeCloseTo(0.21616, 5);
    // brier_score_loss([0, 1, 1, 0], [0.1, 0.9, 0.8, 0.3]) == 0.0375
    expect(brierScore(Uint8Array.from([0, 1, 1, 0]), Float64Array.from([0.1, 0.9, 0.8, 0.3]))).toBeCloseTo(0.0375, 15);
  });

  it('clips probabilities at the float64 epsilon and weights rows', () => {
    expect(logLoss(Uint8Array.from([1]), Float64Array.from([0]))).toBeCloseTo(-Math.log(2 ** -52), 12);
    expect(logLoss(Uint8Array.from([0]), Float64Array.from([0]))).toBeCloseTo(0, 12);
    const w = logLoss(Uint8Array.from([1, 0]), Float64Array.from([0.5, 0.2]), { sampleWeight: Float64Array.from([3, 1]) });
    expect(w).toBeCloseTo(-(3 * Math.log(0.5) + Math.log(0.8)) / 4, 15);
  });

  it('rejects values that are not probabilities, naming the row', () => {
    expect(() => brierScore(Uint8Array.from([0, 1]), Float64Array.from([0.2, 1.5]))).toThrow(/probabilities\[1\] is 1.5/);
    expect(() => logLoss(Uint8Array.from([0, 1]), Float64Array.from([NaN, 0.5]))).toThrow(/probabilities\[0\] is NaN/);
  });
});

describe('calibrationBins', () => {
  it('bins probabilities into equal-width bins and computes the expected calibration error (hand-computed)', () => {
    const labels = Uint8Array.from([0, 0, 1, 1, 1, 0]);
    const p = Float64Array.from([0.05, 0.15, 0.12, 0.95, 1, 0.9]);
    const { bins, expectedCalibrationError } = calibrationBins(labels, p, { bins: 5 });
    expect(bins.map((b) => [b.lower, b.upper, b.count])).toEqual([
      [0, 0.2, 3],
      [0.8, 1, 3],
    ]);
    expect(bins[0]!.meanPredicted).toBeCloseTo(0.32 / 3, 15);
    expect(bins[0]!.fractionPositive).toBeCloseTo(1 / 3, 15);
    expect(bins[1]!.meanPredicted).toBeCloseTo(2.85 / 3, 15);
    expect(expectedCalibrationError).toBeCloseTo(0.5 * Math.abs(1 / 3 - 0.32 / 3) + 0.5 * Math.abs(2 / 3 - 0.95), 15);
  });
});

describe('confusionMatrix', () => {
  it('alerts on scores >= threshold', () => {
    const m = confusionMatrix(Uint8Array.from([1, 0, 1, 0, 0]), Float64Array.from([0.9, 0.5, 0.5, 0.2, 0.6]), 0.5);
    expect([m.truePositives, m.falsePositives, m.trueNegatives, m.falseNegatives]).toEqual([2, 2, 1, 0]);
    expect(m.precision).toBe(0.5);
    expect(m.recall).toBe(1);
    expect(m.falsePositiveRate).toBeCloseTo(2 / 3, 15);
    expect(m.f1).toBeCloseTo(2 / 3, 15);
    expect(confusionMatrix(Uint8Array.from([1, 0]), Float64Array.from([0.1, 0.2]), 0.9).precision).toBe(0);
  });
});
