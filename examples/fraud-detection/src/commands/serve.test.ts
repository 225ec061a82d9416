import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulateTransactions } from '@mlsd/data';
import { FeaturePipeline, handbookFeatures } from '@mlsd/features';
import { FileModelRegistry, LogisticRegression } from '@mlsd/models';

const ROOT = resolve(import.meta.dirname, '../../../..');
let registryDir: string;

// A champion trained through the real packages on a small simulation, registered as `fraud` v1.
beforeAll(async () => {
  registryDir = await mkdtemp(join(tmpdir(), 'mlsd-serve-cli-'));
  const table = simulateTransactions({ customers: 100, terminals: 200, days: 10, seed: 2 });
  const names = handbookFeatures().map((f) => f.name!);
  const pipeline = new FeaturePipeline({ features: handbookFeatures(), transforms: [{ kind: 'standard-scale', columns: names }] }).fit(table);
  const model = await new LogisticRegression({ classWeight: 'balanced' }).fit(pipeline.transform(table), table.labels('TX_FRAUD'));
  const registry = new FileModelRegistry(registryDir);
  const entry = await registry.register('fraud', model, { featurePipeline: pipeline.toJSON() });
  await registry.setAlias('fraud', 'champion', entry.version);
});

afterAll(async () => {
  await rm(registryDir, { recursive: true, force: true });
});

/** Starts `fraud serve ARGS` as a child process, as `pnpm fraud serve` does. */
function startServe(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@mlsd/source', 'examples/fraud-detection/src/cli.ts', 'serve', ...args], {
    cwd: ROOT,
    env: { ...process.env, MLSD_ADMIN_TOKEN: 'cli-test-admin-token-0123' },
  });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  const listening = new Promise<string>((done, fail) => {
    const check = () => {
      const match = /listening on (http:\/\/\S+)/.exec(stderr);
      if (match !== null) done(match[1]!);
    };
    child.stderr.on('data', check);
    void exited.then((code) => fail(new Error(`serve exited with ${code}: ${stderr}`)));
  });
  // Tests that expect a failure never await `listening`: keep its rejection handled.
  listening.catch(() => undefined);
  return { child, listening, exited, output: () => ({ stdout, stderr }) };
}

describe('fraud serve', () => {
  it('serves the champion, answers a score, reloads with the token, and drains on SIGTERM', async () => {
    const serve = startServe(['--registry', registryDir, '--port', '0', '--log-level', 'info']);
    try {
      const url = await serve.listening;
      expect(serve.output().stderr).toMatch(/fraud v1, store memory/);
      const res = await fetch(`${url}/v1/score`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ TRANSACTION_ID: 1, TX_DATETIME: '2018-04-20 10:00:00', CUSTOMER_ID: 3, TERMINAL_ID: 4, TX_AMOUNT: 25 }),
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ transactionId: 1, modelVersion: 1 });
      const reload = await fetch(`${url}/admin/reload`, { method: 'POST', headers: { authorization: 'Bearer cli-test-admin-token-0123' } });
      expect(await reload.json()).toMatchObject({ version: 1, previousVersion: 1 });
      serve.child.kill('SIGTERM');
      expect(await serve.exited).toBe(0);
      expect(serve.output().stderr).toMatch(/SIGTERM, draining requests in flight\nserve: stopped/);
      // Logs are JSON lines on stdout, with the decision and no raw card id field.
      const scored = serve
        .output()
        .stdout.split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .find((line) => line['msg'] === 'scored');
      expect(scored).toMatchObject({ transactionId: 1, terminalId: 4 });
      expect(scored).not.toHaveProperty('customerId');
    } finally {
      serve.child.kill('SIGKILL');
    }
  });

  it('fails with a clear message and a non-zero exit code for an unknown store', async () => {
    const serve = startServe(['--registry', registryDir, '--store', 'postgres://x']);
    expect(await serve.exited).toBe(1);
    expect(serve.output().stderr).toMatch(/error: --store is "postgres:\/\/x"; use "memory" or a Redis URL/);
    expect(serve.output().stderr).not.toMatch(/at .*\.ts:\d+/);
  });
});
