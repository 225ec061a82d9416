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

  it('computes logistic gradients and margin updates in the kernel bit for bit as JavaScript does (Math.exp included)', () => {
    const rows = 200_000;
    const X = denseMatrix(
      Float64Array.from({ length: rows }, (_, i) => i % 7),
      rows,
      1,
      ['x'],
    );
    const bins = fitQuantileBins(X, 255);
    const learner = new HistogramTreeLearner(binMatrix(X, bins), bins, { ...OPTIONS, minSamplesLeaf: 1, featuresPerSplit: 1 });
    const rng = new SeededRandom(9);
    const labels = Uint8Array.from({ length: rows }, () => (rng.nextFloat() < 0.3 ? 1 : 0));
    const weights = Float64Array.from({ length: rows }, (_, i) => (i % 5 === 0 ? 2.5 : 1));
    learner.startLogistic(labels, weights, -1.25);
    expect(Array.from(learner.margins().subarray(0, 3))).toEqual([-1.25, -1.25, -1.25]);
    // Margins over the whole useful range and beyond: fdlibm's branches (|x| < 2^-28, < 1.5 ln2, overflow, underflow).
    const special = [0, -0, 1, -1, 0.5, -0.5, 1e-9, -1e-9, 0.3465, 0.35, 1.04, -1.04, 40, -40, 709.7, 709.8, -745.1, -746, 800, -800];
    const margin = learner.margins();
    for (let i = 0; i < rows; i++) margin[i] = i < special.length ? special[i]! : rng.normal() * (i % 3 === 0 ? 1 : i % 3 === 1 ? 8 : 60);
    const expected = Float64Array.from(margin);
    learner.logisticGradients();
    const { grad, hess } = learner.gradients();
    let different = 0;
    for (let i = 0; i < rows; i++) {
      const p = 1 / (1 + Math.exp(-expected[i]!));
      if (!Object.is(grad[i], weights[i]! * (p - labels[i]!)) || !Object.is(hess[i], weights[i]! * Math.max(p * (1 - p), 1e-16))) different++;
    }
    expect(different).toBe(0);
    // The margin update: each row gains its leaf's value.
    const tree = learner.grow(
      grad,
      hess,
      Int32Array.from({ length: rows }, (_, i) => i),
      rows,
      Int32Array.from([0]),
      new SeededRandom(1),
    );
    const before = Float64Array.from(learner.margins());
    learner.addLeafValues(tree.value);
    const after = learner.margins();
    let wrong = 0;
    for (let i = 0; i < rows; i++) {
      const leaf = leafOfValue(tree, X.data[i]!);
      if (!Object.is(after[i], before[i]! + tree.value[leaf]!)) wrong++;
    }
    expect(wrong).toBe(0);
    expect(tree.feature[0]).toBe(0);
  });
});

/** The leaf a one-feature tree sends value `v` to. */
function leafOfValue(tree: CompactTree, v: number): number {
  let n = 0;
  while (tree.feature[n]! >= 0) n = v <= tree.threshold[n]! ? tree.left[n]! : tree.right[n]!;
  return n;
}
