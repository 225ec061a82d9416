import { describe, expect, it } from 'vitest';
import { classifierContract } from '@mlsd/models/testing';
import { denseMatrix, SeededRandom, type DenseMatrix } from '@mlsd/data';
import { loadClassifier, RandomForestClassifier } from '@mlsd/models';

/** XOR of two thresholds plus two noise features: no single split helps, two levels solve it. */
function xor(n: number, seed: number, flipRate = 0): { X: DenseMatrix; y: Uint8Array } {
  const rng = new SeededRandom(seed);
  const data = new Float64Array(n * 4);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const a = rng.nextFloat();
    const b = rng.nextFloat();
    data.set([a, b, rng.nextFloat(), rng.normal()], i * 4);
    const label = a > 0.5 !== b > 0.5 ? 1 : 0;
    y[i] = rng.nextFloat() < flipRate ? 1 - label : label;
  }
  return { X: denseMatrix(data, n, 4, ['a', 'b', 'noise1', 'noise2']), y };
}

function accuracy(p: Float64Array, y: Uint8Array): number {
  let right = 0;
  for (let i = 0; i < y.length; i++) if ((p[i]! > 0.5 ? 1 : 0) === y[i]) right++;
  return right / y.length;
}

// 100 trees (the default is 50): the permutation check compares two forests, whose spread shrinks with more trees.
classifierContract('random-forest', (seed) => new RandomForestClassifier({ nTrees: 100, seed }), { rawOutput: 'probability' });

describe('RandomForestClassifier', () => {
  it('defaults to the size chosen on five data sets (bench/results/runs/2026-12-05T12-09-forest-evidence.json)', () => {
    expect(new RandomForestClassifier().params).toMatchObject({
      nTrees: 50,
      maxDepth: 14,
      labelCuts: 16,
      maxFeatures: 6,
      minSamplesLeaf: 1,
      bootstrap: true,
      maxSamples: 1,
    });
  });

  it('solves XOR, where no single split helps', async () => {
    const train = xor(2000, 1);
    const test = xor(2000, 2);
    const forest = await new RandomForestClassifier({ nTrees: 30, seed: 1 }).fit(train.X, train.y);
    expect(accuracy(forest.predictProba(test.X), test.y)).toBeGreaterThan(0.95);
    const importance = forest.featureImportance();
    expect(importance[0]! + importance[1]!).toBeGreaterThan(0.6);
  });

  it('without bootstrap and with every feature a candidate, leaves hold exact positive fractions', async () => {
    // x = 0, 0, 0, 1, 1 with labels 0, 1, 1, 1, 1: a depth-1 tree splits x and its leaves are 2/3 and 1.
    const X = denseMatrix(Float64Array.from([0, 0, 0, 1, 1]), 5, 1, ['x']);
    const y = Uint8Array.from([0, 1, 1, 1, 1]);
    const forest = await new RandomForestClassifier({ nTrees: 3, bootstrap: false, maxFeatures: 'all' }).fit(X, y);
    expect(Array.from(forest.predictProba(X))).toEqual([2 / 3, 2 / 3, 2 / 3, 1, 1]);
    expect(Array.from(forest.trees[0]!.cover)).toEqual([5, 3, 2]);
  });

  it('weights rows by class weight: leaf values become weighted positive fractions', async () => {
    const X = denseMatrix(Float64Array.from([0, 0, 0, 1, 1]), 5, 1, ['x']);
    const y = Uint8Array.from([0, 1, 1, 0, 0]);
    const forest = await new RandomForestClassifier({
      nTrees: 1,
      bootstrap: false,
      maxFeatures: 'all',
      classWeight: { negative: 1, positive: 3 },
    }).fit(X, y);
    // Left leaf: 1 negative (weight 1), 2 positives (weight 3 each): 6/7. Right leaf: only negatives: 0.
    const p = forest.predictProba(X);
    expect(p[0]).toBeCloseTo(6 / 7, 12);
    expect(p[4]).toBe(0);
  });

  it('respects minSamplesLeaf and maxDepth', async () => {
    const { X, y } = xor(1000, 3, 0.1);
    const forest = await new RandomForestClassifier({ nTrees: 5, minSamplesLeaf: 40, bootstrap: false, seed: 2 }).fit(X, y);
    for (const tree of forest.trees) {
      // Without bootstrap the cover of a leaf is its row count.
      for (let n = 0; n < tree.feature.length; n++) if (tree.feature[n]! < 0) expect(tree.cover[n]).toBeGreaterThanOrEqual(40);
    }
    const shallow = await new RandomForestClassifier({ nTrees: 5, maxDepth: 2 }).fit(X, y);
    for (const tree of shallow.trees) expect(tree.feature.length).toBeLessThanOrEqual(7);
  });

  it('is deterministic for a seed, the seed matters, and JSON round-trips exactly', async () => {
    const { X, y } = xor(600, 4, 0.05);
    const a = await new RandomForestClassifier({ nTrees: 8, seed: 5 }).fit(X, y);
    const b = await new RandomForestClassifier({ nTrees: 8, seed: 5 }).fit(X, y);
    const c = await new RandomForestClassifier({ nTrees: 8, seed: 6 }).fit(X, y);
    expect(Array.from(a.predictProba(X))).toEqual(Array.from(b.predictProba(X)));
    expect(Array.from(a.predictProba(X))).not.toEqual(Array.from(c.predictProba(X)));
    const restored = loadClassifier(JSON.parse(JSON.stringify(a.toJSON())));
    expect(restored).toBeInstanceOf(RandomForestClassifier);
    expect(Array.from(restored.predictProba(X))).toEqual(Array.from(a.predictProba(X)));
  });

  it('splits exactly at a sharp class boundary inside a quantile bin, thanks to its label cuts', async () => {
    // Amounts in cents on [0, 300), fraud above 220.004; few bins make the boundary fall inside one.
    const rng = new SeededRandom(11);
    const n = 4000;
    const data = new Float64Array(n * 2);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const amount = Math.round(rng.uniform(0, 300) * 100) / 100;
      data.set([amount, rng.normal()], i * 2);
      y[i] = amount > 220.004 ? 1 : 0;
    }
    const X = denseMatrix(data, n, 2, ['amount', 'noise']);
    const withCuts = await new RandomForestClassifier({ nTrees: 10, maxBins: 8, maxFeatures: 'all', seed: 1 }).fit(X, y);
    const quantileOnly = await new RandomForestClassifier({ nTrees: 10, maxBins: 8, maxFeatures: 'all', labelCuts: 0, seed: 1 }).fit(X, y);
    expect(accuracy(withCuts.predictProba(X), y)).toBe(1);
    expect(accuracy(quantileOnly.predictProba(X), y)).toBeLessThan(1);
    expect(() => new RandomForestClassifier({ labelCuts: 254 })).toThrow(/labelCuts/);
  });

  it('rejects an invalid maxFeatures, naming the valid values', () => {
    expect(() => new RandomForestClassifier({ maxFeatures: 'half' as never })).toThrow(/"sqrt", "log2", "all" or an integer >= 1/);
    expect(() => new RandomForestClassifier({ trees: 3 } as never)).toThrow(/Valid options: nTrees/);
  });
});
