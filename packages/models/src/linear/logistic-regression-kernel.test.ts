import { SeededRandom } from '@mlsd/data';
import { describe, expect, it } from 'vitest';
import { KernelMemory } from '../kernels/kernel-memory.js';
import { logisticRegressionKernel, type LogisticRegressionExports } from '../kernels/kernel-modules.js';

const BLOCK = 256;

/** Element by element the same double (Object.is), with the index of the first difference in the message. */
function expectSameDoubles(actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) expect({ i, actual: actual[i] }).toEqual({ i, actual: expected[i] });
  }
}

/** A row-major design of `rows` (padded to whole blocks with weight-0 rows) × `stride`, columns from P on zero. */
function randomDesign(seed: number, rows: number, P: number, stride: number) {
  const rng = new SeededRandom(seed);
  const padded = Math.ceil(rows / BLOCK) * BLOCK;
  const Z = new Float64Array(padded * stride);
  const labels = new Uint8Array(padded);
  const weights = new Float64Array(padded);
  for (let i = 0; i < rows; i++) {
    for (let k = 0; k < P - 1; k++) Z[i * stride + k] = rng.normal() * (k + 1);
    Z[i * stride + P - 1] = 1;
    labels[i] = rng.nextFloat() < 0.2 ? 1 : 0;
    weights[i] = i % 7 === 0 ? 0 : 0.5 + rng.nextFloat();
  }
  const theta = Float64Array.from({ length: P }, () => rng.normal() * 0.7);
  return { Z, labels, weights, theta, padded };
}

/**
 * The JavaScript passes the kernel replaced, written plainly: per block, each sum over the block's rows in order,
 * added to the total block by block; Math.exp and Math.log1p.
 */
function reference(Z: Float64Array, labels: Uint8Array, weights: Float64Array, theta: Float64Array, P: number, stride: number) {
  const rows = weights.length;
  const gradient = new Float64Array(P);
  const curvature = new Float64Array(rows);
  const H = new Float64Array(P * P);
  let objective = 0;
  for (let start = 0; start < rows; start += BLOCK) {
    const residual = new Float64Array(BLOCK);
    for (let i = start; i < start + BLOCK; i++) {
      let z = 0;
      for (let k = 0; k < P; k++) z = z + theta[k]! * Z[i * stride + k]!;
      const w = weights[i]!;
      const e = Math.exp(-Math.abs(z));
      const p = z >= 0 ? 1 / (1 + e) : e / (1 + e);
      const label = labels[i]!;
      if (w !== 0) objective += w * (Math.max(z, 0) + Math.log1p(e) - label * z);
      residual[i - start] = w * (p - label);
      curvature[i] = w * p * (1 - p);
    }
    for (let a = 0; a < P; a++) {
      let g = 0;
      for (let i = start; i < start + BLOCK; i++) g += residual[i - start]! * Z[i * stride + a]!;
      gradient[a]! += g;
      for (let b = a; b < P; b++) {
        let h = 0;
        for (let i = start; i < start + BLOCK; i++) h += curvature[i]! * Z[i * stride + a]! * Z[i * stride + b]!;
        H[a * P + b]! += h;
      }
    }
  }
  return { objective, gradient, curvature, H };
}

/**
 * Copies a design into a kernel memory and runs the kernel's evaluate and hessian passes over `rows` rows (default:
 * one per weight), every `step`-th row of `Z`.
 */
function runKernel(
  Z: Float64Array,
  labels: Uint8Array,
  weights: Float64Array,
  theta: Float64Array,
  P: number,
  stride: number,
  step = 1,
  rows = weights.length,
) {
  const m = new KernelMemory<LogisticRegressionExports>(logisticRegressionKernel());
  const zAt = m.allocate(Z.length * 8);
  const labelsAt = m.allocate(labels.length);
  const weightsAt = m.allocate(weights.length * 8);
  const thetaAt = m.allocate(stride * 8);
  const gradientAt = m.allocate(stride * 8);
  const curvatureAt = m.allocate(weights.length * 8);
  const residualAt = m.allocate(BLOCK * 8);
  const hAt = m.allocate(P * P * 8);
  m.f64(zAt, Z.length).set(Z);
  m.u8(labelsAt, labels.length).set(labels);
  m.f64(weightsAt, weights.length).set(weights);
  m.f64(thetaAt, P).set(theta);
  const objective = m.kernels.evaluate(zAt, labelsAt, weightsAt, rows, P, stride, step, thetaAt, gradientAt, curvatureAt, residualAt);
  m.kernels.hessian(zAt, curvatureAt, rows, P, stride, step, hAt);
  const out = { objective, gradient: m.f64(gradientAt, P).slice(), curvature: m.f64(curvatureAt, weights.length).slice(), H: m.f64(hAt, P * P).slice() };
  m.release();
  return out;
}

