import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileModelRegistry } from '@mlsd/models';
import { formatSummary, runDemo } from './demo.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('fraud demo (small scale, the same code path as pnpm demo)', () => {
  it('runs every step: data, features, baseline and upgrade, evaluation, registry, serving, monitoring', async () => {
    const out = await mkdtemp(join(tmpdir(), 'mlsd-demo-'));
    dirs.push(out);
    const outcome = await runDemo({ scale: 'small', out, seed: 0, models: 'lr,gbdt', feedbackDelayDays: 1 }, { quiet: true });
    const { report, serving } = outcome;

    // Data and split: the Handbook's weeks, every simulated row accepted.
    expect(report.split).toMatchObject({ trainStart: '2018-07-25', trainDays: 7, delayDays: 7, testDays: 7 });
    expect(report.split.trainRows).toBeGreaterThan(5000);
    expect(report.split.trainFrauds).toBeGreaterThan(0);
    expect(report.split.testFrauds).toBeGreaterThan(0);

    // Models: baseline first, both far better than chance on the test week; champion = best average precision.
    expect(report.models.map((m) => m.name)).toEqual(['lr', 'gbdt']);
    for (const model of report.models) {
      expect(model.rocAuc).toBeGreaterThan(0.7);
      expect(model.averagePrecision).toBeGreaterThan(0.3);
    }
    const best = [...report.models].sort((a, b) => (b.averagePrecision ?? 0) - (a.averagePrecision ?? 0))[0]!;
    expect(report.champion).toBe(best.name);
    expect(report.models[0]!.versusBaseline).toBeNull();
    expect(report.models[1]!.versusBaseline?.averagePrecision.lower).toBeLessThanOrEqual(report.models[1]!.versusBaseline!.averagePrecision.estimate);

    // Registry: one version per model, aliases where the report says.
    const registry = new FileModelRegistry(join(out, 'registry'));
    const champion = await registry.load('fraud@champion');
    expect(champion.entry.version).toBe(report.models.find((m) => m.name === report.champion)!.registryVersion);
    expect((await registry.list('fraud')).length).toBe(2);

    // Serving: the whole test week answered, every label fed back, the model answering most of it.
    expect(serving.replay.errors).toBe(0);
    expect(serving.replay.scored).toBeGreaterThan(report.split.testRows);
    expect(serving.replay.feedbackSent).toBe(serving.replay.scored);
    expect(serving.replay.bySource.model + serving.replay.bySource.fallback).toBe(serving.replay.scored);
    expect(serving.replay.bySource.model).toBeGreaterThan(serving.replay.scored / 2);

    // Monitoring: live quality from the fed-back labels; drift reported over the window.
    expect(serving.monitoring.quality.labelled).toBe(serving.replay.scored);
    expect(serving.monitoring.quality.averagePrecision).toBeGreaterThan(0.3);
    expect(serving.monitoring.drift.ready).toBe(true);

    // Files a learner opens next.
    const html = await readFile(outcome.paths.html, 'utf8');
    expect(html.match(/<svg/g)?.length ?? 0).toBeGreaterThanOrEqual(4);
    const logLines = (await readFile(serving.predictionLog, 'utf8')).trim().split('\n');
    expect(logLines.length).toBe(serving.replay.scored + serving.replay.feedbackSent);
    expect(formatSummary(outcome)).toContain(`${report.champion} (champion)`);
  }, 600_000);
});
