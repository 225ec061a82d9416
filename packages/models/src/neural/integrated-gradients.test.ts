import { describe, expect, it } from 'vitest';
import { denseMatrix, SeededRandom, type DenseMatrix } from '@mlsd/data';
import { exactShapley } from '../explain/exact-shapley.js';
import type { MlpActivation } from './activation.js';
import { integratedGradients } from './integrated-gradients.js';
import { MlpNetwork, type MlpLayerWeights, type MlpNetworkState } from './mlp-network.js';

/** Random float32 weights for layers of the given widths (the last must be 1). */
function randomState(rng: SeededRandom, widths: number[], activation: MlpActivation): MlpNetworkState {
  const layers: MlpLayerWeights[] = [];
  for (let l = 0; l + 1 < widths.length; l++) {
    const inputs = widths[l]!;
    const outputs = widths[l + 1]!;
    layers.push({
      inputs,
      outputs,
      kernel: Float32Array.from({ length: inputs * outputs }, () => rng.normal() * 0.8),
      bias: Float32Array.from({ length: outputs }, () => rng.normal() * 0.3),
    });
  }
  const cols = widths[0]!;
  return {
    inputMean: Float64Array.from({ length: cols }, () => rng.normal()),
    inputScale: Float64Array.from({ length: cols }, () => 0.5 + rng.nextFloat()),
    layers,
    activation,
  };
}

function logitsOf(network: MlpNetwork): (X: DenseMatrix) => Float64Array {
  return (X) => {
    const out = new Float64Array(X.rows);
    network.logitsInto(X, out);
    return out;
  };
}

function rows(rng: SeededRandom, count: number, cols: number): DenseMatrix {
  return denseMatrix(
    Float64Array.from({ length: count * cols }, () => rng.normal() * 2),
    count,
    cols,
  );
}

/** Shapley values by their definition over orderings: the mean over all n! orders of each input's marginal gain. */
function shapleyByPermutations(f: (X: DenseMatrix) => Float64Array, x: Float64Array, baseline: Float64Array): Float64Array {
  const n = x.length;
  const phi = new Float64Array(n);
  let orders = 0;
  const permute = (prefix: number[], rest: number[]): void => {
    if (rest.length === 0) {
      orders++;
      const point = Float64Array.from(baseline);
      let before = f(denseMatrix(Float64Array.from(point), 1, n))[0]!;
      for (const i of prefix) {
        point[i] = x[i]!;
        const after = f(denseMatrix(Float64Array.from(point), 1, n))[0]!;
        phi[i]! += after - before;
        before = after;
      }
      return;
    }
    rest.forEach((i, k) => permute([...prefix, i], [...rest.slice(0, k), ...rest.slice(k + 1)]));
  };
  permute(
    [],
    Array.from({ length: n }, (_, i) => i),
  );
  for (let i = 0; i < n; i++) phi[i]! /= orders;
  return phi;
}

/**
 * ∫₀¹ ∂f/∂x along the path by central differences at 40,000 midpoints: a brute-force integrated gradient. On a
 * ReLU network its error shrinks as 1/steps (each kink costs one cell): measured against the exact integral,
 * worst 1.1e-3 at 4,000 steps, 1.1e-4 at 40,000, 5.9e-6 at 400,000.
 */
function bruteIntegratedGradients(f: (X: DenseMatrix) => Float64Array, x: Float64Array, baseline: Float64Array): Float64Array {
  const n = x.length;
  const steps = 40_000;
  const h = 1e-6;
  const out = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    const data = new Float64Array(steps * 2 * n);
    for (let k = 0; k < steps; k++) {
      const alpha = (k + 0.5) / steps;
      for (let side = 0; side < 2; side++) {
        for (let j = 0; j < n; j++) data[(2 * k + side) * n + j] = baseline[j]! + alpha * (x[j]! - baseline[j]!);
        data[(2 * k + side) * n + c]! += side === 0 ? h : -h;
      }
    }
    const v = f(denseMatrix(data, steps * 2, n));
    let sum = 0;
    for (let k = 0; k < steps; k++) sum += (v[2 * k]! - v[2 * k + 1]!) / (2 * h);
    out[c] = ((x[c]! - baseline[c]!) * sum) / steps;
  }
  return out;
}

