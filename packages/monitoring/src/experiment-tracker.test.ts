import { describe, expect, it } from 'vitest';
import { SeededRandom } from '@mlsd/data';
import { ExperimentTracker, twoProportionZTest } from '@mlsd/monitoring';

describe('ExperimentTracker', () => {
  it('counts fraud caught, false alarms and money saved per arm, by hand', () => {
    const tracker = new ExperimentTracker({ challengerShare: 0.5, falseAlarmCost: 5 });
    for (let i = 0; i < 3; i++) tracker.recordScored('champion');
    tracker.recordScored('challenger');
    tracker.recordLabelled('champion', 1, true, true, 100); // caught
    tracker.recordLabelled('champion', 1, false, true, 50); // missed
    tracker.recordLabelled('champion', 2, true, false, 20); // false alarm
    tracker.recordLabelled('challenger', 3, true, true, 70); // caught
    const { arms } = tracker.report();
    expect(arms.champion).toEqual({
      scored: 3,
      labelled: 3,
      frauds: 2,
      fraudCaught: 1,
      fraudMissed: 1,
      falseAlarms: 1,
      recall: 0.5,
      falseAlarmRate: 1,
      moneySaved: 100 - 5,
    });
    expect(arms.challenger.recall).toBe(1);
    expect(arms.challenger.falseAlarmRate).toBeNull();
    expect(arms.challenger.moneySaved).toBe(70);
  });

  it('finds a better challenger significant when cards are independent, and equal arms not', () => {
    const better = new ExperimentTracker({ challengerShare: 0.5 });
    const equal = new ExperimentTracker({ challengerShare: 0.5 });
    for (let i = 0; i < 200; i++) {
      better.recordLabelled('champion', i, i < 80, true, 10); // recall 0.4, one fraud per card
      better.recordLabelled('challenger', 1000 + i, i < 140, true, 10); // recall 0.7
      equal.recordLabelled('champion', i, i % 2 === 0, true, 10);
      equal.recordLabelled('challenger', 1000 + i, i % 2 === 1, true, 10);
    }
    const report = better.report();
    expect(report.tests.recall.pValue).toBeLessThan(1e-6);
    expect(report.conclusion).toMatch(/challenger recall higher/);
    expect(equal.report().tests.recall.pValue).toBeCloseTo(1, 6);
    expect(equal.report().conclusion).toMatch(/recall: no significant difference/);
  });

  it('tests at the card level: a burst of frauds on a few cards is not significant evidence', () => {
    // 10 cards per arm, 10 frauds each, every card's frauds all caught or all missed: 60/100 vs 40/100.
    // Per transaction that is p = 0.0047; per card (the randomisation unit) z = 0.2 / √(2 · 0.02667) = 0.866.
    const tracker = new ExperimentTracker({ challengerShare: 0.5 });
    for (let card = 0; card < 10; card++) {
      for (let k = 0; k < 10; k++) {
        tracker.recordLabelled('champion', card, card < 6, true, 1);
        tracker.recordLabelled('challenger', 100 + card, card < 4, true, 1);
      }
    }
    const test = tracker.report().tests.recall;
    expect(test.difference).toBeCloseTo(-0.2, 12);
    expect(test.z).toBeCloseTo(-0.2 / Math.sqrt(2 * ((10 / 100 ** 2) * (240 / 9))), 10);
    expect(test.pValue).toBeCloseTo(0.386, 3);
    expect(test.approximationValid).toBe(false); // only 10 cards per arm
  });

  it('keeps its 5 % false-positive rate on card-clustered frauds, where the per-transaction test does not', () => {
    // Identical arms; each card's frauds are all likely caught (0.9) or all likely missed (0.2): strong clustering.
    const rng = new SeededRandom(2024);
    let clusteredRejections = 0;
    let naiveRejections = 0;
    const replicates = 200;
    for (let rep = 0; rep < replicates; rep++) {
      const tracker = new ExperimentTracker({ challengerShare: 0.5 });
      for (const arm of ['champion', 'challenger'] as const) {
        for (let card = 0; card < 150; card++) {
          const catchRate = rng.nextFloat() < 0.5 ? 0.9 : 0.2;
          const frauds = 1 + rng.poisson(4);
          for (let k = 0; k < frauds; k++) tracker.recordLabelled(arm, card, rng.nextFloat() < catchRate, true, 1);
        }
      }
      const { tests, arms } = tracker.report();
      if (tests.recall.pValue < 0.05) clusteredRejections++;
      const a = arms.champion;
      const b = arms.challenger;
      if (twoProportionZTest(a.fraudCaught, a.frauds, b.fraudCaught, b.frauds).pValue < 0.05) naiveRejections++;
    }
    // Binomial(200, 0.05) stays below 18 with probability > 0.99; the naive test rejects far more often.
    expect(clusteredRejections).toBeLessThan(18);
    expect(naiveRejections).toBeGreaterThan(2 * clusteredRejections);
  });
});

describe('ExperimentTracker options', () => {
  it('rejects unknown options, a missing or out-of-range share and a bad alpha, naming the option', () => {
    expect(() => new ExperimentTracker({ challengerShare: 0.2, share: 1 } as never)).toThrow(
      /unknown option "share".*challengerShare, seed, falseAlarmCost, alpha/,
    );
    expect(() => new ExperimentTracker({} as never)).toThrow(/"challengerShare" is required/);
    expect(() => new ExperimentTracker({ challengerShare: 2 })).toThrow(/challengerShare/);
    expect(() => new ExperimentTracker({ challengerShare: 0.5, alpha: 1 })).toThrow(/alpha/);
  });
});
