import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileModelRegistry } from '@mlsd/models';
import { runCommand } from '../test-support/run-command.js';
import { formatSummary, runDemo } from './demo.js';
import { registerEvaluateCommand } from './evaluate.js';
import { registerExperimentCommand } from './experiment.js';
import { registerScoreCommand } from './score.js';

/** The walkthrough's steps, read from its headings (`## 1. Clarify the requirements` …), not from the demo's code. */
async function walkthroughSteps(): Promise<string[]> {
  const readme = await readFile(join(import.meta.dirname, '../../README.md'), 'utf8');
  return [...readme.matchAll(/^## (\d)\. (.+)$/gm)].map((match) => match[2]!);
}

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('fraud demo (small scale, the same code path as pnpm demo)', () => {
  it('runs every step: data, features, baseline and upgrade, evaluation, registry, serving, monitoring', async () => {
    const out = await mkdtemp(join(tmpdir(), 'mlsd-demo-'));
    dirs.push(out);
    let progress = '';
    const outcome = await runDemo(
      { scale: 'small', out, seed: 0, models: 'lr,gbdt', feedbackDelayDays: 1 },
      { progressStream: { isTTY: false, write: (text: string) => (progress += text) } },
    );
    const { report, serving } = outcome;
    const summary = formatSummary(outcome);

    // Progress follows the walkthrough's seven steps, by their names there, in order, as plain lines off a terminal.
    const steps = await walkthroughSteps();
    expect(steps).toHaveLength(7);
    const headers = progress.split('\n').filter((line) => /^\[\d\/\d\] /.test(line));
    expect(headers).toEqual(steps.map((name, i) => `[${i + 1}/7] ${name}`));
    expect(progress).not.toContain(String.fromCharCode(27));

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

    // Models by their full names, never the command line's short ones.
    const labels = { lr: 'logistic regression (baseline)', gbdt: 'gradient-boosted trees' } as const;
    const championName = labels[report.champion as keyof typeof labels];
    const challengerName = labels[report.challenger as keyof typeof labels];
    expect(summary).toContain(`| ${championName}, champion |`);
    expect(summary).toContain(`| ${challengerName}, challenger |`);
    expect(summary).toContain(`Serving (champion: ${championName}, version`);
    for (const text of [summary, progress]) expect(text).not.toMatch(/\b(lr|gbdt|rf|mlp)\b/);

    // The A/B phase: the last 3 days again, half of the cards on the challenger, and fraud experiment's answer.
    const experiment = serving.experiment!;
    expect(experiment).toMatchObject({ days: 3, share: 0.5, predictionLog: join(out, 'experiment.jsonl') });
    expect(experiment.replay.errors).toBe(0);
    const { champion: championArm, challenger: challengerArm } = experiment.answer.arms;
    expect(championArm.scored + challengerArm.scored).toBe(experiment.replay.scored);
    expect(championArm.labelled + challengerArm.labelled).toBe(experiment.replay.feedbackSent);
    // Cards, not transactions, are split: each arm holds roughly half of the traffic, neither all of it.
    expect(challengerArm.scored / experiment.replay.scored).toBeGreaterThan(0.3);
    expect(challengerArm.scored / experiment.replay.scored).toBeLessThan(0.7);
    const command = await runCommand(registerExperimentCommand, ['experiment', '--log', experiment.predictionLog]);
    expect(command.exitCode).toBe(0);
    expect(JSON.parse(command.stdout)).toEqual(JSON.parse(JSON.stringify(experiment.answer)));
    expect(summary).toContain(`| champion | ${championName} | ${championArm.scored} |`);
    expect(summary).toContain(`| challenger | ${challengerName} | ${challengerArm.scored} |`);
    expect(summary).toContain(`answer          ${experiment.answer.conclusion}`);
    expect(summary).toMatch(/p-values {8}recall (\d|—)/);
    expect(progress).toContain(experiment.answer.conclusion);

    // The next commands it suggests run as printed: batch scoring of the demo's data, then its evaluation.
    const scoreLine = summary.split('\n').find((line) => line.includes('pnpm fraud score'))!;
    const [scoreArgs, evaluateArgs] = scoreLine
      .trim()
      .split(' && ')
      .map((command) => command.replace(/^pnpm fraud /, '').split(' '));
    const scoredRun = await runCommand(registerScoreCommand, scoreArgs!);
    expect(scoredRun.exitCode).toBe(0);
    expect(JSON.parse(scoredRun.stdout)).toMatchObject({
      model: { name: 'fraud', aliases: expect.arrayContaining(['champion']) },
      from: '2018-08-08T00:00:00.000Z',
    });
    // The test week and whatever the file holds after it (the small scale simulates one more day).
    expect(JSON.parse(scoredRun.stdout).rows).toBeGreaterThanOrEqual(serving.replay.scored);
    const evaluatedRun = await runCommand(registerEvaluateCommand, evaluateArgs!);
    expect(evaluatedRun.exitCode).toBe(0);
    expect(JSON.parse(evaluatedRun.stdout).averagePrecision).toBeGreaterThan(0.3);

    // The same figures as JSON, for the demo benchmark.
    const figures = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'));
    expect(figures.models.map((m: { label: string }) => m.label)).toEqual([labels.lr, labels.gbdt]);
    expect(figures.serving.replay.scored).toBe(serving.replay.scored);
    expect(figures.experiment.conclusion).toBe(experiment.answer.conclusion);
  }, 600_000);
});