describe('the logistic-regression kernel', () => {
  it('computes the objective, gradient, curvature and Hessian bit for bit as the JavaScript passes did', () => {
    // P odd and even, one block and several, a last block mostly padding.
    for (const [seed, rows, P] of [
      [1, 300, 16],
      [2, 1000, 7],
      [3, 40, 2],
      [4, 513, 1],
      [5, 2000, 11],
    ] as const) {
      const stride = P + (P & 1);
      const { Z, labels, weights, theta } = randomDesign(seed, rows, P, stride);
      const got = runKernel(Z, labels, weights, theta, P, stride);
      const want = reference(Z, labels, weights, theta, P, stride);
      expect(Object.is(got.objective, want.objective)).toBe(true);
      expectSameDoubles(got.gradient, want.gradient);
      expectSameDoubles(got.curvature, want.curvature);
      expectSameDoubles(got.H, want.H);
      // Without the padding rows of weight 0: the same sums.
      const short = runKernel(Z, labels, weights, theta, P, stride, 1, rows);
      expect(Object.is(short.objective, want.objective)).toBe(true);
      expectSameDoubles(short.gradient, want.gradient);
      expectSameDoubles(short.curvature.subarray(0, rows), want.curvature.subarray(0, rows));
      expectSameDoubles(short.H, want.H);
    }
  });

  it('reads every step-th row of the design as it reads a copy of those rows', () => {
    const P = 16;
    const stride = 16;
    const step = 8;
    const { Z, labels, weights, theta } = randomDesign(7, 5000, P, stride);
    const n = Math.ceil(5000 / step);
    const copy = new Float64Array(n * stride);
    for (let r = 0; r < n; r++) copy.set(Z.subarray(r * step * stride, (r + 1) * step * stride - (step - 1) * stride), r * stride);
    const sampleLabels = Uint8Array.from({ length: n }, (_, r) => labels[r * step]!);
    const sampleWeights = Float64Array.from({ length: n }, (_, r) => weights[r * step]! * step);
    const strided = runKernel(Z, sampleLabels, sampleWeights, theta, P, stride, step, n);
    const copied = runKernel(copy, sampleLabels, sampleWeights, theta, P, stride, 1, n);
    expect(Object.is(strided.objective, copied.objective)).toBe(true);
    expectSameDoubles(strided.gradient, copied.gradient);
    expectSameDoubles(strided.curvature, copied.curvature);
    expectSameDoubles(strided.H, copied.H);
  });

  it('takes log1p(exp(z)) bit for bit as Math.log1p(Math.exp(z)) does, over every branch of both', () => {
    // One row, label 0, weight 1, z ≤ 0: the objective is exactly log1p(e^z).
    const rng = new SeededRandom(11);
    const margins = [0, -1e-300, -1e-20, -(2 ** -29), -1e-9, -0.3, -0.34657359027997264, -0.5, -1, -1.0397207708399179, -3, -36, -700, -746, -800];
    for (let i = 0; i < 4000; i++) margins.push(-(10 ** (rng.nextFloat() * 8 - 6)));
    const m = new KernelMemory<LogisticRegressionExports>(logisticRegressionKernel());
    const zAt = m.allocate(BLOCK * 2 * 8);
    const labelsAt = m.allocate(BLOCK);
    const weightsAt = m.allocate(BLOCK * 8);
    const thetaAt = m.allocate(2 * 8);
    const gradientAt = m.allocate(2 * 8);
    const curvatureAt = m.allocate(BLOCK * 8);
    const residualAt = m.allocate(BLOCK * 8);
    m.f64(zAt, 2)[0] = 1;
    m.f64(weightsAt, 1)[0] = 1;
    for (const z of margins) {
      m.f64(thetaAt, 1)[0] = z;
      const objective = m.kernels.evaluate(zAt, labelsAt, weightsAt, BLOCK, 1, 2, 1, thetaAt, gradientAt, curvatureAt, residualAt);
      if (!Object.is(objective, Math.log1p(Math.exp(z)))) expect({ z, objective }).toEqual({ z, objective: Math.log1p(Math.exp(z)) });
    }
    m.release();
  });

  it('lays out a standardised design in place of the rows it is made of, as it does from a separate copy', () => {
    const rng = new SeededRandom(5);
    for (const [n, d, stride, intercept, step] of [
      [500, 15, 16, 1, 1],
      [500, 15, 16, 1, 8],
      [77, 3, 4, 0, 1],
      [77, 4, 6, 1, 1],
    ] as const) {
      const X = Float64Array.from({ length: n * d }, () => rng.normal() * 3 + 1);
      const m = new KernelMemory<LogisticRegressionExports>(logisticRegressionKernel());
      const rows = Math.ceil(n / step);
      const placeAt = m.allocate(Math.max(n * d, rows * stride) * 8);
      const apartAt = m.allocate(n * d * 8);
      const outAt = m.allocate(rows * stride * 8);
      const meanAt = m.allocate(d * 8);
      const scaleAt = m.allocate(d * 8);
      m.f64(placeAt, n * d).set(X);
      m.f64(apartAt, n * d).set(X);
      const mean = m.f64(meanAt, d);
      const scale = m.f64(scaleAt, d);
      // The moments, against plain loops down each column.
      m.kernels.columnSums(apartAt, n, d, meanAt);
      for (let j = 0; j < d; j++) {
        let sum = 0;
        for (let i = 0; i < n; i++) sum += X[i * d + j]!;
        expect(Object.is(mean[j], sum)).toBe(true);
        mean[j] = sum / n;
      }
      m.kernels.columnSquares(apartAt, n, d, meanAt, scaleAt);
      for (let j = 0; j < d; j++) {
        let squares = 0;
        for (let i = 0; i < n; i++) squares += (X[i * d + j]! - mean[j]!) ** 2;
        expect(Object.is(scale[j], squares)).toBe(true);
        scale[j] = Math.sqrt(squares / n);
      }
      m.kernels.designRows(apartAt, n, d, step, meanAt, scaleAt, intercept, outAt, stride);
      const expected = new Float64Array(rows * stride);
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < d; j++) expected[r * stride + j] = (X[r * step * d + j]! - mean[j]!) / scale[j]!;
        if (intercept === 1) expected[r * stride + d] = 1;
      }
      expectSameDoubles(m.f64(outAt, rows * stride), expected);
      if (step === 1) {
        m.kernels.designRows(placeAt, n, d, 1, meanAt, scaleAt, intercept, placeAt, stride);
        expectSameDoubles(m.f64(placeAt, rows * stride), expected);
      }
      m.release();
    }
  });
});
