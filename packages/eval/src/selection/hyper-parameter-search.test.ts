import { describe, expect, it } from 'vitest';
import type { DenseMatrix } from '@mlsd/data';
import type { Classifier, ModelArtifact } from '@mlsd/models';
import { gridPoints, randomPoints, searchHyperParameters, type ParamValue } from '@mlsd/eval';
import { toyDataset } from '../test-support/toy-dataset.js';

/** Scores `sign · x[column]` squashed to (0, 1): on the toy data the best is column 0 (signal), sign +1. */
class FixedScorer implements Classifier {
  readonly kind = 'fixed-scorer';
  isFitted = false;
  featureNames: readonly string[] = [];
  constructor(readonly params: Readonly<Record<string, ParamValue>>) {}
  async fit(X: DenseMatrix): Promise<this> {
    this.featureNames = X.featureNames;
    this.isFitted = true;
    return this;
  }
  predictProba(X: DenseMatrix): Float64Array {
    const column = this.params.column as number;
    const sign = this.params.sign as number;
    return Float64Array.from({ length: X.rows }, (_, r) => 1 / (1 + Math.exp(-sign * X.data[r * X.cols + column]!)));
  }
  toJSON(): ModelArtifact {
    return { schemaVersion: 1, libraryVersion: '0.1.0', kind: this.kind, params: this.params, featureNames: this.featureNames, state: {} };
  }
}

const SPACE = { column: [1, 0], sign: [-1, 1] };

describe('searchHyperParameters', () => {
  it('grid search tries every combination in order and picks the known best', async () => {
    const { data, folds } = toyDataset(3, 8, 200, 150, 3);
    const result = await searchHyperParameters((p) => new FixedScorer(p), SPACE, data, folds, { strategy: 'grid' });
    expect(result.candidates.map((c) => c.params)).toEqual([
      { column: 1, sign: -1 },
      { column: 1, sign: 1 },
      { column: 0, sign: -1 },
      { column: 0, sign: 1 },
    ]);
    expect(result.best.params).toEqual({ column: 0, sign: 1 });
    expect([result.planned, result.tried, result.stoppedByBudget]).toEqual([4, 4, false]);
    expect(result.folds).toEqual(['prequential-0', 'prequential-1', 'prequential-2']);
    for (const c of result.candidates) {
      expect(c.foldScores).toHaveLength(3);
      const scores = c.foldScores as number[];
      const mean = scores.reduce((s, v) => s + v, 0) / 3;
      expect(c.mean).toBeCloseTo(mean, 12);
      expect(c.std).toBeCloseTo(Math.sqrt(scores.reduce((s, v) => s + (v - mean) ** 2, 0) / 3), 12);
    }
    expect(result.best.mean!).toBeGreaterThan(0.3);
  });

  it('random search is deterministic by seed, draws distinct points and finds the best of a small grid', async () => {
    const { data, folds } = toyDataset(4);
    const a = await searchHyperParameters((p) => new FixedScorer(p), SPACE, data, folds, { strategy: 'random', candidates: 10, seed: 7 });
    const b = await searchHyperParameters((p) => new FixedScorer(p), SPACE, data, folds, { strategy: 'random', candidates: 10, seed: 7 });
    const withoutTimes = (r: typeof a) => r.candidates.map(({ fitSeconds: _, ...rest }) => rest);
    expect(withoutTimes(a)).toEqual(withoutTimes(b));
    expect(a.tried).toBe(4); // the grid has 4 points: all tried
    expect(a.best.params).toEqual({ column: 0, sign: 1 });
    const space = { alpha: { min: 1e-4, max: 1, log: true }, depth: { min: 2, max: 9, integer: true }, criterion: ['gini', 'entropy'] };
    const p1 = randomPoints(space, 30, 1);
    expect(randomPoints(space, 30, 1)).toEqual(p1);
    expect(randomPoints(space, 30, 2)).not.toEqual(p1);
    expect(new Set(p1.map((p) => JSON.stringify(p))).size).toBe(30);
    for (const p of p1) {
      expect(p.alpha as number).toBeGreaterThanOrEqual(1e-4);
      expect(p.alpha as number).toBeLessThanOrEqual(1);
      expect(Number.isInteger(p.depth)).toBe(true);
      expect(['gini', 'entropy']).toContain(p.criterion);
    }
  });

  it('stops launching candidates past the budget and returns the best so far', async () => {
    const { data, folds } = toyDataset(5);
    let now = 0;
    // Each clock reading advances 100 ms: a candidate (2 folds) spans several readings.
    const result = await searchHyperParameters((p) => new FixedScorer(p), SPACE, data, folds, {
      budgetSeconds: 0.5,
      clock: () => (now += 100),
    });
    expect(result.stoppedByBudget).toBe(true);
    expect(result.planned).toBe(4);
    expect(result.tried).toBeGreaterThanOrEqual(1);
    expect(result.tried).toBeLessThan(4);
    expect(result.candidates).toHaveLength(result.tried);
    expect(result.best.params).toEqual(result.candidates.reduce((b, c) => (c.mean! > b.mean! ? c : b)).params);
    // A zero budget still runs the first candidate.
    const zero = await searchHyperParameters((p) => new FixedScorer(p), SPACE, data, folds, { budgetSeconds: 0 });
    expect([zero.tried, zero.stoppedByBudget]).toEqual([1, true]);
  });

  it('rejects bad spaces and options naming the field', async () => {
    const { data, folds } = toyDataset(6);
    expect(() => gridPoints({ depth: { min: 1, max: 3 } })).toThrow(/Grid search needs a list of values for "depth"/);
    expect(() => gridPoints({ depth: [] })).toThrow(/"depth" has no values/);
    expect(() => randomPoints({ lr: { min: 0, max: 1, log: true } }, 3, 0)).toThrow(/Range of "lr".*min > 0/);
    await expect(searchHyperParameters((p) => new FixedScorer(p), SPACE, data, folds, { metric: 'auc' as never })).rejects.toThrow(/metric is "auc"/);
    await expect(searchHyperParameters((p) => new FixedScorer(p), SPACE, data, folds, { candidates: 0, strategy: 'random' })).rejects.toThrow(
      /candidates is 0/,
    );
    await expect(searchHyperParameters((p) => new FixedScorer(p), SPACE, data, folds, { budget: 3 } as never)).rejects.toThrow(/budget/);
  });
});
