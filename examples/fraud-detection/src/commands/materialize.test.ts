import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulateTransactions, writeTable, type ColumnTable } from '@mlsd/data';
import { buildReferenceProfile } from '@mlsd/eval';
import { computeFeatures, FeaturePipeline, handbookFeatures, RedisStateStore } from '@mlsd/features';
import { FileModelRegistry, LogisticRegression } from '@mlsd/models';
import type { ScoreLogRecord } from '@mlsd/monitoring';
import { runCommand } from '../test-support/run-command.js';
import { startServe } from '../test-support/start-serve.js';
import { registerMaterializeCommand, type MaterializeOutput } from './materialize.js';

const DAY = 86_400_000;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const REDIS_PREFIX = `mlsd:test:materialize-cli:${process.pid}:${Date.now()}:`;
/** The state is taken just before this time: 45 days into the simulation, the Handbook windows (30 + 7 days) full. */
const UNTIL = '2018-05-16T09:30:00Z';

let dir: string;
let table: ColumnTable;
let input: string;

// A champion trained through the real packages on a simulation, registered as `fraud` v1 with its reference
// profile (monitoring, hence the prediction log, needs one).
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlsd-materialize-'));
  table = simulateTransactions({ customers: 80, terminals: 120, days: 50, seed: 15 });
  input = join(dir, 'transactions.csv');
  await writeTable(table, input);
  const names = handbookFeatures().map((f) => f.name!);
  const pipeline = new FeaturePipeline({ features: handbookFeatures(), transforms: [{ kind: 'standard-scale', columns: names }] }).fit(table);
  const model = await new LogisticRegression({ classWeight: 'balanced' }).fit(pipeline.transform(table), table.labels('TX_FRAUD'));
  const profile = buildReferenceProfile({ features: pipeline.rawFeatures(table) });
  const registry = new FileModelRegistry(join(dir, 'registry'));
  const entry = await registry.register('fraud', model, { featurePipeline: pipeline.toJSON(), profile });
  await registry.setAlias('fraud', 'champion', entry.version);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  const store = new RedisStateStore({ redis: REDIS_URL, prefix: REDIS_PREFIX });
  await store.clear();
  await store.close();
});

/** Rows in event order (time, then row), from the first at or after `from`. */
function rowsFrom(from: number): number[] {
  const times = table.numeric('TX_DATETIME');
  const rows = Array.from({ length: table.rowCount }, (_, row) => row).filter((row) => times[row]! >= from - 7 * DAY);
  return rows.sort((a, b) => times[a]! - times[b]! || a - b);
}

/**
 * Materializes the simulated file up to UNTIL into `store`, starts `fraud serve` warmed from it, scores the next
 * `count` transactions one by one (feeding back each label once the Handbook's 7-day delay has passed, as the
 * investigations would), and returns the logged features of each scored transaction with the offline executor's.
 */
async function scoreAfterMaterialize(store: string, serveArgs: readonly string[], count: number) {
  const run = await runCommand(registerMaterializeCommand, [
    'materialize',
    '--input',
    input,
    '--store',
    store,
    '--until',
    UNTIL,
    '--registry',
    dir,
    '--redis-prefix',
    REDIS_PREFIX,
  ]);
  expect(run.stderr).not.toMatch(/error/);
  expect(run.exitCode).toBe(0);
  const output = JSON.parse(run.stdout) as MaterializeOutput;
  const log = join(dir, `predictions-${Date.now()}.jsonl`);
  const serve = startServe(['--registry', dir, '--port', '0', '--log-level', 'warn', '--deadline-ms', '5000', '--prediction-log', log, ...serveArgs]);
  const until = Date.parse(UNTIL);
  const times = table.numeric('TX_DATETIME');
  const ids = table.numeric('TRANSACTION_ID');
  const fraud = table.labels('TX_FRAUD');
  try {
    const url = await serve.listening;
    const post = async (path: string, body: unknown) => {
      const response = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(response.status).toBe(200);
    };
    const rows = rowsFrom(until);
    // Labels not known at UNTIL (events in the 7 days before it) and those of the scored events, each once due.
    const pending = rows.filter((row) => (times[row]! < until ? times[row]! > until - 7 * DAY : true));
    let next = 0;
    let scored = 0;
    for (const row of rows) {
      if (times[row]! < until) continue;
      if (scored++ === count) break;
      const due: { transactionId: number; fraud: boolean }[] = [];
      while (next < pending.length && times[pending[next]!]! + 7 * DAY <= times[row]!) {
        const labelled = pending[next++]!;
        due.push({ transactionId: ids[labelled]!, fraud: fraud[labelled] === 1 });
      }
      if (due.length > 0) await post('/v1/feedback', due);
      const event = ['TRANSACTION_ID', 'TX_DATETIME', 'CUSTOMER_ID', 'TERMINAL_ID', 'TX_AMOUNT'].map((name) => [name, table.numeric(name)[row]!]);
      await post('/v1/score', Object.fromEntries(event));
    }
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
  } finally {
    serve.child.kill('SIGKILL');
  }
  const records = (await readFile(log, 'utf8'))
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as ScoreLogRecord)
    .filter((record) => record.type === 'score');
  const offline = computeFeatures(table, handbookFeatures());
  const rowOfId = new Map(Array.from(ids, (id, row) => [id, row]));
  const mismatches: string[] = [];
  for (const record of records) {
    const row = rowOfId.get(Number(record.transactionId))!;
    for (const name of offline.columnNames) {
      const logged = record.features[name];
      const expected = offline.numeric(name)[row]!;
      const close = logged === expected || Math.abs(logged! - expected) <= 1e-12 * Math.max(1, Math.abs(expected));
      if (!close) mismatches.push(`${record.transactionId} ${name}: served ${logged}, offline ${expected}`);
    }
  }
  return { output, records, mismatches, stderr: serve.output().stderr };
}

