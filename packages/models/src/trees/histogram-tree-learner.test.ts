import { describe, expect, it } from 'vitest';
import { denseMatrix, SeededRandom } from '@mlsd/data';
import type { CompactTree } from './compact-tree.js';
import { HistogramTreeLearner, type TreeGrowthOptions } from './histogram-tree-learner.js';
import { binMatrix, fitQuantileBins } from './quantile-bins.js';

const OPTIONS: TreeGrowthOptions = {
  maxDepth: 5,
  maxLeaves: 0,
  growPolicy: 'depthwise',
  lambda: 1,
  gamma: 0,
  minChildWeight: 0,
  // Large enough that row counts decide splits: wrong counts would grow other trees.
  minSamplesLeaf: 150,
  featuresPerSplit: 6,
  leafScale: 1,
  binaryTargets: false,
};

/** 3,000 rows of 6 features (continuous, 3-valued, with NaN) and gradients of a random margin. */
function problem(seed: number): { learner: () => HistogramTreeLearner; gradients: (round: number) => { grad: Float64Array; hess: Float64Array } } {
  const rng = new SeededRandom(seed);
  const n = 3000;
  const cols = 6;
  const data = Float64Array.from({ length: n * cols }, (_, i) => {
    const f = i % cols;
    if (f === 1) return i % 3;
    if (f === 2 && rng.nextFloat() < 0.1) return Number.NaN;
    return rng.normal();
  });
  const X = denseMatrix(data, n, cols, ['a', 'b', 'c', 'd', 'e', 'f']);
  const y = Uint8Array.from({ length: n }, (_, r) => (data[r * cols]! + (data[r * cols + 1]! === 2 ? 1 : 0) + rng.normal() > 1 ? 1 : 0));
  const bins = fitQuantileBins(X, 64);
  const binned = binMatrix(X, bins);
  return {
    learner: () => new HistogramTreeLearner(binned, bins, OPTIONS),
    gradients: (round) => {
      const noise = new SeededRandom(100 + round);
      const grad = new Float64Array(n);
      const hess = new Float64Array(n);
      for (let r = 0; r < n; r++) {
        const p = 1 / (1 + Math.exp(-noise.normal()));
        grad[r] = p - y[r]!;
        hess[r] = p * (1 - p);
      }
      return { grad, hess };
    },
  };
}

function plain(tree: CompactTree): Record<string, number[]> {
  return Object.fromEntries(Object.entries(tree).map(([key, values]) => [key, Array.from(values as ArrayLike<number>)]));
}

describe('HistogramTreeLearner', () => {
  it('grows the same trees when a root over every row in order takes its row counts from the first such root', () => {
    const { learner, gradients } = problem(3);
    const rows = 3000;
    const all = Int32Array.from({ length: rows }, (_, i) => i);
    const features = Int32Array.from([0, 1, 2, 3, 4, 5]);
    const reused = learner();
    // A root on a subset, then on every row out of order: both count their rows.
    const subset = Int32Array.from({ length: 2000 }, (_, i) => (i * 7) % rows);
    reused.grow(gradients(0).grad, gradients(0).hess, subset, subset.length, features, new SeededRandom(1));
    const reversed = all.slice().reverse();
    const fresh = (round: number, sample: Int32Array): CompactTree =>
      learner().grow(gradients(round).grad, gradients(round).hess, sample, sample.length, features, new SeededRandom(1));
    expect(plain(reused.grow(gradients(1).grad, gradients(1).hess, reversed, rows, features, new SeededRandom(1)))).toEqual(plain(fresh(1, reversed)));
    // Every row in order: the first counts, the next ones copy the counts.
    for (const round of [2, 3, 4]) {
      const tree = reused.grow(gradients(round).grad, gradients(round).hess, all, rows, features, new SeededRandom(1));
      expect(plain(tree)).toEqual(plain(fresh(round, all)));
      expect(tree.feature.filter((f) => f >= 0).length).toBeGreaterThan(3);
      reused.forEachLeafRow((_, __, start, end) => expect(end - start).toBeGreaterThanOrEqual(OPTIONS.minSamplesLeaf));
    }
  });
});
