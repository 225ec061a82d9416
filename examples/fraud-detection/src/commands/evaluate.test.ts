import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { averagePrecision, brierScore, groupPrecisionAtK, dayIndex, logLoss, rocAuc } from '@mlsd/eval';
import { evaluatePredictions, registerEvaluateCommand } from './evaluate.js';
import { runCommand, type CommandRun } from '../test-support/run-command.js';

/** Runs `fraud evaluate ARGS` in process with only that command registered. */
function runEvaluate(args: string[]): Promise<CommandRun> {
  return runCommand(registerEvaluateCommand, ['evaluate', ...args]);
}

const dir = mkdtempSync(join(tmpdir(), 'mlsd-evaluate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Two days, four cards; scores are probabilities with a tie.
const rows = [
  [1, '2018-04-01 08:00:00', 1, 0.9, 0],
  [2, '2018-04-01 09:30:00', 1, 0.2, 1],
  [3, '2018-04-01 10:00:00', 2, 0.8, 0],
  [4, '2018-04-01 23:59:59', 3, 0.1, 1],
  [5, '2018-04-02 00:00:00', 1, 0.95, 1],
  [6, '2018-04-02 12:00:00', 2, 0.3, 1],
  [7, '2018-04-02 13:00:00', 3, 0.6, 0],
  [8, '2018-04-02 14:00:00', 4, 0.6, 1],
] as const;
const csv = join(dir, 'predictions.csv');
writeFileSync(csv, `TRANSACTION_ID,TX_DATETIME,CUSTOMER_ID,SCORE,TX_FRAUD\n${rows.map((r) => r.join(',')).join('\n')}\n`);

const labels = Uint8Array.from(rows, (r) => r[4]);
const scores = Float64Array.from(rows, (r) => r[3]);
const cards = Float64Array.from(rows, (r) => r[2]);
const days = dayIndex(Float64Array.from(rows, (r) => Date.parse(`${r[1].replace(' ', 'T')}Z`)));

describe('fraud evaluate', () => {
  it('prints the metrics of a predictions CSV as JSON (end to end through the CLI)', async () => {
    const { stdout, stderr, exitCode } = await runEvaluate(['--predictions', csv, '--k', '2']);
    expect(exitCode).toBe(0);
    expect(stderr).toContain('evaluate: reading');
    const out = JSON.parse(stdout);
    expect(out.rows).toBe(8);
    expect(out.positives).toBe(5);
    expect(out.rocAuc).toBeCloseTo(rocAuc(labels, scores), 12);
    expect(out.averagePrecision).toBeCloseTo(averagePrecision(labels, scores), 12);
    expect(out.logLoss).toBeCloseTo(logLoss(labels, scores), 12);
    expect(out.brier).toBeCloseTo(brierScore(labels, scores), 12);
    // Day 1: card 1 (max 0.9, fraud) and card 2 in the top 2 → 1/2; day 2: card 1 dropped, cards 3 and 4 tie at
    // 0.6 and card 3 (lower id, genuine) ranks first → top 2 = {3, 4} → 1/2.
    expect(out.cardPrecisionAtK).toBe(0.5);
    expect(out.cardPrecisionAtK).toBe(groupPrecisionAtK({ labels, scores, groupIds: cards, days }, { k: 2 }).mean);
    expect(out.columns).toEqual({ label: 'TX_FRAUD', score: 'SCORE', card: 'CUSTOMER_ID', time: 'TX_DATETIME' });
  });

  it('fails with a clear message and a non-zero exit code on a bad file', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'TX_FRAUD,SCORE\n0,0.1\n2,0.3\n');
    const failure = await runEvaluate(['--predictions', bad]);
    expect(failure.exitCode).toBe(1);
    expect(failure.stdout).toBe('');
    expect(failure.stderr).toMatch(/^error: .*line 3.*TX_FRAUD/m);
    expect(failure.stderr).not.toMatch(/\n\s+at /);
    const missing = await runEvaluate(['--predictions', join(dir, 'nope.csv')]);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toMatch(/^error: .*nope\.csv/m);
    const badK = await runEvaluate(['--predictions', bad, '--k', '0']);
    expect(badK.exitCode).toBe(1);
    expect(badK.stderr).toMatch(/--k.*whole number >= 1/);
    const none = await runEvaluate(['--k', '2']);
    expect(none.exitCode).toBe(1);
    expect(none.stderr).toContain('needs the predictions file: --predictions FILE (or --input FILE)');
    const two = await runEvaluate(['--predictions', csv, '--input', bad]);
    expect(two.exitCode).toBe(1);
    expect(two.stderr).toContain('name different files');
  });

  it('takes the file as --input too, the name the other commands use', async () => {
    const byInput = await runEvaluate(['--input', csv, '--k', '2']);
    expect(byInput.exitCode).toBe(0);
    expect(JSON.parse(byInput.stdout)).toEqual(JSON.parse((await runEvaluate(['--predictions', csv, '--k', '2'])).stdout));
  });

  it('works without card and time columns, leaving Card Precision@k null with a note', async () => {
    const plain = join(dir, 'plain.csv');
    writeFileSync(plain, 'label,p\n0,0.1\n0,0.4\n1,0.35\n1,0.8\n');
    const out = await evaluatePredictions({ predictions: plain, labelCol: 'label', scoreCol: 'p', cardCol: 'CUSTOMER_ID', timeCol: 'TX_DATETIME', k: 2 });
    expect(out.rocAuc).toBe(0.75); // scikit-learn's documented example
    expect(out.averagePrecision).toBeCloseTo(5 / 6, 15);
    expect(out.cardPrecisionAtK).toBeNull();
    expect(out.notes.join(' ')).toMatch(/group precision@k needs groupIds and days/);
  });
});
