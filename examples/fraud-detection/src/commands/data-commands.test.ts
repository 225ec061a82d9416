import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ingest, TRANSACTION_SCHEMA } from '@mlsd/data';
import { registerIngestCommand } from './ingest.js';
import { registerSimulateCommand } from './simulate.js';
import { runCommand, type CommandRun } from '../test-support/run-command.js';

/** Runs `fraud ARGS` in process with only the data commands registered. */
function run(args: string[]): Promise<CommandRun> {
  return runCommand((program) => {
    registerSimulateCommand(program);
    registerIngestCommand(program);
  }, args);
}

const dir = mkdtempSync(join(tmpdir(), 'mlsd-data-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('fraud simulate / fraud ingest', () => {
  it('simulates to CSV, then ingests it (with one broken row appended) to Parquet with a rejects file', async () => {
    const csv = join(dir, 'tx.csv');
    const sim = await run(['simulate', '--customers', '60', '--terminals', '120', '--days', '10', '--seed', '4', '--out', csv]);
    expect(sim.exitCode).toBe(0);
    const summary = JSON.parse(sim.stdout) as { rows: number; frauds: number; seed: number };
    expect(summary.seed).toBe(4);
    const lines = readFileSync(csv, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('TRANSACTION_ID,TX_DATETIME,CUSTOMER_ID,TERMINAL_ID,TX_AMOUNT,TX_FRAUD,TX_FRAUD_SCENARIO');
    expect(lines).toHaveLength(summary.rows + 1);

    const broken = join(dir, 'broken.csv');
    writeFileSync(broken, `${lines.join('\n')}\n${summary.rows},2018-04-11 10:00:00,1,2,-3,0,0\n`);
    const parquet = join(dir, 'clean.parquet');
    const rejects = join(dir, 'rejects.csv');
    const result = await run(['ingest', '--input', broken, '--out', parquet, '--rejects', rejects]);
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ acceptedRows: summary.rows, rejectedRows: 1, rejectedValues: 1 });
    expect(readFileSync(rejects, 'utf8')).toBe(`line,column,rawValue,reason\n${summary.rows + 2},TX_AMOUNT,-3,is below the minimum 0\n`);
    expect((await ingest(parquet, { schema: TRANSACTION_SCHEMA })).acceptedRows).toBe(summary.rows);
  });

  it('exits non-zero with one error line when ingestion fails', async () => {
    const missing = await run(['ingest', '--input', join(dir, 'missing.csv'), '--out', join(dir, 'x.csv')]);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toMatch(/error: Input file ".*missing\.csv" not found/);
    expect(missing.stdout).toBe('');

    const bad = join(dir, 'all-bad.csv');
    writeFileSync(bad, 'TRANSACTION_ID,TX_DATETIME,CUSTOMER_ID,TERMINAL_ID,TX_AMOUNT,TX_FRAUD\n1,2018-04-01 00:00:00,1,2,oops,0\n');
    const limit = await run(['ingest', '--input', bad, '--out', join(dir, 'y.csv'), '--max-reject-ratio', '0.5']);
    expect(limit.exitCode).toBe(1);
    expect(limit.stderr).toMatch(/error: File ".*all-bad\.csv": 1 of 1 rows rejected \(100\.00%\), above maxRejectRatio 0\.5/);
  });
});
