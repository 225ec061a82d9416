import { describe, expect, it } from 'vitest';
import { LiveQuality } from '@mlsd/monitoring';

describe('LiveQuality', () => {
  it('computes AP, recall and precision at the review threshold by hand', () => {
    const quality = new LiveQuality();
    // Ranked by score: fraud, genuine, fraud, genuine -> AP = (1/1 + 2/3) / 2.
    quality.recordLabelled(0.9, true, true);
    quality.recordLabelled(0.8, true, false);
    quality.recordLabelled(0.7, false, true);
    quality.recordLabelled(0.1, false, false);
    const report = quality.report();
    expect(report.averagePrecision).toBeCloseTo((1 + 2 / 3) / 2, 12);
    expect(report.recallAtReview).toBe(0.5); // one of two frauds flagged
    expect(report.precisionAtReview).toBe(0.5); // one of two flagged was fraud
    expect(report.windowFrauds).toBe(2);
  });

  it('is null until both classes are seen, and forgets labels older than the window', () => {
    const quality = new LiveQuality({ window: 2 });
    quality.recordLabelled(0.9, true, true);
    expect(quality.report().averagePrecision).toBeNull();
    quality.recordLabelled(0.2, false, false);
    quality.recordLabelled(0.3, false, false); // pushes the fraud out
    const report = quality.report();
    expect(report.windowLabelled).toBe(2);
    expect(report.labelled).toBe(3);
    expect(report.recallAtReview).toBeNull();
    expect(report.averagePrecision).toBeNull();
  });

  it('tracks fallback and alert rates over the last scored transactions', () => {
    const quality = new LiveQuality({ rateWindow: 4 });
    expect(quality.report().fallbackRate).toBeNull();
    quality.recordScored(true, true);
    quality.recordScored(false, false);
    expect(quality.report().fallbackRate).toBe(0.5);
    for (let i = 0; i < 4; i++) quality.recordScored(false, i === 0);
    const report = quality.report();
    expect(report.fallbackRate).toBe(0); // the fallback answer left the 4-event window
    expect(report.alertRate).toBe(0.25);
    expect(report.scored).toBe(6);
  });
});

describe('LiveQuality options', () => {
  it('rejects unknown options and empty windows', () => {
    expect(() => new LiveQuality({ size: 5 } as never)).toThrow(/unknown option "size".*window, rateWindow/);
    expect(() => new LiveQuality({ window: 0 })).toThrow(/window/);
  });
});
