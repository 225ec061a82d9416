import { describe, expect, it } from 'vitest';
import { ExperimentTracker } from '@mlsd/serving';

describe('ExperimentTracker', () => {
  it('counts fraud caught, false alarms and money saved per arm, by hand', () => {
    const tracker = new ExperimentTracker({ challengerShare: 0.5, falseAlarmCost: 5 });
    for (let i = 0; i < 3; i++) tracker.recordScored('champion');
    tracker.recordScored('challenger');
    tracker.recordLabelled('champion', true, true, 100); // caught
    tracker.recordLabelled('champion', false, true, 50); // missed
    tracker.recordLabelled('champion', true, false, 20); // false alarm
    tracker.recordLabelled('challenger', true, true, 70); // caught
    const { arms } = tracker.report();
    expect(arms.champion).toEqual({
      scored: 3, labelled: 3, frauds: 2, fraudCaught: 1, fraudMissed: 1, falseAlarms: 1,
      recall: 0.5, falseAlarmRate: 1, moneySaved: 100 - 5,
    });
    expect(arms.challenger.recall).toBe(1);
    expect(arms.challenger.falseAlarmRate).toBeNull();
    expect(arms.challenger.moneySaved).toBe(70);
  });

  it('finds a better challenger significant, and equal arms not', () => {
    const better = new ExperimentTracker({ challengerShare: 0.5 });
    const equal = new ExperimentTracker({ challengerShare: 0.5 });
    for (let i = 0; i < 200; i++) {
      better.recordLabelled('champion', i < 80, true, 10); // recall 0.4
      better.recordLabelled('challenger', i < 140, true, 10); // recall 0.7
      equal.recordLabelled('champion', i % 2 === 0, true, 10);
      equal.recordLabelled('challenger', i % 2 === 1, true, 10);
    }
    const report = better.report();
    expect(report.tests.recall.pValue).toBeLessThan(1e-6);
    expect(report.conclusion).toMatch(/challenger recall higher/);
    expect(equal.report().tests.recall.pValue).toBeCloseTo(1, 6);
    expect(equal.report().conclusion).toMatch(/recall: no significant difference/);
  });
});