describe('fraud materialize', () => {
  it('memory-snapshot + fraud serve --warm-from: the events after --until get exactly the offline features (prediction log)', async () => {
    const snapshot = join(dir, 'state.snap');
    const { output, records, mismatches, stderr } = await scoreAfterMaterialize(`memory-snapshot:${snapshot}`, ['--warm-from', snapshot], 150);
    expect(output).toMatchObject({ until: '2018-05-16T09:30:00.000Z', model: { name: 'fraud', version: 1 }, rejectedRows: 0 });
    expect(output.events).toBeGreaterThan(1000);
    expect(output.labelsPending).toBeGreaterThan(0);
    expect(stderr).toMatch(/serve: feature store warmed from .*state\.snap: \d+ transactions .* as of 2018-05-16T09:30:00.000Z/);
    expect(records).toHaveLength(150);
    // Histories reach back before UNTIL: a cold store would give every card a count of 1.
    expect(records.some((record) => (record.features['CUSTOMER_ID_NB_TX_30DAY_WINDOW'] ?? 0) > 5)).toBe(true);
    expect(records.some((record) => (record.features['TERMINAL_ID_RISK_30DAY_WINDOW'] ?? 0) > 0)).toBe(true);
    expect(mismatches.slice(0, 5)).toEqual([]);
  }, 120_000);

  it('redis://: fraud serve on the same Redis and prefix gets exactly the offline features', async () => {
    const { output, records, mismatches } = await scoreAfterMaterialize(REDIS_URL, ['--store', REDIS_URL, '--redis-prefix', REDIS_PREFIX], 100);
    expect(output.written).toBeGreaterThan(2 * 1000);
    expect(records).toHaveLength(100);
    expect(mismatches.slice(0, 5)).toEqual([]);
  }, 120_000);

  it('refuses the memory store, a store that does not answer and a bad --until, naming the flag', async () => {
    const memory = await runCommand(registerMaterializeCommand, ['materialize', '--input', input, '--store', 'memory', '--registry', dir]);
    expect(memory.exitCode).toBe(1);
    expect(memory.stderr).toMatch(/--store memory lives inside a serving process; write a snapshot with --store memory-snapshot:FILE/);
    const unknown = await runCommand(registerMaterializeCommand, ['materialize', '--input', input, '--store', 'mongodb://x', '--registry', dir]);
    expect(unknown.stderr).toMatch(/--store mongodb:\/\/x is not a store fraud materialize writes; give memory-snapshot:FILE, a Redis URL/);
    // A store that does not answer fails before the file is read.
    const down = await runCommand(registerMaterializeCommand, ['materialize', '--input', input, '--store', 'redis://127.0.0.1:1', '--registry', dir]);
    expect(down.exitCode).toBe(1);
    expect(down.stderr).toMatch(/--store redis:\/\/127.0.0.1:1 does not answer \(.*\); start the server or correct the URL/);
    expect(down.stderr).not.toMatch(/read .*transactions\.csv/);
    const bad = await runCommand(registerMaterializeCommand, [
      'materialize',
      '--input',
      input,
      '--store',
      'memory-snapshot:x',
      '--until',
      'yesterday',
      '--registry',
      dir,
    ]);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toMatch(/expected an ISO 8601 time/);
  });

  it('fraud serve --warm-from refuses a corrupt snapshot and a Redis store with a clear message', async () => {
    const snapshot = join(dir, 'corrupt.snap');
    await runCommand(registerMaterializeCommand, ['materialize', '--input', input, '--store', `memory-snapshot:${snapshot}`, '--registry', dir]);
    const bytes = await readFile(snapshot);
    bytes[bytes.length >> 1]! ^= 1;
    await writeFile(snapshot, bytes);
    const corrupt = startServe(['--registry', dir, '--port', '0', '--warm-from', snapshot]);
    expect(await corrupt.exited).toBe(1);
    expect(corrupt.output().stderr).toMatch(/error: State snapshot file .*corrupt\.snap is corrupt \(its SHA-256 checksum does not match/);
    const redis = startServe(['--registry', dir, '--port', '0', '--store', REDIS_URL, '--redis-prefix', REDIS_PREFIX, '--warm-from', snapshot]);
    expect(await redis.exited).toBe(1);
    expect(redis.output().stderr).toMatch(/--warm-from loads the memory store/);
  }, 60_000);
});
