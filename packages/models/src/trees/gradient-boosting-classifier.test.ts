import { describe, expect, it } from 'vitest';
import { classifierContract } from '@mlsd/models/testing';
import { denseMatrix, isMlsdError, SeededRandom, type DenseMatrix } from '@mlsd/data';
import { GradientBoostingClassifier, loadClassifier } from '@mlsd/models';
import type { CompactTree } from './index.js';
import { fitQuantileBins } from './quantile-bins.js';
import { encodeTypedArray, type EncodedTypedArray } from '../artifact/index.js';

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/** Rows of a noisy two-feature problem: P(y = 1) rises with x0 and, past 0.5, with x1. */
function noisy(n: number, seed: number): { X: DenseMatrix; y: Uint8Array } {
  const rng = new SeededRandom(seed);
  const data = new Float64Array(n * 3);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const x0 = rng.nextFloat();
    const x1 = rng.nextFloat();
    data.set([x0, x1, rng.normal()], i * 3);
    y[i] = rng.nextFloat() < sigmoid(-2 + 3 * x0 + (x1 > 0.5 ? 1.5 : 0)) ? 1 : 0;
  }
  return { X: denseMatrix(data, n, 3, ['x0', 'x1', 'noise']), y };
}

function leaves(tree: CompactTree): number {
  let count = 0;
  for (const f of tree.feature) if (f < 0) count++;
  return count;
}

classifierContract(
  'gbdt',
  (seed) => new GradientBoostingClassifier({ nRounds: 30, learningRate: 0.1, maxDepth: 4, subsample: 0.8, colsampleByNode: 0.75, seed }),
);

