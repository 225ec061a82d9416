import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileModelRegistry, LogisticRegression, parseModelRef } from '@mlsd/models';
import { noisyLogistic } from '@mlsd/models/testing';

let root: string;
let model: LogisticRegression;
const data = noisyLogistic(300, 1);
const clock = (): Date => new Date('2026-11-26T12:00:00.000Z');

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'mlsd-registry-'));
  model = await new LogisticRegression({ C: 0.5 }).fit(data.X, data.y);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('parseModelRef', () => {
  it('reads name@alias and name/version, and rejects anything else naming both forms', () => {
    expect(parseModelRef('fraud@champion')).toEqual({ name: 'fraud', alias: 'champion' });
    expect(parseModelRef('fraud-v2.lr/12')).toEqual({ name: 'fraud-v2.lr', version: 12 });
    for (const bad of ['fraud', 'fraud/0', 'fraud/1.5', 'fraud/x', '@champion', 'a/b@c']) {
      expect(() => parseModelRef(bad)).toThrow(/name@alias .* name\/version/);
    }
    for (const bad of ['fr aud@x', '../x/1', 'fraud@9lives']) {
      expect(() => parseModelRef(bad)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    }
  });
});

describe('FileModelRegistry', () => {
  it('registers numbered versions, moves aliases and lists versions with metrics and aliases', async () => {
    const registry = new FileModelRegistry(join(root, 'basic'), { now: clock });
    const first = await registry.register('fraud', model, {
      metrics: { rocAuc: 0.81, averagePrecision: 0.52 },
      trainingData: { rows: 300, hash: 'abc123', period: { start: '2018-07-25', end: '2018-08-01' } },
      notes: 'baseline',
      featurePipeline: { steps: ['scale'] },
      profile: { amount: { mean: 50 } },
    });
    expect(first).toMatchObject({
      name: 'fraud',
      version: 1,
      kind: 'logistic-regression',
      createdAt: '2026-11-26T12:00:00.000Z',
      notes: 'baseline',
      aliases: [],
    });
    const second = await registry.register('fraud', model, { metrics: { rocAuc: 0.85 } });
    expect(second.version).toBe(2);
    await registry.setAlias('fraud', 'champion', 1);
    await registry.setAlias('fraud', 'challenger', 2);
    await registry.setAlias('fraud', 'champion', 2);
    await registry.setAlias('fraud', 'challenger', 1);
    const listed = await registry.list('fraud');
    expect(listed.map((e) => [e.version, e.metrics['rocAuc'], e.aliases])).toEqual([
      [1, 0.81, ['challenger']],
      [2, 0.85, ['champion']],
    ]);
    expect(await registry.aliases('fraud')).toEqual({ challenger: 1, champion: 2 });
    expect(await registry.names()).toEqual(['fraud']);
    expect(await registry.list('nothing')).toEqual([]);
  });

  it('loads by alias or version with identical predictions, the pipeline and the profile', async () => {
    const registry = new FileModelRegistry(join(root, 'load'));
    await registry.register('fraud', model, { featurePipeline: { steps: ['scale'] }, profile: { rows: 300 } });
    await registry.register('fraud', await new LogisticRegression({ C: 0.01 }).fit(data.X, data.y));
    await registry.setAlias('fraud', 'champion', 1);
    const byAlias = await registry.load('fraud@champion');
    expect(byAlias.entry).toMatchObject({ version: 1, aliases: ['champion'] });
    expect(byAlias.model.predictProba(data.X)).toEqual(model.predictProba(data.X));
    expect(byAlias.featurePipeline).toEqual({ steps: ['scale'] });
    expect(byAlias.profile).toEqual({ rows: 300 });
    const byVersion = await registry.load('fraud/1');
    expect(byVersion.model.toJSON()).toEqual(model.toJSON());
    expect((await registry.load('fraud@latest')).entry.version).toBe(2);
    expect((await registry.load('fraud/2')).featurePipeline).toBeNull();
  });

  it('gives distinct consecutive versions to concurrent registrations', async () => {
    const registry = new FileModelRegistry(join(root, 'concurrent'));
    const entries = await Promise.all(Array.from({ length: 8 }, () => registry.register('fraud', model)));
    expect(entries.map((e) => e.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // No temporary directories are left behind.
    expect((await readdir(join(root, 'concurrent', 'fraud', 'versions'))).sort()).toEqual(['1', '2', '3', '4', '5', '6', '7', '8']);
    // A second registry object on the same directory (no shared lock) still never reuses a number.
    const other = new FileModelRegistry(join(root, 'concurrent'));
    const more = await Promise.all([registry.register('fraud', model), other.register('fraud', model)]);
    expect(more.map((e) => e.version).sort()).toEqual([10, 9].sort());
  });

  it('refuses a corrupt or edited artifact with CORRUPT_ARTIFACT naming the file', async () => {
    const dir = join(root, 'corrupt');
    const registry = new FileModelRegistry(dir);
    await registry.register('fraud', model, { featurePipeline: { steps: ['scale'] } });
    const modelPath = join(dir, 'fraud', 'versions', '1', 'model.json');
    const original = await readFile(modelPath, 'utf8');

    // Reformatting alone keeps the canonical-JSON checksum.
    await writeFile(modelPath, JSON.stringify(JSON.parse(original)));
    await expect(registry.load('fraud/1')).resolves.toBeDefined();

    const edited = JSON.parse(original) as { state: { intercept: number } };
    edited.state.intercept += 1;
    await writeFile(modelPath, JSON.stringify(edited));
    await expect(registry.load('fraud/1')).rejects.toMatchObject({ code: 'CORRUPT_ARTIFACT', location: { file: modelPath } });

    await writeFile(modelPath, original.slice(0, 100));
    await expect(registry.load('fraud/1')).rejects.toMatchObject({ code: 'CORRUPT_ARTIFACT', message: expect.stringContaining(modelPath) });
    await writeFile(modelPath, original);

    const pipelinePath = join(dir, 'fraud', 'versions', '1', 'feature-pipeline.json');
    await writeFile(pipelinePath, JSON.stringify({ steps: ['scale', 'log'] }));
    await expect(registry.load('fraud/1')).rejects.toMatchObject({ code: 'CORRUPT_ARTIFACT', location: { file: pipelinePath } });
    await rm(pipelinePath);
    await expect(registry.load('fraud/1')).rejects.toMatchObject({ code: 'CORRUPT_ARTIFACT', location: { file: pipelinePath } });

    const manifestPath = join(dir, 'fraud', 'versions', '1', 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as { metrics: Record<string, number> };
    manifest.metrics = { rocAuc: 0.99 };
    await writeFile(manifestPath, JSON.stringify(manifest));
    await expect(registry.load('fraud/1')).rejects.toMatchObject({ code: 'CORRUPT_ARTIFACT', location: { file: manifestPath } });
  });

  it('says what exists when a model, version or alias is missing, and rejects bad input', async () => {
    const registry = new FileModelRegistry(join(root, 'missing'));
    await expect(registry.load('fraud@champion')).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('No model "fraud"') });
    await registry.register('fraud', model);
    await expect(registry.load('fraud/3')).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('versions: 1') });
    await expect(registry.load('frad@champion')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('No model "frad" in the registry at'),
    });
    await expect(registry.load('frad@champion')).rejects.toMatchObject({ message: expect.stringContaining('(models: fraud)') });
    await expect(registry.load('fraud@champion')).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('aliases: latest') });
    await expect(registry.setAlias('fraud', 'champion', 2)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(registry.setAlias('fraud', 'latest', 1)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(registry.register('fraud', new LogisticRegression())).rejects.toMatchObject({ code: 'NOT_FITTED' });
    await expect(registry.register('fraud', model, { metric: {} } as never)).rejects.toMatchObject({
      code: 'INVALID_OPTION',
      message: expect.stringContaining('featurePipeline, metrics, trainingData, notes, profile'),
    });
    await expect(registry.register('fraud', model, { metrics: { auc: Number.NaN } })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    await expect(registry.register('../escape', model)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});
