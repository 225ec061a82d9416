import { describe, expect, it } from 'vitest';
import { denseMatrix, SeededRandom, type DenseMatrix } from '@mlsd/data';
import { addPackedOutputs, leafOf, packForest, type CompactTree } from './index.js';
import { helperCount, WalkHelpers } from '../kernels/walk-helpers.js';
import { ForestKernel } from './forest-kernel.js';

/**
 * A random tree over `cols` features, nodes numbered depth-first (not the packed breadth-first order):
 * each node splits with probability `splitChance` until `maxDepth`, thresholds drawn from the data's range,
 * missing values sent left or right at random.
 */
function randomTree(rng: SeededRandom, cols: number, maxDepth: number, splitChance: number): CompactTree {
  const feature: number[] = [];
  const threshold: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const value: number[] = [];
  const defaultLeft: number[] = [];
  const grow = (depth: number): number => {
    const n = feature.length;
    feature.push(-1);
    threshold.push(0);
    left.push(-1);
    right.push(-1);
    value.push(rng.normal());
    defaultLeft.push(rng.nextInt(2));
    if (depth < maxDepth && (depth === 0 || rng.nextFloat() < splitChance)) {
      feature[n] = rng.nextInt(cols);
      // Some thresholds sit exactly on a data value (ties go left), the rest anywhere in the range.
      threshold[n] = rng.nextFloat() < 0.2 ? rng.nextInt(5) - 2 : rng.normal();
      left[n] = grow(depth + 1);
      right[n] = grow(depth + 1);
    }
    return n;
  };
  grow(0);
  return {
    feature: Int32Array.from(feature),
    threshold: Float64Array.from(threshold),
    left: Int32Array.from(left),
    right: Int32Array.from(right),
    value: Float64Array.from(value),
    defaultLeft: Uint8Array.from(defaultLeft),
    cover: new Float64Array(feature.length).fill(1),
  };
}

/** Values from a normal, a few small integers (ties with thresholds) and, if asked, NaN. */
function randomMatrix(rng: SeededRandom, rows: number, cols: number, nanRate: number, float32: boolean): DenseMatrix {
  const data = float32 ? new Float32Array(rows * cols) : new Float64Array(rows * cols);
  for (let k = 0; k < data.length; k++) {
    const u = rng.nextFloat();
    data[k] = u < nanRate ? Number.NaN : u < 0.3 ? rng.nextInt(5) - 2 : rng.normal();
  }
  return denseMatrix(data, rows, cols);
}

/** The plain walk, one row and one tree at a time, following left/right/defaultLeft as stored. */
function referenceOutputs(trees: readonly CompactTree[], X: DenseMatrix, scale: number): Float64Array {
  const out = new Float64Array(X.rows);
  for (let r = 0; r < X.rows; r++) {
    for (const tree of trees) out[r]! += scale * tree.value[leafOf(tree, X.data, r * X.cols)]!;
  }
  return out;
}

