import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { isMlsdError } from '@mlsd/data';
import { JsonlPredictionLog, RedisStreamPredictionLog, readPredictionLog, readRedisPredictionLog, type PredictionLogRecord } from '@mlsd/monitoring';

const dir = mkdtempSync(join(tmpdir(), 'mlsd-prediction-log-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const records: PredictionLogRecord[] = [
  {
    type: 'score',
    transactionId: 7,
    time: 1_700_000_000_000,
    customerId: 3,
    terminalId: 9,
    amount: 12.5,
    score: 0.25,
    decision: 'allow',
    source: 'model',
    modelVersion: 2,
    features: { TX_AMOUNT: 12.5, TERMINAL_ID_RISK_7DAY_WINDOW: null },
    loggedAt: 1,
  },
  {
    type: 'score',
    transactionId: 8,
    time: 1_700_000_001_000,
    customerId: 4,
    terminalId: 9,
    amount: 999,
    score: 0.9,
    decision: 'block',
    source: 'fallback',
    fallbackReason: 'store-timeout',
    modelVersion: 2,
    arm: 'challenger',
    features: {},
    loggedAt: 2,
  },
  { type: 'feedback', transactionId: 7, fraud: false, loggedAt: 3 },
];

describe('JSON-lines prediction log', () => {
  it('writes one line per record and reads them back unchanged, appending across instances', async () => {
    const file = join(dir, 'nested', 'predictions.jsonl');
    const first = new JsonlPredictionLog(file);
    first.append(records[0]!);
    await first.close();
    const second = new JsonlPredictionLog(file);
    second.append(records[1]!);
    second.append(records[2]!);
    await second.close();
    expect(second.stats()).toEqual({ kind: 'jsonl', target: file, written: 2, failed: 0 });
    expect(await readPredictionLog(file)).toEqual(records);
  });

  it('skips a torn last line (a writer killed mid-line) with a warning naming the file and line (issue 13)', async () => {
    const file = join(dir, 'torn.jsonl');
    const full = records.map((r) => JSON.stringify(r)).join('\n');
    writeFileSync(file, `${full}\n${JSON.stringify(records[0]).slice(0, 40)}`);
    const warnings: string[] = [];
    expect(await readPredictionLog(file, { warn: (message) => warnings.push(message) })).toEqual(records);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/Skipped the torn last line of .*torn\.jsonl: .*torn\.jsonl:4 is not valid JSON.*the 3 records before it are read/);
  });

  it('names the file and line of a bad record, and a missing file', async () => {
    const file = join(dir, 'bad.jsonl');
    writeFileSync(file, `${JSON.stringify(records[0])}\n\n{"type":"score"}\n${JSON.stringify(records[2])}\n`);
    await expect(readPredictionLog(file)).rejects.toThrow(/bad\.jsonl:3 is not a prediction-log record/);
    try {
      await readPredictionLog(join(dir, 'absent.jsonl'));
      expect.unreachable();
    } catch (error) {
      expect(isMlsdError(error, 'NOT_FOUND')).toBe(true);
    }
  });
});

describe('Redis-stream prediction log', () => {
  it('appends with XADD MAXLEN ~ and reads back in order', async () => {
    const redis = new Redis(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379', { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    const stream = `mlsd-test:${process.pid}:${Date.now()}:predictions`;
    try {
      const log = new RedisStreamPredictionLog(redis, { stream, maxLength: 1000 });
      for (const record of records) log.append(record);
      await log.close();
      expect(log.stats()).toMatchObject({ kind: 'redis-stream', written: 3, failed: 0 });
      expect(await readRedisPredictionLog(redis, stream, 2)).toEqual(records);
    } finally {
      await redis.del(stream);
      await redis.quit();
    }
  });

  it('counts failed writes instead of throwing when Redis is unreachable', async () => {
    const redis = new Redis('redis://127.0.0.1:1', { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
    const warnings: string[] = [];
    const log = new RedisStreamPredictionLog(redis, { stream: 'never' }, { warn: (_d, m) => warnings.push(m), info: () => {} });
    log.append(records[0]!);
    log.append(records[2]!);
    await log.close();
    expect(log.stats()).toMatchObject({ written: 0, failed: 2 });
    expect(warnings).toHaveLength(1);
    redis.disconnect();
  });
});
