import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SeededRandom } from '@mlsd/data';
import {
  applyCalibration,
  applyIsotonic,
  CalibratedClassifier,
  fitCalibration,
  fitIsotonicCalibration,
  fitPlattScaling,
  loadClassifier,
  LogisticRegression,
  type ModelArtifact,
} from '@mlsd/models';
import { noisyLogistic as synthetic } from '../testing/synthetic-data.js';

describe('isotonic calibration (pool-adjacent-violators)', () => {
  it('pools a small sequence into the hand-computed blocks and interpolates between them', () => {
    // Labels 1,0,0,1,0,1,1 at scores 0.1..0.7: [1,0,0] pools to 1/3 (0.1-0.3), [1,0] to 1/2 (0.4-0.5), [1,1] to 1 (0.6-0.7).
    const fitted = fitIsotonicCalibration([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7], [1, 0, 0, 1, 0, 1, 1]);
    expect(fitted.x).toEqual([0.1, 0.3, 0.4, 0.5, 0.6, 0.7]);
    fitted.y.forEach((v, k) => expect(v).toBeCloseTo([1 / 3, 1 / 3, 0.5, 0.5, 1, 1][k]!, 15));
    // scikit-learn 1.2.1 IsotonicRegression(out_of_bounds='clip').predict([0.05, 0.25, 0.35, 0.65, 0.9]) on the same rows
    // (thresholds [0.1 0.3 0.4 0.5 0.6 0.7], values [1/3 1/3 0.5 0.5 1 1]).
    const expected = [0.33333333, 0.33333333, 0.41666667, 1, 1];
    [0.05, 0.25, 0.35, 0.65, 0.9].forEach((s, k) => expect(applyIsotonic(fitted, s)).toBeCloseTo(expected[k]!, 8));
  });

  it('pools equal scores before ordering them', () => {
    const fitted = fitIsotonicCalibration([0.5, 0.5, 0.5, 0.2], [1, 0, 0, 1]);
    // 0.2 → 1 and 0.5 → 1/3 violate the order: all four pool to 1/2.
    expect(fitted.x).toEqual([0.2, 0.5]);
    expect(fitted.y).toEqual([0.5, 0.5]);
  });

  it('is monotone and within [0, 1] for any scores and labels (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 1 })), { minLength: 1, maxLength: 60 }),
        fc.array(fc.double({ min: -0.5, max: 1.5, noNaN: true }), { minLength: 2, maxLength: 20 }),
        (rows, probes) => {
          const fitted = fitIsotonicCalibration(
            rows.map((r) => r[0]),
            rows.map((r) => r[1]),
          );
          const sorted = [...probes].sort((a, b) => a - b);
          const out = sorted.map((s) => applyIsotonic(fitted, s));
          for (let k = 0; k < out.length; k++) {
            expect(out[k]! >= 0 && out[k]! <= 1).toBe(true);
            if (k > 0) expect(out[k]!).toBeGreaterThanOrEqual(out[k - 1]! - 1e-12);
          }
        },
      ),
    );
  });
});

describe('Platt scaling', () => {
  it("matches scikit-learn's sigmoid calibration", () => {
    // Reference: /usr/bin/python3, scikit-learn 1.2.1, sklearn.calibration._sigmoid_calibration(f, y) — the fit
    // behind CalibratedClassifierCV(method='sigmoid') — gave a = -0.6801403816902919, b = 0.11628302236525075.
    const f = [-2.0, -1.5, -1.0, -0.5, 0.0, 0.3, 0.8, 1.2, 2.0, 2.5];
    const y = [0, 0, 1, 0, 0, 1, 0, 1, 1, 1];
    const fitted = fitPlattScaling(f, y);
    expect(fitted.a).toBeCloseTo(-0.6801403816902919, 5);
    expect(fitted.b).toBeCloseTo(0.11628302236525075, 5);
  });
});

describe('fitCalibration and CalibratedClassifier', () => {
  it('auto keeps the method with the lowest held-out log loss, and improves a miscalibrated model', () => {
    // A "model" whose probabilities are the true ones squashed towards 0.5 (under-confident).
    const rng = new SeededRandom(3);
    const n = 4000;
    const p = new Float64Array(n);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const truth = 1 / (1 + Math.exp(-rng.normal(-2, 2)));
      y[i] = rng.nextFloat() < truth ? 1 : 0;
      p[i] = 0.5 + (truth - 0.5) * 0.3;
    }
    const choice = fitCalibration(p, y, 'auto');
    expect(choice.candidates.map((c) => c.method)).toEqual(['none', 'platt', 'isotonic']);
    const best = Math.min(...choice.candidates.map((c) => c.logLoss));
    expect(choice.calibration?.method).toBe(choice.candidates.find((c) => c.logLoss === best)!.method);
    expect(choice.candidates[0]!.logLoss).toBeGreaterThan(best + 0.01);
    expect(fitCalibration(p, y, 'none').calibration).toBeUndefined();
    expect(() => fitCalibration(p, y, 'beta' as never)).toThrow(/platt, isotonic, auto, none/);
  });

  for (const method of ['platt', 'isotonic'] as const) {
    it(`travels with the model through its artifact (${method}) and keeps contributions consistent`, async () => {
      const train = synthetic(600, 1);
      const valid = synthetic(400, 2);
      const base = await new LogisticRegression().fit(train.X, train.y);
      const model = CalibratedClassifier.calibrate(base, valid.X, valid.y, method);
      expect(model.calibration?.method).toBe(method);
      const loaded = loadClassifier(JSON.parse(JSON.stringify(model.toJSON())) as ModelArtifact);
      expect(loaded).toBeInstanceOf(CalibratedClassifier);
      expect(loaded.kind).toBe('calibrated');
      const p = model.predictProba(valid.X);
      expect(loaded.predictProba(valid.X)).toEqual(p);
      expect(p).toEqual(applyCalibration(model.calibration, base.predictProba(valid.X)));
      const contributions = loaded.contributions!(valid.X);
      const width = valid.X.cols + 1;
      if (method === 'platt') {
        // Platt is affine in the logit: the contributions still sum to the calibrated logit.
        for (let r = 0; r < 20; r++) {
          let sum = 0;
          for (let c = 0; c < width; c++) sum += contributions[r * width + c]!;
          expect(sum).toBeCloseTo(Math.log(p[r]! / (1 - p[r]!)), 8);
        }
      } else {
        expect(contributions).toEqual(base.contributions!(valid.X));
      }
    });
  }

  it('refuses a corrupt calibration, naming the field', () => {
    const artifact = {
      schemaVersion: 1,
      libraryVersion: '0',
      kind: 'calibrated',
      params: {},
      featureNames: ['a'],
      state: { base: {}, calibration: { method: 'isotonic', x: [0, 1], y: [0.9, 0.1] } },
    };
    expect(() => loadClassifier(artifact as ModelArtifact)).toThrow(/state.calibration must be/);
  });
});
