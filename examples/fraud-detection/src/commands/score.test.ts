import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineSchema, ingest, simulateTransactions, takeRows, writeTable, type ColumnTable } from '@mlsd/data';
import { HANDBOOK_SPLIT, prepareDataset, type PreparedDataset } from '../pipeline/prepare-dataset.js';
import { registerModels, trainModels, type TrainingRun } from '../pipeline/train-models.js';
import { runCommand } from '../test-support/run-command.js';
import { registerScoreCommand } from './score.js';

const ROOT = resolve(import.meta.dirname, '../../../..');
const run = promisify(execFile);

/** Runs the CLI's source as a process (`fraud ARGS`), as a user's shell would. */
async function fraud(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', '--conditions=@mlsd/source', 'examples/fraud-detection/src/cli.ts', ...args], {
      cwd: ROOT,
    });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const failed = error as { stdout: string; stderr: string; code: number };
    return { stdout: failed.stdout, stderr: failed.stderr, code: failed.code };
  }
}

let dir: string;
let input: string;
let table: ColumnTable;
let dataset: PreparedDataset;
let training: TrainingRun;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlsd-score-'));
  input = join(dir, 'tx.parquet');
  // The Handbook split's dates with the 35 days of history before them, at a small scale.
  table = simulateTransactions({ customers: 400, terminals: 800, days: 57, start: '2018-06-20', seed: 5 });
  await writeTable(table, input);
  dataset = prepareDataset(table, HANDBOOK_SPLIT);
  training = await trainModels(dataset, ['lr'], { seed: 5 });
  await registerModels(join(dir, 'out', 'registry'), dataset, training, HANDBOOK_SPLIT);
}, 300_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('fraud score', () => {
  it('writes the predictions fraud evaluate reads: `fraud score … && fraud evaluate --input OUT` through the CLI', async () => {
    const out = join(dir, 'predictions.csv');
    const scored = await fraud(['score', '--registry', join(dir, 'out'), '--input', input, '--out', out]);
    expect(scored.stderr).not.toContain('error');
    expect(scored.code).toBe(0);
    const summary = JSON.parse(scored.stdout);
    expect(summary).toMatchObject({
      model: { name: 'fraud', version: 1, aliases: ['champion'] },
      rows: table.rowCount,
      rejectedRows: 0,
      columns: ['TRANSACTION_ID', 'TX_DATETIME', 'CUSTOMER_ID', 'TX_FRAUD', 'SCORE', 'DECISION'],
      thresholds: { review: 0.5, block: 0.8 },
    });

    const evaluated = await fraud(['evaluate', '--input', out]);
    expect(evaluated.stderr).not.toContain('error');
    expect(evaluated.code).toBe(0);
    const metrics = JSON.parse(evaluated.stdout);
    expect(metrics.columns).toEqual({ label: 'TX_FRAUD', score: 'SCORE', card: 'CUSTOMER_ID', time: 'TX_DATETIME' });
    expect(metrics.rocAuc).toBeGreaterThan(0.7);
    expect(metrics.cardPrecisionAtK).not.toBeNull();

    // The file holds every transaction with the score training's own path gives it, and the service's decision rule.
    const written = await ingest(out, {
      schema: defineSchema('predictions', [
        { name: 'TRANSACTION_ID', type: 'integer', role: 'id' },
        { name: 'TX_FRAUD', type: 'label', role: 'label' },
        { name: 'SCORE', type: 'float', role: 'feature' },
        { name: 'DECISION', type: 'category', role: 'feature' },
      ]),
      onInvalidRow: 'fail',
    });
    const ids = written.table.numeric('TRANSACTION_ID');
    const scores = written.table.numeric('SCORE');
    const decision = written.table.column('DECISION');
    if (decision.type !== 'category') throw new Error('DECISION is not a category column');
    const rowOfId = new Map<number, number>();
    ids.forEach((id, row) => rowOfId.set(id, row));
    expect(rowOfId.size).toBe(table.rowCount);

    const expected = training.fitted.get('lr')!.predictProba(takeRows(dataset.X, dataset.holdout.test));
    const sourceIds = table.numeric('TRANSACTION_ID');
    const counts = { allow: 0, review: 0, block: 0 };
    for (let i = 0; i < expected.length; i++) {
      const row = rowOfId.get(sourceIds[dataset.sourceRows[dataset.holdout.test[i]!]!]!)!;
      expect(scores[row]).toBeCloseTo(expected[i]!, 12);
    }
    for (let row = 0; row < scores.length; row++) {
      const label = decision.dictionary[decision.codes[row]!] as keyof typeof counts;
      counts[label]++;
      expect(label).toBe(scores[row]! >= 0.8 ? 'block' : scores[row]! >= 0.5 ? 'review' : 'allow');
    }
    expect(summary.decisions).toEqual(counts);
  }, 300_000);

  it('writes Parquet by extension', async () => {
    const out = join(dir, 'predictions.parquet');
    const { exitCode } = await runCommand(registerScoreCommand, ['score', '--registry', join(dir, 'out'), '--input', input, '--out', out]);
    expect(exitCode).toBe(0);
    const written = await ingest(out, { schema: defineSchema('p', [{ name: 'SCORE', type: 'float', role: 'feature' }]), onInvalidRow: 'fail' });
    expect(written.table.rowCount).toBe(table.rowCount);
  }, 300_000);

  it('with --from, scores only the transactions from then on, each exactly as in the whole-file run', async () => {
    const whole = join(dir, 'whole.csv');
    const tail = join(dir, 'test-week.csv');
    const registry = join(dir, 'out');
    expect((await runCommand(registerScoreCommand, ['score', '--registry', registry, '--input', input, '--out', whole])).exitCode).toBe(0);
    const run = await runCommand(registerScoreCommand, ['score', '--registry', registry, '--input', input, '--out', tail, '--from', '2018-08-08']);
    expect(run.exitCode).toBe(0);
    const from = Date.UTC(2018, 7, 8);
    const times = table.numeric('TX_DATETIME');
    const expected = times.filter((time) => time >= from).length;
    expect(JSON.parse(run.stdout)).toMatchObject({ rows: expected, historyRows: table.rowCount - expected, from: '2018-08-08T00:00:00.000Z' });

    const schema = defineSchema('p', [
      { name: 'TRANSACTION_ID', type: 'integer', role: 'id' },
      { name: 'TX_DATETIME', type: 'timestamp', role: 'event-time' },
      { name: 'SCORE', type: 'float', role: 'feature' },
    ]);
    const all = (await ingest(whole, { schema, onInvalidRow: 'fail' })).table;
    const part = (await ingest(tail, { schema, onInvalidRow: 'fail' })).table;
    const scoreOf = new Map<number, number>();
    all.numeric('TRANSACTION_ID').forEach((id, row) => scoreOf.set(id, all.numeric('SCORE')[row]!));
    const partTimes = part.numeric('TX_DATETIME');
    part.numeric('TRANSACTION_ID').forEach((id, row) => {
      expect(partTimes[row]).toBeGreaterThanOrEqual(from);
      expect(part.numeric('SCORE')[row]).toBe(scoreOf.get(id));
    });

    const late = await runCommand(registerScoreCommand, ['score', '--registry', registry, '--input', input, '--out', tail, '--from', '2019-01-01']);
    expect(late.exitCode).toBe(1);
    expect(late.stderr).toMatch(/No transaction of .* is at or after --from 2019-01-01T00:00:00.000Z: its last is at 2018-08-1/);
  }, 300_000);

  it('names the models and aliases that exist for an unknown one, and the column a file lacks', async () => {
    const registry = join(dir, 'out', 'registry');
    const args = (model: string, file = input) => ['score', '--registry', registry, '--input', file, '--out', join(dir, 'x.csv'), '--model', model];
    const unknownModel = await runCommand(registerScoreCommand, args('frad@champion'));
    expect(unknownModel.exitCode).toBe(1);
    expect(unknownModel.stderr).toContain('No model "frad" in the registry at');
    expect(unknownModel.stderr).toContain('(models: fraud)');
    const unknownAlias = await runCommand(registerScoreCommand, args('fraud@challenger'));
    expect(unknownAlias.exitCode).toBe(1);
    expect(unknownAlias.stderr).toContain('has no alias "challenger" (aliases: champion, latest)');

    const unlabelled = join(dir, 'unlabelled.csv');
    await writeFile(unlabelled, 'TRANSACTION_ID,TX_DATETIME,CUSTOMER_ID,TERMINAL_ID,TX_AMOUNT\n1,2018-08-01 10:00:00,1,2,35.5\n');
    const missing = await runCommand(registerScoreCommand, args('fraud@champion', unlabelled));
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toMatch(/lacks the required column .*TX_FRAUD/);
  }, 300_000);
});