describe('packForest / addPackedOutputs', () => {
  const cases = [
    { name: 'shallow trees (fixed-step walks)', maxDepth: 6, splitChance: 0.8, nanRate: 0, float32: false },
    { name: 'deep trees (walks that stop early)', maxDepth: 24, splitChance: 0.62, nanRate: 0, float32: false },
    { name: 'missing values in some blocks', maxDepth: 12, splitChance: 0.8, nanRate: 0.002, float32: false },
    { name: 'Float32 data with missing values', maxDepth: 10, splitChance: 0.8, nanRate: 0.01, float32: true },
  ];
  for (const c of cases) {
    it(`gives exactly the plain walk's sums: ${c.name}`, () => {
      const rng = new SeededRandom(7);
      const cols = 6;
      const trees = Array.from({ length: 25 }, () => randomTree(rng, cols, c.maxDepth, c.splitChance));
      // 1,237 rows: two full blocks of 512, a partial block and a tail shorter than a group of walks.
      const X = randomMatrix(rng, 1237, cols, c.nanRate, c.float32);
      const packed = packForest(trees);
      // The deep case must reach the early-stopping walk (trees deeper than 8).
      if (c.maxDepth > 8) expect(Math.max(...packed.depth)).toBeGreaterThan(8);
      const out = new Float64Array(X.rows);
      addPackedOutputs(packed, X, out, 0.3);
      const expected = referenceOutputs(trees, X, 0.3);
      expect(Array.from(out)).toEqual(Array.from(expected));
    });
  }

  it("gives the plain walk's sums across chunks of rows, for the same forest again and for a new one", () => {
    const rng = new SeededRandom(11);
    const cols = 5;
    const trees = Array.from({ length: 8 }, () => randomTree(rng, cols, 7, 0.8));
    const packed = packForest(trees);
    // 9,001 rows: two full chunks of 4,096 rows copied into the kernel, then a partial one; then fewer rows
    // through the same (cached) kernel, then a larger forest loaded after rows (the rows move up).
    for (const rows of [9001, 300]) {
      const X = randomMatrix(rng, rows, cols, 0.001, false);
      const out = Float64Array.from({ length: rows }, (_, i) => i / 7);
      addPackedOutputs(packed, X, out, 0.5);
      const expected = referenceOutputs(trees, X, 0.5).map((v, i) => i / 7 + v);
      // The start values come first: out[r] = ((out[r] + v1) + v2) + …, as the plain walk adds.
      const plain = Float64Array.from({ length: rows }, (_, i) => i / 7);
      for (let r = 0; r < rows; r++) for (const tree of trees) plain[r]! += 0.5 * tree.value[leafOf(tree, X.data, r * cols)]!;
      expect(Array.from(out)).toEqual(Array.from(plain));
      expect(out[rows - 1]).toBeCloseTo(expected[rows - 1]!, 9);
    }
  });

  it('a kernel takes a larger forest after its rows are loaded (the rows move up)', () => {
    const rng = new SeededRandom(5);
    const cols = 4;
    const X = randomMatrix(rng, 700, cols, 0, false);
    const kernel = new ForestKernel();
    kernel.loadRows(X, 0, X.rows);
    for (const size of [1, 3, 12]) {
      const trees = Array.from({ length: size }, () => randomTree(rng, cols, 8, 0.8));
      kernel.loadForest(packForest(trees));
      const out = new Float64Array(X.rows);
      kernel.addOutputs(out, 0, 1);
      expect(Array.from(out)).toEqual(Array.from(referenceOutputs(trees, X, 1)));
    }
  });

  it.skipIf(helperCount() === 0)('splits a large batch across helper threads, with the same sums', async () => {
    const helpers = WalkHelpers.shared()!;
    const kernel = new ForestKernel();
    // Helpers start in the background; wait for one (a cold start takes tens of milliseconds).
    for (let waited = 0; helpers.readyCount() === 0 && waited < 10_000; waited += 10) await new Promise((r) => setTimeout(r, 10));
    const rng = new SeededRandom(3);
    const cols = 7;
    const trees = Array.from({ length: 10 }, () => randomTree(rng, cols, 9, 0.8));
    const X = randomMatrix(rng, 5003, cols, 0.001, false);
    kernel.loadForest(packForest(trees));
    kernel.loadRows(X, 0, X.rows);
    const out = new Float64Array(X.rows);
    expect(kernel.addOutputs(out, 0, 0.25)).toBeGreaterThan(1);
    const expected = referenceOutputs(trees, X, 0.25);
    expect(Array.from(out)).toEqual(Array.from(expected));
    // Many short walks back to back: a lost wake-up between caller and helper would stall one for 30 s,
    // past this test's timeout.
    for (let k = 0; k < 300; k++) {
      out.fill(0);
      kernel.addOutputs(out, 0, 0.25);
    }
    expect(Array.from(out)).toEqual(Array.from(expected));
  });

  it('a single-leaf tree adds its value to every row', () => {
    const leaf: CompactTree = {
      feature: Int32Array.of(-1),
      threshold: Float64Array.of(0),
      left: Int32Array.of(-1),
      right: Int32Array.of(-1),
      value: Float64Array.of(2.5),
      defaultLeft: Uint8Array.of(0),
      cover: Float64Array.of(1),
    };
    const X = denseMatrix(Float64Array.of(1, Number.NaN, -3), 3, 1);
    const out = Float64Array.of(1, 2, 3);
    addPackedOutputs(packForest([leaf]), X, out);
    expect(Array.from(out)).toEqual([3.5, 4.5, 5.5]);
  });

  it('lays each tree out breadth-first with the right child next to the left one', () => {
    // Root splits x0 <= 0; its right child splits x1 <= 1 (missing right). Stored depth-first: 0, 1, 2, 3, 4.
    const tree: CompactTree = {
      feature: Int32Array.of(0, -1, 1, -1, -1),
      threshold: Float64Array.of(0, 0, 1, 0, 0),
      left: Int32Array.of(1, -1, 3, -1, -1),
      right: Int32Array.of(2, -1, 4, -1, -1),
      value: Float64Array.of(0, 10, 0, 20, 30),
      defaultLeft: Uint8Array.of(1, 0, 0, 0, 0),
      cover: Float64Array.of(3, 1, 2, 1, 1),
    };
    const packed = packForest([tree, tree]);
    expect(Array.from(packed.root)).toEqual([0, 5]);
    expect(Array.from(packed.depth)).toEqual([2, 2]);
    expect(Array.from(packed.left.subarray(0, 5))).toEqual([1, 1, 3, 3, 4]);
    expect(Array.from(packed.left.subarray(5))).toEqual([6, 6, 8, 8, 9]);
    expect(Array.from(packed.missingRight.subarray(0, 5))).toEqual([0, 0, 1, 0, 0]);
    // x0 = −1 → 10; x0 = 1, x1 = 0 → 20; x0 = 1, x1 = 2 → 30; x0 = NaN → left → 10; x0 = 1, x1 = NaN → right → 30.
    const X = denseMatrix(Float64Array.of(-1, 0, 1, 0, 1, 2, Number.NaN, 5, 1, Number.NaN), 5, 2);
    const out = new Float64Array(5);
    addPackedOutputs(packed, X, out);
    expect(Array.from(out)).toEqual([20, 40, 60, 20, 60]);
  });

  it('refuses a node reached twice (a graph, not a tree) instead of packing it', () => {
    const graph: CompactTree = {
      feature: Int32Array.of(0, 0, 0, -1, -1),
      threshold: Float64Array.of(0, -1, 1, 0, 0),
      left: Int32Array.of(1, 3, 3, -1, -1),
      right: Int32Array.of(2, 4, 4, -1, -1),
      value: new Float64Array(5),
      defaultLeft: new Uint8Array(5),
      cover: new Float64Array(5),
    };
    expect(() => packForest([graph])).toThrow(/Tree 0 is not a tree/);
  });
});
