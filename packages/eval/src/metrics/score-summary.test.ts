import { describe, expect, it } from 'vitest';
import { summarizeScores } from '@mlsd/eval';

describe('summarizeScores', () => {
  const labels = Uint8Array.from([0, 0, 1, 1]);
  const scores = Float64Array.from([0.1, 0.4, 0.35, 0.8]);

  it('gathers every metric, with the scikit-learn example values', () => {
    const s = summarizeScores(
      { labels, scores, groupIds: Float64Array.from([1, 2, 3, 4]), days: new Float64Array(4), amounts: Float64Array.from([10, 10, 50, 80]) },
      { k: 2, maxFpr: 0.5, falseAlarmCost: 1 },
    );
    expect(s.rows).toBe(4);
    expect(s.positives).toBe(2);
    expect(s.rocAuc).toBe(0.75);
    expect(s.averagePrecision).toBeCloseTo(5 / 6, 15);
    expect(s.precisionAtK).toBe(0.5);
    expect(s.groupPrecisionAtK).toBe(0.5); // one day, cards 4 (+) and 2 (−) on top
    expect(s.recallAtFpr).toBe(1);
    expect(s.brier).toBeCloseTo((0.01 + 0.16 + 0.4225 + 0.04) / 4, 15);
    // Alerting on ≥ 0.35 catches both frauds for one false alarm: cost 1 vs 130 without alerts.
    expect(s.cost).toEqual({ threshold: 0.35, totalCost: 1, expectedCost: 0.25, noAlertCost: 130 });
    expect(s.notes).toEqual([]);
  });

  it('returns null with a reason for metrics undefined on the data', () => {
    const s = summarizeScores({ labels: Uint8Array.from([0, 0, 0]), scores: Float64Array.from([2, -1, 0.5]) });
    expect([s.rocAuc, s.averagePrecision, s.recallAtFpr, s.groupPrecisionAtK, s.logLoss, s.brier, s.cost]).toEqual([null, null, null, null, null, null, null]);
    expect(s.notes.join('\n')).toMatch(/only one class.*\n.*group precision@k needs groupIds and days\n.*scores\[0\] is 2, not a probability/);
    expect(() => summarizeScores({ labels: new Uint8Array(0), scores: new Float64Array(0) })).toThrow(/No rows to evaluate/);
  });
});
