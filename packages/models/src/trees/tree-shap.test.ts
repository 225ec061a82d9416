import { describe, expect, it } from 'vitest';
import { denseMatrix, SeededRandom, type DenseMatrix } from '@mlsd/data';
import { GradientBoostingClassifier, RandomForestClassifier } from '@mlsd/models';
import type { CompactTree } from './index.js';

/** A small problem where every feature matters and splits repeat along paths. */
function interacting(n: number, seed: number): { X: DenseMatrix; y: Uint8Array } {
  const rng = new SeededRandom(seed);
  const data = new Float64Array(n * 3);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const a = rng.nextFloat();
    const b = rng.nextFloat();
    const c = rng.nextInt(4);
    data.set([a, b, c], i * 3);
    const z = 2 * a * b - 1 + (c >= 2 ? 0.8 : -0.4) + (a > 0.7 ? 1 : 0);
    y[i] = rng.nextFloat() < 1 / (1 + Math.exp(-3 * z)) ? 1 : 0;
  }
  return { X: denseMatrix(data, n, 3, ['a', 'b', 'c']), y };
}

/**
 * E[f(x) | x_S] under the tree's cover distribution (Algorithm 1 of Lundberg et al. 2018): follow `x` at
 * splits on features in S, average the children by cover elsewhere.
 */
function expectedGiven(tree: CompactTree, x: Float64Array, inS: (f: number) => boolean, node = 0): number {
  const f = tree.feature[node]!;
  if (f < 0) return tree.value[node]!;
  const l = tree.left[node]!;
  const r = tree.right[node]!;
  if (inS(f)) return expectedGiven(tree, x, inS, x[f]! <= tree.threshold[node]! ? l : r);
  return (tree.cover[l]! * expectedGiven(tree, x, inS, l) + tree.cover[r]! * expectedGiven(tree, x, inS, r)) / tree.cover[node]!;
}

/** Shapley values of the trees' sum by the definition: every subset of the other features, weighted. */
function bruteForceShapley(trees: readonly CompactTree[], x: Float64Array, M: number): Float64Array {
  const factorial = (k: number): number => (k <= 1 ? 1 : k * factorial(k - 1));
  const value = (mask: number): number => trees.reduce((sum, tree) => sum + expectedGiven(tree, x, (f) => ((mask >> f) & 1) === 1), 0);
  const phi = new Float64Array(M);
  for (let i = 0; i < M; i++) {
    for (let mask = 0; mask < 1 << M; mask++) {
      if ((mask >> i) & 1) continue;
      let size = 0;
      for (let f = 0; f < M; f++) size += (mask >> f) & 1;
      const weight = (factorial(size) * factorial(M - size - 1)) / factorial(M);
      phi[i]! += weight * (value(mask | (1 << i)) - value(mask));
    }
  }
  return phi;
}

describe('TreeSHAP contributions', () => {
  it('match brute-force Shapley values on small boosted trees, with repeated features on a path', async () => {
    const { X, y } = interacting(600, 1);
    const model = await new GradientBoostingClassifier({ nRounds: 3, maxDepth: 4, minChildWeight: 0 }).fit(X, y);
    // The test means something only if some path splits twice on one feature (UNWIND in Algorithm 2).
    const repeats = model.trees.some((tree) => {
      const walk = (node: number, seen: Set<number>): boolean => {
        const f = tree.feature[node]!;
        if (f < 0) return false;
        if (seen.has(f)) return true;
        const next = new Set(seen).add(f);
        return walk(tree.left[node]!, next) || walk(tree.right[node]!, next);
      };
      return walk(0, new Set());
    });
    expect(repeats).toBe(true);
    const rows = 40;
    const contributions = model.contributions(denseMatrix(X.data.slice(0, rows * 3), rows, 3, X.featureNames));
    for (let r = 0; r < rows; r++) {
      const x = Float64Array.from(X.data.subarray(r * 3, r * 3 + 3));
      const expected = bruteForceShapley(model.trees, x, 3);
      for (let f = 0; f < 3; f++) expect(contributions[r * 4 + f]).toBeCloseTo(expected[f]!, 10);
      const bias = model.baseScore + model.trees.reduce((s, t) => s + expectedGiven(t, x, () => false), 0);
      expect(contributions[r * 4 + 3]).toBeCloseTo(bias, 10);
    }
  });

  it('plus the bias sum to the raw margin of every row (boosting) and to the probability (forest)', async () => {
    const { X, y } = interacting(800, 2);
    const boosted = await new GradientBoostingClassifier({ nRounds: 30, maxDepth: 6, subsample: 0.8 }).fit(X, y);
    const margin = boosted.decisionFunction(X);
    const phi = boosted.contributions(X);
    for (let r = 0; r < X.rows; r++) {
      expect(phi[r * 4]! + phi[r * 4 + 1]! + phi[r * 4 + 2]! + phi[r * 4 + 3]!).toBeCloseTo(margin[r]!, 9);
    }
    const forest = await new RandomForestClassifier({ nTrees: 10, maxDepth: 6 }).fit(X, y);
    const proba = forest.predictProba(X);
    const phiForest = forest.contributions(X);
    for (let r = 0; r < X.rows; r++) {
      const sum = phiForest[r * 4]! + phiForest[r * 4 + 1]! + phiForest[r * 4 + 2]! + phiForest[r * 4 + 3]!;
      expect(sum).toBeCloseTo(proba[r]!, 9);
    }
  });

  it('give a feature the model never splits on exactly zero', async () => {
    const { X, y } = interacting(400, 3);
    const model = await new GradientBoostingClassifier({ nRounds: 1, maxDepth: 1, minChildWeight: 0 }).fit(X, y);
    const used = model.trees[0]!.feature[0]!;
    const phi = model.contributions(X);
    for (let r = 0; r < X.rows; r++) for (let f = 0; f < 3; f++) if (f !== used) expect(phi[r * 4 + f]).toBe(0);
  });
});
