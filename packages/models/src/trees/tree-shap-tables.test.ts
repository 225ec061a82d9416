import { describe, expect, it } from 'vitest';
import { denseMatrix, SeededRandom, type DenseMatrix } from '@mlsd/data';
import { GradientBoostingClassifier } from '@mlsd/models';
import type { CompactTree } from './compact-tree.js';
import { treeShapByRecursion, treeShapContributions } from './tree-shap.js';
import { ShapTables } from './tree-shap-tables.js';

/** Rows of `cols` features where the label depends on interactions, so trees split on one feature several times. */
function problem(n: number, cols: number, seed: number): { X: DenseMatrix; y: Uint8Array } {
  const rng = new SeededRandom(seed);
  const data = new Float64Array(n * cols);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < cols; c++) data[i * cols + c] = c % 3 === 2 ? rng.nextInt(5) : rng.nextFloat();
    const a = data[i * cols]!;
    const b = data[i * cols + 1]!;
    const z = 3 * a * b - 1 + (a > 0.7 ? 1 : 0) - (b < 0.2 ? 0.8 : 0) + (data[i * cols + 2]! >= 3 ? 0.6 : -0.3);
    y[i] = rng.nextFloat() < 1 / (1 + Math.exp(-3 * z)) ? 1 : 0;
  }
  return {
    X: denseMatrix(
      data,
      n,
      cols,
      Array.from({ length: cols }, (_, c) => `f${c}`),
    ),
    y,
  };
}

/** Test rows: fresh values, a few missing (NaN takes each split's default side). */
function rows(n: number, cols: number, seed: number): DenseMatrix {
  const rng = new SeededRandom(seed);
  const data = new Float64Array(n * cols);
  for (let i = 0; i < data.length; i++) data[i] = rng.nextFloat() < 0.05 ? Number.NaN : (i % cols) % 3 === 2 ? rng.nextInt(5) : rng.nextFloat();
  return denseMatrix(
    data,
    n,
    cols,
    Array.from({ length: cols }, (_, c) => `f${c}`),
  );
}

describe('TreeSHAP tables', () => {
  it('give the recursion values, to rounding, for boosted trees of depth 1 to 6 (repeated features, missing values)', async () => {
    for (const [depth, seed] of [
      [1, 1],
      [2, 2],
      [3, 3],
      [4, 4],
      [6, 5],
      [6, 6],
    ] as const) {
      const { X, y } = problem(800, 5, seed);
      const model = await new GradientBoostingClassifier({ nRounds: 20, maxDepth: depth, minChildWeight: 0, seed }).fit(X, y);
      const trees = model.trees;
      expect(ShapTables.build(trees)).toBeDefined();
      const test = rows(60, 5, seed + 100);
      const byTables = treeShapContributions(trees, test, 0.5, 0.25);
      const byRecursion = treeShapByRecursion(trees, test, 0.5, 0.25);
      for (let i = 0; i < byTables.length; i++) expect(Math.abs(byTables[i]! - byRecursion[i]!), `depth ${depth}, entry ${i}`).toBeLessThan(1e-12);
    }
  });

  it('are not built past their bounds (13 distinct features on one path): the recursion answers instead', () => {
    // A chain of 13 splits on 13 features, each with one leaf off the path.
    const splits = 13;
    const nodes = 2 * splits + 1;
    const tree: CompactTree = {
      feature: new Int32Array(nodes).fill(-1),
      threshold: new Float64Array(nodes),
      left: new Int32Array(nodes).fill(-1),
      right: new Int32Array(nodes).fill(-1),
      value: new Float64Array(nodes),
      defaultLeft: new Uint8Array(nodes),
      cover: new Float64Array(nodes),
    };
    for (let s = 0; s < splits; s++) {
      const node = 2 * s;
      tree.feature[node] = s;
      tree.threshold[node] = 0.5;
      tree.left[node] = node + 1;
      tree.right[node] = node + 2;
      tree.cover[node] = 2 ** (splits - s + 1);
      tree.cover[node + 1] = 2 ** (splits - s);
      tree.value[node + 1] = s / 10;
    }
    tree.cover[nodes - 1] = 2;
    tree.value[nodes - 1] = 1;
    expect(ShapTables.build([tree])).toBeUndefined();
    const test = rows(5, splits, 9);
    expect(Array.from(treeShapContributions([tree], test, 1, 0))).toEqual(Array.from(treeShapByRecursion([tree], test, 1, 0)));
  });
});