describe('integratedGradients', () => {
  for (const activation of ['relu', 'tanh'] as const) {
    it(`equals w·(x − b) exactly for a linear network (${activation} path)`, () => {
      const rng = new SeededRandom(5);
      const state = randomState(rng, [4, 1], activation);
      const X = rows(rng, 20, 4);
      const baseline = Float64Array.from([0.3, -1, 2, 0.5]);
      const result = integratedGradients(state, X, baseline, { steps: 3 });
      const w = state.layers[0]!.kernel;
      for (let r = 0; r < X.rows; r++) {
        for (let c = 0; c < 4; c++) {
          const expected = (w[c]! * (X.data[r * 4 + c]! - baseline[c]!)) / state.inputScale[c]!;
          expect(result.attributions[r * 4 + c]).toBeCloseTo(expected, 12);
        }
        expect(Math.abs(result.gaps[r]!)).toBeLessThan(1e-12);
      }
    });
  }

  it('is exact for ReLU networks: completeness to 1e-9 and the brute-force path integral to 2.5e-4', () => {
    const rng = new SeededRandom(11);
    const state = randomState(rng, [4, 8, 6, 1], 'relu');
    const network = new MlpNetwork(state);
    const X = rows(rng, 12, 4);
    const baseline = Float64Array.from(state.inputMean);
    const result = integratedGradients(state, X, baseline);
    const logits = logitsOf(network)(X);
    for (let r = 0; r < X.rows; r++) {
      expect(Math.abs(result.gaps[r]!)).toBeLessThan(1e-9);
      expect(result.logits[r]).toBeCloseTo(logits[r]!, 10);
      const x = X.data.slice(r * 4, r * 4 + 4) as Float64Array;
      const brute = bruteIntegratedGradients(logitsOf(network), x, baseline);
      for (let c = 0; c < 4; c++) expect(Math.abs(result.attributions[r * 4 + c]! - brute[c]!)).toBeLessThan(2.5e-4);
    }
  });

  it('has a small completeness gap for smooth activations, shrinking as 1/steps² (midpoint rule)', () => {
    const rng = new SeededRandom(12);
    const state = randomState(rng, [5, 8, 4, 1], 'tanh');
    const X = rows(rng, 30, 5);
    const baseline = Float64Array.from(state.inputMean);
    const worst = (steps: number): number => Math.max(...Array.from(integratedGradients(state, X, baseline, { steps }).gaps, Math.abs));
    const at64 = worst(64);
    // Strongly curved random weights (inputs ~2 sd): 1.8e-3 logit at 64 steps, about 16x less at 4x the steps.
    expect(at64).toBeLessThan(5e-3);
    expect(worst(256)).toBeLessThan(at64 / 10);
  });

  it('equals the exact Shapley values of an additive network (each hidden unit sees one input)', () => {
    const rng = new SeededRandom(13);
    const cols = 4;
    const state = randomState(rng, [cols, cols * 2, 1], 'relu');
    const kernel = state.layers[0]!.kernel;
    for (let i = 0; i < cols; i++) for (let j = 0; j < cols * 2; j++) if (j % cols !== i) kernel[i * cols * 2 + j] = 0;
    const X = rows(rng, 10, cols);
    const baseline = Float64Array.from(state.inputMean);
    const ig = integratedGradients(state, X, baseline).attributions;
    const shapley = exactShapley(logitsOf(new MlpNetwork(state)), X, baseline);
    for (let k = 0; k < ig.length; k++) expect(ig[k]).toBeCloseTo(shapley[k]!, 9);
  });

  it('rejects a wrong width or step count, naming them', () => {
    const state = randomState(new SeededRandom(1), [3, 1], 'relu');
    expect(() => integratedGradients(state, rows(new SeededRandom(2), 1, 4), new Float64Array(3))).toThrow(/3 inputs but X has 4 columns/);
    expect(() => integratedGradients(state, rows(new SeededRandom(2), 1, 3), new Float64Array(3), { steps: 0 })).toThrow(/steps must be/);
  });
});

describe('exactShapley', () => {
  it('equals the mean marginal gain over all orderings on a small network (3 and 4 inputs)', () => {
    for (const [cols, activation] of [
      [3, 'relu'],
      [4, 'tanh'],
    ] as const) {
      const rng = new SeededRandom(20 + cols);
      const state = randomState(rng, [cols, 6, 3, 1], activation);
      const f = logitsOf(new MlpNetwork(state));
      const X = rows(rng, 5, cols);
      const baseline = Float64Array.from({ length: cols }, () => rng.normal());
      const values = exactShapley(f, X, baseline);
      for (let r = 0; r < X.rows; r++) {
        const x = X.data.slice(r * cols, (r + 1) * cols) as Float64Array;
        const expected = shapleyByPermutations(f, x, baseline);
        let sum = 0;
        for (let c = 0; c < cols; c++) {
          expect(values[r * cols + c]).toBeCloseTo(expected[c]!, 10);
          sum += values[r * cols + c]!;
        }
        const ends = f(denseMatrix(Float64Array.from([...x, ...baseline]), 2, cols));
        expect(sum).toBeCloseTo(ends[0]! - ends[1]!, 10);
      }
    }
  });

  it('refuses more than 16 inputs', () => {
    expect(() => exactShapley(() => new Float64Array(0), rows(new SeededRandom(1), 1, 17), new Float64Array(17))).toThrow(/at most 16 inputs/);
  });
});
