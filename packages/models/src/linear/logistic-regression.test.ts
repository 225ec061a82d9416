import { describe, expect, it } from 'vitest';
import { MlsdError, SeededRandom, denseMatrix } from '@mlsd/data';
import type { DenseMatrix } from '@mlsd/data';
import { LogisticRegression, loadClassifier } from '@mlsd/models';
import { classifierContract } from '@mlsd/models/testing';

classifierContract('logistic-regression', () => new LogisticRegression(), { permutation: 'exact' });

// "Probability of passing an exam versus hours of study", Wikipedia, Logistic regression (example section):
// 20 students; the published maximum-likelihood fit is intercept -4.0777, hours coefficient 1.5046.
const HOURS = [0.5, 0.75, 1, 1.25, 1.5, 1.75, 1.75, 2, 2.25, 2.5, 2.75, 3, 3.25, 3.5, 4, 4.25, 4.5, 4.75, 5, 5.5];
const PASSED = [0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 1, 1, 1, 1, 1];
const exam = { X: denseMatrix(Float64Array.from(HOURS), 20, 1, ['hours']), y: Uint8Array.from(PASSED) };

describe('LogisticRegression', () => {
  it('reproduces the published maximum-likelihood fit of the exam data set (C large)', async () => {
    const model = await new LogisticRegression({ C: 1e12 }).fit(exam.X, exam.y);
    expect(model.intercept).toBeCloseTo(-4.0777, 4);
    expect(model.coefficients[0]).toBeCloseTo(1.5046, 4);
    expect(model.fitInfo.converged).toBe(true);
  });

  it("matches an independent optimiser on scikit-learn's penalised objective (C = 1 and 0.1)", async () => {
    // Reference values: scipy.optimize.minimize (BFGS, gtol 1e-12) on C·Σ logloss + ½‖coef‖², the objective of
    // scikit-learn's LogisticRegression(C=…), on the exam data.
    const c1 = await new LogisticRegression({ C: 1, tol: 1e-10 }).fit(exam.X, exam.y);
    expect(c1.coefficients[0]).toBeCloseTo(1.148603901804, 8);
    expect(c1.intercept).toBeCloseTo(-3.139524930541, 8);
    const c01 = await new LogisticRegression({ C: 0.1, tol: 1e-10 }).fit(exam.X, exam.y);
    expect(c01.coefficients[0]).toBeCloseTo(0.507327941174, 8);
    expect(c01.intercept).toBeCloseTo(-1.407187399136, 8);
  });

  it('gives the closed-form intercept logit(weighted positive rate) when the feature carries nothing', async () => {
    const X = denseMatrix(new Float64Array(10), 10, 1, ['zero']);
    const y = Uint8Array.from([1, 1, 1, 0, 0, 0, 0, 0, 0, 0]);
    const plain = await new LogisticRegression().fit(X, y);
    expect(plain.intercept).toBeCloseTo(Math.log(3 / 7), 10);
    expect(plain.coefficients[0]).toBe(0);
    const balanced = await new LogisticRegression({ classWeight: 'balanced' }).fit(X, y);
    expect(balanced.intercept).toBeCloseTo(0, 10);
    const explicit = await new LogisticRegression({ classWeight: { negative: 1, positive: 7 / 3 } }).fit(X, y);
    expect(explicit.intercept).toBeCloseTo(0, 10);
    const sampleWeight = Float64Array.from(y, (label) => (label === 1 ? 2 : 1));
    const weighted = await new LogisticRegression().fit(X, y, { sampleWeight });
    expect(weighted.intercept).toBeCloseTo(Math.log(6 / 7), 10);
  });

  it('meets the optimality condition on unscaled features with class and sample weights', async () => {
    // 24k rows: above 20k the first Newton steps run on a sample; the result must still be the full optimum.
    const { X, y } = unscaled(24_000, 5);
    const sampleWeight = Float64Array.from({ length: X.rows }, (_, i) => 0.5 + (i % 4));
    const C = 0.3;
    const model = await new LogisticRegression({ C, classWeight: 'balanced', tol: 1e-10 }).fit(X, y, { sampleWeight });
    expect(model.fitInfo.converged).toBe(true);
    // ∂/∂coef_j [C Σ wᵢ ℓᵢ + ½‖coef‖²] = C Σ wᵢ (pᵢ − yᵢ) xᵢⱼ + coef_j = 0, and Σ wᵢ (pᵢ − yᵢ) = 0.
    let positives = 0;
    for (const label of y) positives += label;
    const classWeight = [X.rows / (2 * (X.rows - positives)), X.rows / (2 * positives)];
    const p = model.predictProba(X);
    const coef = model.coefficients;
    const gradient = new Float64Array(X.cols + 1);
    for (let i = 0; i < X.rows; i++) {
      const r = sampleWeight[i]! * classWeight[y[i]!]! * (p[i]! - y[i]!);
      for (let j = 0; j < X.cols; j++) gradient[j]! += C * r * X.data[i * X.cols + j]!;
      gradient[X.cols]! += r;
    }
    for (let j = 0; j < X.cols; j++) gradient[j]! += coef[j]!;
    for (let j = 0; j < X.cols; j++) {
      // Relative to the size of each term: the features span 1e-3 to 1e4.
      const columnScale = C * X.rows * maxAbs(X, j) + Math.abs(coef[j]!);
      expect(Math.abs(gradient[j]!) / columnScale).toBeLessThan(1e-9);
    }
    expect(Math.abs(gradient[X.cols]!) / X.rows).toBeLessThan(1e-9);
  });

  it('treats an integer sample weight like repeating the row, and weight 0 like dropping it', async () => {
    const { X, y } = unscaled(200, 9);
    const sampleWeight = Float64Array.from({ length: X.rows }, (_, i) => i % 3);
    const weighted = await new LogisticRegression({ tol: 1e-10 }).fit(X, y, { sampleWeight });
    const rows: number[] = [];
    for (let i = 0; i < X.rows; i++) for (let k = 0; k < sampleWeight[i]!; k++) rows.push(i);
    const data = new Float64Array(rows.length * X.cols);
    const labels = new Uint8Array(rows.length);
    rows.forEach((row, k) => {
      data.set(X.data.subarray(row * X.cols, (row + 1) * X.cols), k * X.cols);
      labels[k] = y[row]!;
    });
    const repeated = await new LogisticRegression({ tol: 1e-10 }).fit(denseMatrix(data, rows.length, X.cols, X.featureNames), labels);
    for (let j = 0; j < X.cols; j++) {
      expect(weighted.coefficients[j]).toBeCloseTo(repeated.coefficients[j]!, 8);
    }
    expect(weighted.intercept).toBeCloseTo(repeated.intercept, 8);
  });

  it('fits without an intercept when asked (optimality of the coefficients alone)', async () => {
    const { X, y } = unscaled(500, 4);
    const model = await new LogisticRegression({ fitIntercept: false, tol: 1e-10 }).fit(X, y);
    expect(model.intercept).toBe(0);
    const p = model.predictProba(X);
    for (let j = 0; j < X.cols; j++) {
      let g = model.coefficients[j]!;
      for (let i = 0; i < X.rows; i++) g += (p[i]! - y[i]!) * X.data[i * X.cols + j]!;
      expect(Math.abs(g) / (X.rows * maxAbs(X, j))).toBeLessThan(1e-9);
    }
  });

  it('converges in a few Newton steps for every parity of the parameter count (the Hessian is exact)', async () => {
    // 1–7 features with and without intercept: P = 1…8, so the paired rows and grouped columns of the Hessian
    // pass meet every remainder. A wrong Hessian entry would leave Newton's method crawling (or stuck) here.
    const rng = new SeededRandom(21);
    for (let d = 1; d <= 7; d++) {
      const n = 3000;
      const data = Float64Array.from({ length: n * d }, (_, k) => rng.normal() * (1 + (k % d)));
      const y = Uint8Array.from({ length: n }, (_, i) => (data[i * d]! / 2 - (d > 1 ? data[i * d + 1]! / 4 : 0) + rng.normal() > 0.5 ? 1 : 0));
      const X = denseMatrix(
        data,
        n,
        d,
        Array.from({ length: d }, (_, j) => `x${j}`),
      );
      for (const fitIntercept of [true, false]) {
        const { fitInfo } = await new LogisticRegression({ fitIntercept, tol: 1e-10 }).fit(X, y);
        expect(fitInfo.converged).toBe(true);
        expect(fitInfo.iterations).toBeLessThanOrEqual(10);
      }
    }
  });

  it('explains a score: contributions are coef·x plus the intercept, importance is |coef|', async () => {
    const { X, y } = unscaled(300, 2);
    const model = await new LogisticRegression().fit(X, y);
    const contributions = model.contributions(X);
    const importance = model.featureImportance();
    const coef = model.coefficients;
    const width = X.cols + 1;
    for (let j = 0; j < X.cols; j++) {
      expect(importance[j]).toBe(Math.abs(coef[j]!));
      expect(contributions[width + j]).toBe(coef[j]! * X.data[X.cols + j]!);
    }
    expect(contributions[width + X.cols]).toBe(model.intercept);
  });

  it('stops at maxIter and reports that it did not converge', async () => {
    const { X, y } = unscaled(300, 3);
    const model = await new LogisticRegression({ maxIter: 1 }).fit(X, y);
    expect(model.fitInfo).toMatchObject({ iterations: 1, converged: false });
  });

  it('rejects bad options naming the option and the valid range', () => {
    expect(() => new LogisticRegression({ C: 0 })).toThrow(/option "C" must be a finite number > 0/);
    expect(() => new LogisticRegression({ classWeight: { negative: 1 } as never })).toThrow(/classWeight/);
    expect(() => new LogisticRegression({ maxIter: 0.5 })).toThrow(MlsdError);
  });

  it('refuses a corrupt artifact with CORRUPT_ARTIFACT naming the field', async () => {
    const model = await new LogisticRegression().fit(exam.X, exam.y);
    const artifact = model.toJSON();
    const broken = { ...artifact, state: { ...(artifact.state as object), coef: [1, 2] } };
    expect(() => loadClassifier(broken)).toThrow(expect.objectContaining({ code: 'CORRUPT_ARTIFACT', location: { field: 'state.coef' } }));
    expect(() => loadClassifier({ ...artifact, schemaVersion: 99 })).toThrow(expect.objectContaining({ code: 'CORRUPT_ARTIFACT' }));
    expect(() => loadClassifier({ ...artifact, params: { ...artifact.params, lambda: 1 } })).toThrow(expect.objectContaining({ code: 'CORRUPT_ARTIFACT' }));
    expect(() => loadClassifier({ ...artifact, kind: 'mystery' })).toThrow(/known kinds are .*logistic-regression/);
  });
});

/** Three features on very different scales (an amount, a count, a rate), labels from a logistic model. */
function unscaled(rows: number, seed: number): { X: DenseMatrix & { data: Float64Array }; y: Uint8Array } {
  const random = new SeededRandom(seed);
  const data = new Float64Array(rows * 3);
  const y = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    const amount = Math.exp(random.normal(4, 1.5));
    const count = random.poisson(3);
    const rate = random.uniform(0, 0.002);
    data.set([amount, count, rate], i * 3);
    const z = -2 + 0.004 * amount - 0.3 * count + 400 * rate;
    y[i] = random.nextFloat() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return { X: { ...denseMatrix(data, rows, 3, ['amount', 'count', 'rate']), data }, y };
}

function maxAbs(X: DenseMatrix, column: number): number {
  let m = 0;
  for (let i = 0; i < X.rows; i++) m = Math.max(m, Math.abs(X.data[i * X.cols + column]!));
  return m;
}
