import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulateTransactions } from '@mlsd/data';
import { FeaturePipeline, handbookFeatures } from '@mlsd/features';
import { buildReferenceProfile } from '@mlsd/eval';
import { FileModelRegistry, LogisticRegression } from '@mlsd/models';

const ROOT = resolve(import.meta.dirname, '../../../..');
let registryDir: string;
let experimentDir: string;

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

  // A second registry for the experiment: a champion and a challenger (other regularisation), with the profile.
  experimentDir = await mkdtemp(join(tmpdir(), 'mlsd-serve-experiment-'));
  const X = pipeline.transform(table);
  const profile = buildReferenceProfile({ features: pipeline.rawFeatures(table) });
  const experimentRegistry = new FileModelRegistry(experimentDir);
  const first = await experimentRegistry.register('fraud', model, { featurePipeline: pipeline.toJSON(), profile });
  const challenger = await new LogisticRegression({ classWeight: 'balanced', C: 0.01 }).fit(X, table.labels('TX_FRAUD'));
  const second = await experimentRegistry.register('fraud', challenger, { featurePipeline: pipeline.toJSON(), profile });
  await experimentRegistry.setAlias('fraud', 'champion', first.version);
  await experimentRegistry.setAlias('fraud', 'challenger', second.version);
});

afterAll(async () => {
  await rm(registryDir, { recursive: true, force: true });
  await rm(experimentDir, { recursive: true, force: true });
});

/**
 * Starts `fraud serve ARGS` as a child process: from the TypeScript source, or (`bin`) through `bin/fraud.mjs` as
 * `pnpm fraud serve` does (it builds the workspace first when a source is newer than `dist/`).
 */
function startServe(args: string[], entry: 'source' | 'bin' = 'source') {
  const command =
    entry === 'bin'
      ? ['examples/fraud-detection/bin/fraud.mjs', 'serve', ...args]
      : ['--import', 'tsx', '--conditions=@mlsd/source', 'examples/fraud-detection/src/cli.ts', 'serve', ...args];
  const child = spawn(process.execPath, command, {
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

/** The process ids of `pid`'s children (Linux /proc). */
async function childrenOf(pid: number): Promise<number[]> {
  const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8');
  return text
    .split(' ')
    .filter((id) => id !== '')
    .map(Number);
}

/** Whether process `pid` still runs. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('fraud serve', () => {
  it('runs the service from bin/fraud.mjs in a process of its own with an 8 MB young generation, which drains on SIGTERM and stops when the command is killed', async () => {
    const first = startServe(['--registry', registryDir, '--port', '0'], 'bin');
    try {
      await first.listening;
      const [service] = await childrenOf(first.child.pid!);
      expect(await readFile(`/proc/${service}/cmdline`, 'utf8')).toContain('--max-semi-space-size=8');
      first.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);
      expect(first.output().stderr).toMatch(/SIGTERM, draining requests in flight\nserve: stopped/);
      expect(isRunning(service!)).toBe(false);
    } finally {
      first.child.kill('SIGKILL');
    }
    // Killed outright, the command cannot forward anything: the service notices and stops by itself.
    const second = startServe(['--registry', registryDir, '--port', '0'], 'bin');
    await second.listening;
    const [service] = await childrenOf(second.child.pid!);
    second.child.kill('SIGKILL');
    for (let i = 0; i < 100 && isRunning(service!); i++) await new Promise((done) => setTimeout(done, 100));
    expect(isRunning(service!)).toBe(false);
  }, 180_000);

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

  it('runs a champion/challenger experiment with --experiment-share, sticky by card, in a log fraud experiment accepts', async () => {
    const log = join(experimentDir, 'predictions.jsonl');
    const serve = startServe([
      '--registry',
      experimentDir,
      '--port',
      '0',
      '--log-level',
      'warn',
      '--prediction-log',
      log,
      '--experiment-share',
      '0.5',
      '--experiment-seed',
      '7',
    ]);
    try {
      const url = await serve.listening;
      // The experiment line follows the address on stderr.
      for (let i = 0; i < 100 && !serve.output().stderr.includes('serve: dashboard'); i++) await new Promise((done) => setTimeout(done, 50));
      expect(serve.output().stderr).toMatch(/experiment: 0.5 of the cards answered by the challenger v2 \(seed 7\)/);
      const start = Date.parse('2018-04-20T10:00:00Z');
      const events = Array.from({ length: 240 }, (_, i) => ({
        TRANSACTION_ID: 1000 + i,
        TX_DATETIME: start + i * 60_000,
        CUSTOMER_ID: i % 60,
        TERMINAL_ID: i % 13,
        TX_AMOUNT: 10 + (i % 50) * 7,
      }));
      const post = (path: string, body: unknown) =>
        fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const answers = (await (await post('/v1/score', events)).json()) as Array<{ transactionId: number; modelVersion: number }>;
      expect(new Set(answers.map((a) => a.modelVersion))).toEqual(new Set([1, 2]));
      const labels = events.map((e, i) => ({ transactionId: e.TRANSACTION_ID, fraud: i % 9 === 0 }));
      expect((await post('/v1/feedback', labels)).status).toBe(200);
      serve.child.kill('SIGTERM');
      expect(await serve.exited).toBe(0);
    } finally {
      serve.child.kill('SIGKILL');
    }

    // Every score record names its arm; a card keeps its arm; the challenger's answers come from version 2.
    const records = (await readFile(log, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; arm?: string; customerId: number; modelVersion: number });
    const scores = records.filter((r) => r.type === 'score');
    expect(scores).toHaveLength(240);
    const armOfCard = new Map<number, string>();
    for (const r of scores) {
      expect(r.arm).toBeDefined();
      expect(armOfCard.get(r.customerId) ?? r.arm).toBe(r.arm);
      armOfCard.set(r.customerId, r.arm!);
      expect(r.modelVersion).toBe(r.arm === 'challenger' ? 2 : 1);
    }
    const challengerCards = [...armOfCard.values()].filter((arm) => arm === 'challenger').length;
    expect(challengerCards).toBeGreaterThan(10);
    expect(challengerCards).toBeLessThan(50);

    const experiment = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--conditions=@mlsd/source', 'examples/fraud-detection/src/cli.ts', 'experiment', '--log', log],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(experiment.status, experiment.stderr).toBe(0);
    const report = JSON.parse(experiment.stdout) as { arms: Record<string, { scored: number; labelled: number }>; conclusion: string };
    expect(report.arms['champion']!.scored + report.arms['challenger']!.scored).toBe(240);
    expect(report.arms['challenger']!.scored).toBe(scores.filter((r) => r.arm === 'challenger').length);
    expect(report.arms['champion']!.labelled + report.arms['challenger']!.labelled).toBe(240);
    expect(report.conclusion).toMatch(/recall/);
  });

  it('fails with a clear message and a non-zero exit code for an unknown store', async () => {
    const serve = startServe(['--registry', registryDir, '--store', 'postgres://x']);
    expect(await serve.exited).toBe(1);
    expect(serve.output().stderr).toMatch(/error: --store is "postgres:\/\/x"; use "memory" or a Redis URL/);
    expect(serve.output().stderr).not.toMatch(/at .*\.ts:\d+/);
  });
});
