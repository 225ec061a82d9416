import { describe, expect, it } from 'vitest';
import { SeededRandom } from '@mlsd/data';
import { costCurve } from '@mlsd/eval';

describe('costCurve', () => {
  it('computes the expected loss at each threshold and picks the cheapest (hand-computed)', () => {
    const labels = Uint8Array.from([1, 0, 1, 0]);
    const scores = Float64Array.from([0.9, 0.7, 0.4, 0.4]);
    const amounts = Float64Array.from([100, 50, 8, 30]);
    const curve = costCurve(labels, scores, { amounts, falseAlarmCost: 10 });
    // no alert: 108; ≥0.9: 8; ≥0.7: 8 + 10; ≥0.4: 0 + 20.
    expect(Array.from(curve.thresholds)).toEqual([Infinity, 0.9, 0.7, 0.4]);
    expect(Array.from(curve.totalCost)).toEqual([108, 8, 18, 20]);
    expect(Array.from(curve.alerts)).toEqual([0, 1, 2, 4]);
    expect(curve.bestThreshold).toBe(0.9);
    expect(curve.bestTotalCost).toBe(8);
    expect(curve.bestExpectedCost).toBe(2);
    // A flat miss cost of 5 makes alerting on 0.9 (cost 5) cheaper than nothing (10), and 0.4 costs 20.
    expect(costCurve(labels, scores, { missCost: 5, falseAlarmCost: 10 }).bestThreshold).toBe(0.9);
  });

  it('prefers the highest threshold among equal costs and equals a brute-force scan', () => {
    const random = new SeededRandom(17);
    const n = 3000;
    const labels = new Uint8Array(n);
    const scores = new Float64Array(n);
    const amounts = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      labels[i] = random.nextFloat() < 0.05 ? 1 : 0;
      scores[i] = Math.round((random.nextFloat() + 0.5 * labels[i]!) * 50) / 50;
      amounts[i] = Math.round(random.uniform(1, 200));
    }
    const curve = costCurve(labels, scores, { amounts, falseAlarmCost: 4 });
    let bestCost = Infinity;
    let bestThreshold = Infinity;
    for (const t of [Infinity, ...new Set([...scores].sort((a, b) => b - a))]) {
      let cost = 0;
      for (let i = 0; i < n; i++) {
        if (scores[i]! >= t) cost += labels[i] === 1 ? 0 : 4;
        else cost += labels[i] === 1 ? amounts[i]! : 0;
      }
      if (cost < bestCost - 1e-9) {
        bestCost = cost;
        bestThreshold = t;
      }
    }
    expect(curve.bestThreshold).toBe(bestThreshold);
    expect(curve.bestTotalCost).toBeCloseTo(bestCost, 9);
  });

  it('requires a miss cost and a valid false-alarm cost', () => {
    const labels = Uint8Array.from([1, 0]);
    const scores = Float64Array.from([0.9, 0.1]);
    expect(() => costCurve(labels, scores, { falseAlarmCost: 1 })).toThrow(/needs missCost .* or amounts/);
    expect(() => costCurve(labels, scores, { missCost: 1, falseAlarmCost: -1 })).toThrow(/falseAlarmCost is -1/);
    expect(() => costCurve(labels, scores, { amounts: Float64Array.from([1]), falseAlarmCost: 1 })).toThrow(/amounts has 1 rows but labels has 2/);
  });
});
