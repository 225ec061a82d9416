import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulateTransactions, writeTable, type ColumnTable } from '@mlsd/data';
import { FileModelRegistry } from '@mlsd/models';
import { registerTrainCommand } from './train.js';
import { runCommand } from '../test-support/run-command.js';

let dir: string;
let input: string;
let table: ColumnTable;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlsd-train-'));
  input = join(dir, 'tx.parquet');
  // The Handbook split (train 2018-07-25 + 7 days, 7 delay days, 7 test days) with 35 days of history before it.
  table = simulateTransactions({ customers: 600, terminals: 1200, days: 57, start: '2018-06-20', seed: 3 });
  await writeTable(table, input);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function rowsBetween(from: string, to: string): { rows: number; frauds: number } {
  const time = table.numeric('TX_DATETIME');
  const label = table.labels('TX_FRAUD');
  const start = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`);
  let rows = 0;
  let frauds = 0;
  for (let i = 0; i < time.length; i++) {
    if (time[i]! >= start && time[i]! < end) {
      rows++;
      frauds += label[i]!;
    }
  }
  return { rows, frauds };
}

describe('fraud train', () => {
  it('trains, scores the test week, registers every model with champion and challenger, and writes report.json', async () => {
    const out = join(dir, 'run');
    const { stdout, exitCode, stderr } = await runCommand(registerTrainCommand, [
      'train',
      '--input',
      input,
      '--out',
      out,
      '--models',
      'lr,gbdt',
      '--seed',
      '3',
    ]);
    expect(stderr).not.toMatch(/error/);
    expect(exitCode).toBe(0);
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8'));
    expect(JSON.parse(stdout)).toEqual(report);

    // The split the issue defines, counted independently from the simulated table.
    const train = rowsBetween('2018-07-25', '2018-08-01');
    const testWeek = rowsBetween('2018-08-08', '2018-08-15');
    expect(report.split).toMatchObject({ trainStart: '2018-07-25', trainRows: train.rows, trainFrauds: train.frauds });
    // Test days drop the cards already known to be compromised (many at this small scale, where 3 cards a day are
    // compromised among 600): fewer rows than the whole week.
    expect(report.split.testRows).toBeLessThan(testWeek.rows);
    expect(report.split.testRows).toBeGreaterThan(testWeek.rows / 2);

    expect(report.models.map((m: { name: string }) => m.name)).toEqual(['lr', 'gbdt']);
    for (const model of report.models) {
      for (const key of ['rocAuc', 'averagePrecision', 'cardPrecisionAt100', 'fitSeconds', 'predictSeconds']) {
        expect(typeof model[key]).toBe('number');
      }
      expect(model.rocAuc).toBeGreaterThan(0.7);
    }

    const registry = new FileModelRegistry(join(out, 'registry'));
    const versions = await registry.list('fraud');
    expect(versions).toHaveLength(2);
    const [lr, gbdt] = report.models;
    const [best, runnerUp] = lr.averagePrecision >= gbdt.averagePrecision ? [lr, gbdt] : [gbdt, lr];
    expect((await registry.load('fraud@champion')).entry.version).toBe(best.registryVersion);
    expect((await registry.load('fraud@challenger')).entry.version).toBe(runnerUp.registryVersion);
    expect(report.champion).toBe(best.name);
  }, 300_000);

  it("with --tune, chooses the upgrade models' parameters on folds before the test week and reports them with their fold spread", async () => {
    const out = join(dir, 'tuned');
    const { stdout, exitCode, stderr } = await runCommand(registerTrainCommand, [
      'train',
      '--input',
      input,
      '--out',
      out,
      '--models',
      'lr,rf',
      '--seed',
      '3',
      '--tune',
      '--budget-seconds',
      '600',
    ]);
    expect(stderr).not.toMatch(/error/);
    expect(exitCode).toBe(0);
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8'));
    expect(JSON.parse(stdout)).toEqual(report);
    // Every untuned field is still there.
    expect(Object.keys(report)).toEqual(['split', 'models', 'champion', 'challenger', 'tuning']);
    expect(report.tuning.folds.map((f: { name: string }) => f.name)).toEqual(['tuning-0', 'tuning-1', 'tuning-2', 'tuning-3']);
    // Fold 0 tests on the holdout's training week (the Handbook's validation set), the others on the weeks before.
    expect(report.tuning.folds[0].testRows).toBeLessThanOrEqual(rowsBetween('2018-07-25', '2018-08-01').rows);
    expect(report.tuning.budgetSeconds).toBe(600);
    const [lr, rf] = report.models;
    expect(lr.tuning).toBeNull();
    expect(rf.tuning).toMatchObject({ metric: 'averagePrecision', planned: 6, tried: 6, stoppedByBudget: false });
    expect(rf.tuning.candidates).toHaveLength(6);
    expect(rf.tuning.foldScores).toHaveLength(4);
    const means = rf.tuning.candidates.map((c: { mean: number }) => c.mean);
    expect(rf.tuning.mean).toBe(Math.max(...means));
    expect(rf.tuning.std).toBeGreaterThanOrEqual(0);
    const chosen = rf.tuning.candidates.find((c: { mean: number }) => c.mean === rf.tuning.mean);
    expect(rf.tuning.params).toEqual(chosen.params);
    // The registered forest has the chosen parameters.
    const registry = new FileModelRegistry(join(out, 'registry'));
    const { model } = await registry.load(`fraud/${rf.registryVersion}`);
    expect(model.params).toMatchObject(rf.tuning.params);

    // A zero budget still tries one candidate per model and says the budget stopped it.
    const quick = join(dir, 'tuned-quick');
    const zero = await runCommand(registerTrainCommand, ['train', '--input', input, '--out', quick, '--models', 'lr,rf', '--tune', '--budget-seconds', '0']);
    expect(zero.exitCode).toBe(0);
    const quickReport = JSON.parse(await readFile(join(quick, 'report.json'), 'utf8'));
    expect(quickReport.models[1].tuning).toMatchObject({ tried: 1, planned: 6, stoppedByBudget: true });
  }, 300_000);

  it('refuses an unknown model name, naming the valid ones, and a missing input file', async () => {
    const unknown = await runCommand(registerTrainCommand, ['train', '--input', input, '--out', join(dir, 'x'), '--models', 'lr,xgb']);
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toContain('Unknown model "xgb" in --models; valid names: lr, gbdt, rf, mlp.');
    const missing = await runCommand(registerTrainCommand, ['train', '--input', join(dir, 'nope.csv'), '--out', join(dir, 'y')]);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toMatch(/error: Input file ".*nope\.csv" not found/);
  });
});
