import { describe, expect, it } from 'vitest';
import { averagePrecision, groupPrecisionAtK, dayIndex, pooledPredictions, rocAuc, runValidation } from '@mlsd/eval';
import { OneFeatureScorer } from '../test-support/one-feature-scorer.js';
import { toyDataset } from '../test-support/toy-dataset.js';

describe('runValidation', () => {
  it('fits a fresh model per fold and records metrics, times and predictions', async () => {
    const { data, folds } = toyDataset(1);
    const created: OneFeatureScorer[] = [];
    let tick = 0;
    const result = await runValidation(
      [
        { name: 'noise', create: () => new OneFeatureScorer(1) },
        {
          name: 'signal',
          create: () => {
            const m = new OneFeatureScorer(0);
            created.push(m);
            return m;
          },
          sampleWeight: new Float64Array(data.y.length).fill(2),
        },
      ],
      data,
      folds,
      { k: 10, falseAlarmCost: 5, clock: () => (tick += 250) },
    );
    expect(result.models).toEqual(['noise', 'signal']);
    expect(result.evaluations.map((e) => `${e.model}/${e.fold}`)).toEqual([
      'noise/prequential-0',
      'noise/prequential-1',
      'signal/prequential-0',
      'signal/prequential-1',
    ]);
    expect(created).toHaveLength(2);
    expect(created[0]).not.toBe(created[1]);
    expect(created[0]!.lastFit).toEqual({ rows: 200, weighted: true });
    const e = result.evaluations[3]!;
    // The fake clock advances 250 ms per reading: each fit and predict spans one step.
    expect([e.fitSeconds, e.predictSeconds]).toEqual([0.25, 0.25]);
    expect(Array.from(e.rows)).toEqual(Array.from(folds[1]!.test));
    const labels = Uint8Array.from(e.rows, (r) => data.y[r]!);
    expect(e.metrics.rocAuc).toBe(rocAuc(labels, e.scores));
    expect(e.metrics.averagePrecision).toBe(averagePrecision(labels, e.scores));
    const days = dayIndex(Float64Array.from(e.rows, (r) => data.times![r]!));
    const cards = Float64Array.from(e.rows, (r) => data.groupIds![r]!);
    expect(e.metrics.groupPrecisionAtK).toBe(groupPrecisionAtK({ labels, scores: e.scores, groupIds: cards, days }, { k: 10 }).mean);
    expect(e.metrics.cost).not.toBeNull();
    expect(Array.from(e.featureImportance!)).toEqual([1, 0]);
    // The signal model ranks better than the noise model on every fold.
    for (let f = 0; f < 2; f++) expect(result.evaluations[2 + f]!.metrics.rocAuc!).toBeGreaterThan(result.evaluations[f]!.metrics.rocAuc! + 0.2);
    const pooled = pooledPredictions(result, 'signal');
    expect(pooled.rows.length).toBe(400);
    expect(Array.from(pooled.scores.subarray(200))).toEqual(Array.from(e.scores));
  });

  it('rejects inconsistent inputs with clear messages', async () => {
    const { data, folds } = toyDataset(2);
    const model = { name: 'a', create: () => new OneFeatureScorer(0) };
    await expect(runValidation([], data, folds)).rejects.toThrow(/at least one model/);
    await expect(runValidation([model, model], data, folds)).rejects.toThrow(/Two models are named "a"/);
    await expect(runValidation([model], { ...data, amounts: new Float64Array(3) }, folds)).rejects.toThrow(/amounts has 3 rows but y has 1200/);
    await expect(runValidation([model], data, [{ name: 'bad', train: Int32Array.from([0]), test: Int32Array.from([5000]) }])).rejects.toThrow(
      /Fold "bad" test\[0\] is row 5000, outside the 1200 rows/,
    );
    await expect(runValidation([model], data, folds, { topK: 3 } as never)).rejects.toThrow(/unknown option "topK"/);
  });
});
