import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runAdClick } from './run-pipeline.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('the ad-click example, end to end at a small scale', () => {
  it('trains models that beat the constant click rate, registers the better one and serves it with mlsd serve', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mlsd-ad-click-'));
    dirs.push(dir);
    const summary = await runAdClick({ simulation: { users: 120, ads: 30, days: 10, impressionsPerUserDay: 6, seed: 7 }, dir: join(dir, 'run') });
    expect(summary.trainRows).toBeGreaterThan(2000);
    expect(summary.testRows).toBeGreaterThan(800);
    // The champion is the model with the lower test log loss, and it beats always predicting the training rate.
    const best = summary.models.find((m) => m.model === summary.champion)!;
    for (const m of summary.models) expect(best.logLoss).toBeLessThanOrEqual(m.logLoss);
    expect(best.logLoss).toBeLessThan(summary.baselineLogLoss);
    expect(best.rocAuc).toBeGreaterThan(0.6);
    // Served by mlsd serve from the registry alone: every test impression answered by the model, with online
    // features from the replayed history, and every click reported by its string id was accepted.
    expect(summary.served.scored).toBe(summary.testRows);
    // A loaded machine may stall the event loop: the service then sheds to the rules (overload), nothing else.
    expect(summary.served.bySource.model).toBeGreaterThan(summary.testRows / 2);
    expect(Object.keys(summary.served.fallbackReasons).filter((reason) => reason !== 'overload')).toEqual([]);
    expect(summary.served.feedbackAccepted).toBeGreaterThan(summary.testRows);
    // Calibrated enough to be used as a probability: the mean served CTR is near the observed one.
    expect(Math.abs(summary.served.meanScore - summary.served.observedRate)).toBeLessThan(0.03);
    expect(summary.served.logLoss).toBeLessThan(summary.baselineLogLoss * 1.02);
  }, 120_000);
});