describe('GradientBoostingClassifier', () => {
  it('makes the hand-computed first split: leaf values −G/(H+λ) and gain ½·ΣG²/(H+λ)', async () => {
    // Base score log(2/2) = 0, so p = 0.5: g = p − y = ±0.5, h = 0.25. The best cut is between 2 and 3:
    // left G = 1, H = 0.5, right G = −1, H = 0.5; with λ = 1 the leaves are ∓1/1.5 and the gain
    // ½·(1/1.5 + 1/1.5 − 0/2) = 2/3. Feature x1 is noise that cannot separate as well.
    const X = denseMatrix(Float64Array.from([1, 5, 2, 7, 3, 6, 4, 5]), 4, 2, ['x0', 'x1']);
    const y = Uint8Array.from([0, 0, 1, 1]);
    const model = await new GradientBoostingClassifier({ nRounds: 1, learningRate: 1, maxDepth: 1, minChildWeight: 0 }).fit(X, y);
    const [tree] = model.trees;
    expect(model.baseScore).toBe(0);
    expect(Array.from(tree!.feature)).toEqual([0, -1, -1]);
    expect(tree!.threshold[0]).toBe(2.5);
    expect(tree!.value[1]).toBeCloseTo(-1 / 1.5, 12);
    expect(tree!.value[2]).toBeCloseTo(1 / 1.5, 12);
    expect(Array.from(tree!.cover)).toEqual([1, 0.5, 0.5]);
    const p = model.predictProba(X);
    [-1, -1, 1, 1].forEach((sign, row) => expect(p[row]).toBeCloseTo(sigmoid(sign / 1.5), 12));
    expect(Array.from(model.featureImportance())).toEqual([1, 0]);
  });

  it('reports the gain 2/3 of that split through the learner', async () => {
    const X = denseMatrix(Float64Array.from([1, 2, 3, 4]), 4, 1, ['x0']);
    const y = Uint8Array.from([0, 0, 1, 1]);
    const { HistogramTreeLearner, binMatrix, fitQuantileBins } = await import('./index.js');
    const bins = fitQuantileBins(X, 255);
    const learner = new HistogramTreeLearner(binMatrix(X, bins), bins, {
      maxDepth: 1,
      maxLeaves: 0,
      growPolicy: 'depthwise',
      lambda: 1,
      gamma: 0,
      minChildWeight: 0,
      minSamplesLeaf: 1,
      featuresPerSplit: 1,
      leafScale: 1,
      binaryTargets: false,
    });
    // Log loss at the initial score p = 0.5: gradient p - y, hessian p (1 - p).
    const grad = Float64Array.from(y, (label) => 0.5 - label);
    const hess = new Float64Array(4).fill(0.25);
    const tree = learner.grow(grad, hess, Int32Array.from([0, 1, 2, 3]), 4, Int32Array.from([0]), new SeededRandom(1));
    expect(tree.feature[0]).toBe(0);
    expect(learner.lastGains()[0]).toBeCloseTo(2 / 3, 12);
    // gamma above the gain forbids the split.
    const strict = new HistogramTreeLearner(binMatrix(X, bins), bins, {
      maxDepth: 1,
      maxLeaves: 0,
      growPolicy: 'depthwise',
      lambda: 1,
      gamma: 0.7,
      minChildWeight: 0,
      minSamplesLeaf: 1,
      featuresPerSplit: 1,
      leafScale: 1,
      binaryTargets: false,
    });
    const stump = strict.grow(grad, hess, Int32Array.from([0, 1, 2, 3]), 4, Int32Array.from([0]), new SeededRandom(1));
    expect(Array.from(stump.feature)).toEqual([-1]);
  });

  it('converges on a one-feature step function', async () => {
    // 200 distinct values: one bin each, so the step can be cut exactly.
    const n = 200;
    const data = new Float64Array(n);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      data[i] = i / n;
      y[i] = i / n > 0.6 ? 1 : 0;
    }
    const X = denseMatrix(data, n, 1, ['x']);
    const model = await new GradientBoostingClassifier({ nRounds: 60, maxDepth: 2, learningRate: 0.3, minChildWeight: 0 }).fit(X, y);
    const p = model.predictProba(X);
    let logLoss = 0;
    for (let i = 0; i < n; i++) logLoss -= Math.log(y[i] ? p[i]! : 1 - p[i]!);
    expect(logLoss / n).toBeLessThan(0.01);
    // The first tree cuts at the step, half-way between the last 0 (x = 0.6) and the first 1 (x = 0.605).
    expect(model.trees[0]!.threshold[0]).toBeCloseTo(0.6025, 12);
  });

  it('cuts a sharp class boundary inside a quantile bin through its label cuts (labelCuts 0: quantile bins only)', async () => {
    // 2,000 distinct values, 16 bins: a quantile bin holds ~125 of them, so only a label cut can fall at the step.
    const n = 2000;
    const data = Float64Array.from({ length: n }, (_, i) => i);
    const y = Uint8Array.from({ length: n }, (_, i) => (i > 1060 ? 1 : 0));
    const X = denseMatrix(data, n, 1, ['x']);
    const params = { nRounds: 1, maxDepth: 1, maxBins: 16, minChildWeight: 0 };
    const labelAware = await new GradientBoostingClassifier(params).fit(X, y);
    expect(Array.from(labelAware.binEdges[0]!)).toContain(1060.5);
    expect(labelAware.trees[0]!.threshold[0]).toBe(1060.5);
    const quantile = await new GradientBoostingClassifier({ ...params, labelCuts: 0 }).fit(X, y);
    expect(Array.from(quantile.binEdges[0]!)).toEqual(Array.from(fitQuantileBins(X, 16).edges[0]!));
    expect(quantile.trees[0]!.threshold[0]).not.toBe(1060.5);
  });
  it('starts from the log-odds of the weighted prior, with scalePosWeight and sampleWeight', async () => {
    const { X, y } = noisy(500, 1);
    let positives = 0;
    for (const v of y) positives += v;
    const scaled = await new GradientBoostingClassifier({ nRounds: 1, scalePosWeight: 3 }).fit(X, y);
    expect(scaled.baseScore).toBeCloseTo(Math.log((3 * positives) / (500 - positives)), 12);
    const sampleWeight = new Float64Array(500);
    let wp = 0;
    let wn = 0;
    for (let i = 0; i < 500; i++) {
      sampleWeight[i] = (i % 3) + 0.5;
      if (y[i] === 1) wp += sampleWeight[i]!;
      else wn += sampleWeight[i]!;
    }
    const weighted = await new GradientBoostingClassifier({ nRounds: 1 }).fit(X, y, { sampleWeight });
    expect(weighted.baseScore).toBeCloseTo(Math.log(wp / wn), 12);
  });

  it('treats a sample weight of 2 like a duplicated row', async () => {
    // Few distinct values, so the bins are the same for both data sets and the trees must be identical.
    const rng = new SeededRandom(5);
    const n = 300;
    const data = new Float64Array(n * 2);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      data[2 * i] = rng.nextInt(20);
      data[2 * i + 1] = rng.nextInt(7);
      y[i] = rng.nextFloat() < 0.2 + 0.03 * data[2 * i]! ? 1 : 0;
    }
    const X = denseMatrix(data, n, 2, ['a', 'b']);
    const weights = new Float64Array(n).fill(1);
    const doubledRows: number[] = [];
    for (let i = 0; i < n; i += 4) {
      weights[i] = 2;
      doubledRows.push(i);
    }
    const extra = Int32Array.from(doubledRows);
    const bigData = new Float64Array((n + extra.length) * 2);
    bigData.set(data);
    const bigY = new Uint8Array(n + extra.length);
    bigY.set(y);
    extra.forEach((row, k) => {
      bigData[2 * (n + k)] = data[2 * row]!;
      bigData[2 * (n + k) + 1] = data[2 * row + 1]!;
      bigY[n + k] = y[row]!;
    });
    const params = { nRounds: 5, maxDepth: 3 };
    const weighted = await new GradientBoostingClassifier(params).fit(X, y, { sampleWeight: weights });
    const duplicated = await new GradientBoostingClassifier(params).fit(denseMatrix(bigData, n + extra.length, 2, ['a', 'b']), bigY);
    const pw = weighted.predictProba(X);
    const pd = duplicated.predictProba(X);
    for (let i = 0; i < n; i++) expect(pw[i]).toBeCloseTo(pd[i]!, 10);
  });

  it('stops early on the validation set and keeps the best round', async () => {
    const train = noisy(400, 2);
    const validation = noisy(400, 3);
    for (const metric of ['logloss', 'average-precision'] as const) {
      const params = { nRounds: 200, maxDepth: 6, learningRate: 0.5, minChildWeight: 0, earlyStoppingRounds: 5, earlyStoppingMetric: metric };
      const model = await new GradientBoostingClassifier(params).fit(train.X, train.y, { validation });
      const { roundsTrained, bestRound, validationScores } = model.fitInfo;
      expect(roundsTrained).toBeLessThan(200);
      expect(roundsTrained - 1 - bestRound).toBe(5);
      expect(model.trees.length).toBe(bestRound + 1);
      const best = metric === 'logloss' ? Math.min(...validationScores) : Math.max(...validationScores);
      expect(validationScores[bestRound]).toBe(best);
      // The kept model is exactly the model trained for bestRound + 1 rounds.
      const plain = await new GradientBoostingClassifier({ ...params, nRounds: bestRound + 1 }).fit(train.X, train.y);
      expect(Array.from(model.predictProba(validation.X))).toEqual(Array.from(plain.predictProba(validation.X)));
    }
  });

  it('refuses average-precision early stopping on a validation set without positives', async () => {
    const train = noisy(200, 2);
    const validation = { X: train.X, y: new Uint8Array(train.X.rows) };
    await expect(
      new GradientBoostingClassifier({ nRounds: 3, earlyStoppingMetric: 'average-precision' }).fit(train.X, train.y, { validation }),
    ).rejects.toThrow(/no positive row.*earlyStoppingMetric 'logloss'/);
  });

  it('grows leaf-wise up to maxLeaves and depth-wise up to maxDepth', async () => {
    const { X, y } = noisy(2000, 4);
    const lossguide = await new GradientBoostingClassifier({ nRounds: 3, growPolicy: 'lossguide', maxLeaves: 5, maxDepth: 0, minChildWeight: 0 }).fit(X, y);
    for (const tree of lossguide.trees) expect(leaves(tree)).toBe(5);
    const depthwise = await new GradientBoostingClassifier({ nRounds: 3, maxDepth: 2, minChildWeight: 0 }).fit(X, y);
    for (const tree of depthwise.trees) expect(leaves(tree)).toBe(4);
  });

  it('is deterministic for a seed with row and column subsampling, and the seed matters', async () => {
    const { X, y } = noisy(1000, 6);
    const params = { nRounds: 10, subsample: 0.7, colsampleByTree: 0.67, colsampleByNode: 0.5, seed: 11 };
    const a = (await new GradientBoostingClassifier(params).fit(X, y)).predictProba(X);
    const b = (await new GradientBoostingClassifier(params).fit(X, y)).predictProba(X);
    const c = (await new GradientBoostingClassifier({ ...params, seed: 12 }).fit(X, y)).predictProba(X);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });

  it('learns something real: beats the prior on held-out data and ranks x0 first', async () => {
    const train = noisy(3000, 7);
    const test = noisy(3000, 8);
    const model = await new GradientBoostingClassifier({ nRounds: 50, learningRate: 0.1, maxDepth: 3 }).fit(train.X, train.y);
    const p = model.predictProba(test.X);
    let loss = 0;
    let prior = 0;
    const rate = sigmoid(model.baseScore);
    for (let i = 0; i < test.y.length; i++) {
      loss -= Math.log(test.y[i] ? p[i]! : 1 - p[i]!);
      prior -= Math.log(test.y[i] ? rate : 1 - rate);
    }
    expect(loss).toBeLessThan(0.9 * prior);
    const importance = model.featureImportance();
    expect(importance[0]).toBeGreaterThan(importance[1]!);
    expect(importance[1]).toBeGreaterThan(importance[2]!);
    expect(importance.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
  });

  it('round-trips through JSON text with identical predictions and contributions', async () => {
    const { X, y } = noisy(500, 9);
    const model = await new GradientBoostingClassifier({ nRounds: 20, subsample: 0.8, seed: 3 }).fit(X, y);
    const restored = loadClassifier(JSON.parse(JSON.stringify(model.toJSON())));
    expect(restored).toBeInstanceOf(GradientBoostingClassifier);
    expect(Array.from(restored.predictProba(X))).toEqual(Array.from(model.predictProba(X)));
    expect(Array.from(restored.contributions!(X))).toEqual(Array.from(model.contributions(X)));
    expect((restored as GradientBoostingClassifier).binEdges.map((e) => Array.from(e))).toEqual(model.binEdges.map((e) => Array.from(e)));
  });

  it('rejects unknown options and a corrupt artifact, naming what to fix', async () => {
    expect(() => new GradientBoostingClassifier({ rounds: 5 } as never)).toThrow(/unknown option "rounds".*nRounds/);
    expect(() => new GradientBoostingClassifier({ maxDepth: 0 })).toThrow(/maxLeaves/);
    const { X, y } = noisy(200, 10);
    const artifact = (await new GradientBoostingClassifier({ nRounds: 2 }).fit(X, y)).toJSON();
    const broken = structuredClone(artifact);
    const trees = (broken.state as { trees: { feature: EncodedTypedArray; left: EncodedTypedArray }[] }).trees;
    // A child index pointing back at the root would make a walk loop forever: the loader must refuse it.
    trees[0]!.left = encodeTypedArray(new Int32Array(trees[0]!.feature.length));
    expect(() => loadClassifier(broken)).toThrow(/state\.trees\[0\] has a malformed node 0/);
    try {
      loadClassifier(broken);
    } catch (error) {
      expect(isMlsdError(error, 'CORRUPT_ARTIFACT')).toBe(true);
    }
    // Nodes 1 and 2 share their children 3 and 4: every walk still ends, but it is a graph, not a tree.
    const shared = structuredClone(artifact);
    (shared.state as { trees: unknown[] }).trees[0] = {
      feature: encodeTypedArray(Int32Array.of(0, 0, 0, -1, -1)),
      threshold: encodeTypedArray(Float64Array.of(0, -1, 1, 0, 0)),
      left: encodeTypedArray(Int32Array.of(1, 3, 3, -1, -1)),
      right: encodeTypedArray(Int32Array.of(2, 4, 4, -1, -1)),
      value: encodeTypedArray(new Float64Array(5)),
      defaultLeft: encodeTypedArray(new Uint8Array(5)),
      cover: encodeTypedArray(new Float64Array(5).fill(1)),
    };
    expect(() => loadClassifier(shared)).toThrow(/state\.trees\[0\] has a malformed node 2/);
  });
});
