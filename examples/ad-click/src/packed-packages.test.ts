import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

// Issue 14 "Done when": a fresh npm project that installs the packed tarballs trains on its own schema with string
// ids, registers the model, starts `mlsd serve` on the registry, gets model answers for its own events and gives
// feedback by its own ids. Nothing here runs from the workspace: the consumer imports the packages by their public
// names from its own node_modules, as a user of the published packages would.

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../../..');
const PACKAGES = ['data', 'features', 'models', 'eval', 'monitoring', 'serving'];
const MAX_NODE_MODULES_BYTES = 200 * 1024 * 1024;
const temps: string[] = [];

afterAll(async () => {
  await Promise.all(temps.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** The consumer's training script: its own schema (string user and item ids), a pipeline, a model, the registry. */
const TRAIN_SCRIPT = `
import { ColumnTable, defineSchema } from '@mlsd/data';
import { FeaturePipeline } from '@mlsd/features';
import { FileModelRegistry, LogisticRegression } from '@mlsd/models';

const schema = defineSchema('views', [
  { name: 'view_id', type: 'category', role: 'id', unique: true },
  { name: 'at', type: 'timestamp', role: 'event-time' },
  { name: 'shopper', type: 'category', role: 'entity-key' },
  { name: 'item', type: 'category', role: 'feature' },
  { name: 'aisle', type: 'category', role: 'feature' },
  { name: 'price', type: 'float', role: 'feature', min: 0 },
  { name: 'bought', type: 'label', role: 'label' },
]);
const aisles = ['fruit', 'dairy', 'bakery'];
const rows = 600;
const start = Date.UTC(2025, 0, 1);
let state = 7;
const next = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
const views = [];
const bought = new Uint8Array(rows);
for (let i = 0; i < rows; i++) {
  const aisle = aisles[Math.floor(next() * 3)];
  const price = Math.round((1 + next() * 30) * 100) / 100;
  bought[i] = next() < (price < 10 ? 0.6 : 0.15) + (aisle === 'bakery' ? 0.2 : 0) ? 1 : 0;
  views.push({ view_id: 'view-' + i, at: start + i * 60_000, shopper: 'shopper-' + Math.floor(next() * 25), item: 'sku-' + Math.floor(next() * 50), aisle, price });
}
const dictionary = (values) => {
  const names = [...new Set(values)];
  return { type: 'category', codes: Int32Array.from(values, (v) => names.indexOf(v)), dictionary: names };
};
const table = new ColumnTable({
  view_id: dictionary(views.map((v) => v.view_id)),
  at: { type: 'timestamp', values: Float64Array.from(views, (v) => v.at) },
  shopper: dictionary(views.map((v) => v.shopper)),
  item: dictionary(views.map((v) => v.item)),
  aisle: dictionary(views.map((v) => v.aisle)),
  price: { type: 'float', values: Float64Array.from(views, (v) => v.price) },
  bought: { type: 'label', values: bought },
});
const features = [
  { kind: 'window', entity: 'shopper', agg: 'count', window: '1d', name: 'SHOPPER_VIEWS_1D' },
  { kind: 'window', entity: 'shopper', column: 'price', agg: 'mean', window: '1d', name: 'SHOPPER_MEAN_PRICE_1D' },
  { kind: 'column', column: 'price', name: 'PRICE' },
];
const pipeline = new FeaturePipeline({
  features,
  transforms: [{ kind: 'standard-scale', columns: features.map((f) => f.name) }, { kind: 'one-hot', column: 'aisle' }],
  schema,
}).fit(table);
const model = await new LogisticRegression({ C: 1 }).fit(pipeline.transform(table), bought);
const registry = new FileModelRegistry(process.argv[2]);
const entry = await registry.register('grocery-views', model, { featurePipeline: pipeline.toJSON() });
await registry.setAlias('grocery-views', 'champion', entry.version);
console.log(JSON.stringify({ version: entry.version }));
`;

/** Total size in bytes of the files under `dir` (symbolic links not followed). */
async function sizeOf(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += await sizeOf(path);
    else if (entry.isFile()) total += (await stat(path)).size;
  }
  return total;
}

async function post(url: string, body: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

describe('the packed packages in a fresh npm project', () => {
  it('install without TensorFlow, train on their own schema with string ids and serve it with mlsd serve', { timeout: 300_000 }, async () => {
    const unbuilt = PACKAGES.filter((name) => !existsSync(join(ROOT, 'packages', name, 'dist', 'index.js')));
    if (unbuilt.length > 0) throw new Error(`packages/${unbuilt.join(', packages/')} have no dist/: run \`pnpm build\` before this test`);

    const packs = await mkdtemp(join(tmpdir(), 'mlsd-packs-'));
    const project = await mkdtemp(join(tmpdir(), 'mlsd-consumer-'));
    temps.push(packs, project);
    for (const name of PACKAGES) await run('pnpm', ['pack', '--pack-destination', packs], { cwd: join(ROOT, 'packages', name) });
    const tarballs = (await readdir(packs)).filter((file) => file.endsWith('.tgz')).map((file) => join(packs, file));
    expect(tarballs).toHaveLength(PACKAGES.length);

    await run('npm', ['init', '-y'], { cwd: project });
    await run('npm', ['pkg', 'set', 'type=module'], { cwd: project });
    await run('npm', ['install', ...tarballs, '--no-audit', '--no-fund', '--loglevel=error'], { cwd: project, maxBuffer: 16 * 1024 * 1024 });
    const modules = join(project, 'node_modules');
    expect(existsSync(join(modules, '@tensorflow')), 'TensorFlow.js is an optional peer: a plain install must not pull it').toBe(false);
    const bytes = await sizeOf(modules);
    expect(bytes, `node_modules is ${(bytes / 2 ** 20).toFixed(0)} MB`).toBeLessThan(MAX_NODE_MODULES_BYTES);

    const registry = join(project, 'registry');
    await writeFile(join(project, 'train.mjs'), TRAIN_SCRIPT);
    const trained = await run(process.execPath, ['train.mjs', registry], { cwd: project });
    expect(JSON.parse(trained.stdout)).toMatchObject({ version: 1 });

    const child = spawn(
      join(modules, '.bin', 'mlsd'),
      ['serve', '--registry', registry, '--model', 'grocery-views', '--port', '0', '--log-level', 'warn', '--deadline-ms', '5000'],
      { cwd: project },
    );
    let stderr = '';
    child.stdout.resume();
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    try {
      const url = await new Promise<string>((done, fail) => {
        child.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
          const match = /listening on (http:\/\/\S+)/.exec(stderr);
          if (match !== null) done(match[1]!);
        });
        void exited.then((code) => fail(new Error(`mlsd serve exited with ${code}: ${stderr}`)));
      });
      expect(stderr).toMatch(/grocery-views v1, store memory/);

      const at = Date.UTC(2025, 1, 1);
      const events = ['a', 'b', 'c', 'd'].map((letter, i) => ({
        view_id: `fresh-${letter}`,
        at: new Date(at + i * 1000).toISOString(),
        shopper: i < 2 ? 'shopper-3' : 'new-shopper',
        item: `sku-${i}`,
        aisle: ['fruit', 'dairy', 'bakery', 'fruit'][i],
        price: [2.5, 19.99, 4, 27][i],
      }));
      const one = await post(`${url}/v1/score`, events[0]);
      expect(one.status, JSON.stringify(one.json)).toBe(200);
      const batch = await post(`${url}/v1/score`, events.slice(1));
      expect(batch.status, JSON.stringify(batch.json)).toBe(200);
      const answers = [one.json, ...batch.json];
      expect(answers.map((answer) => answer.id)).toEqual(events.map((event) => event.view_id));
      for (const answer of answers) {
        expect(answer, JSON.stringify(answer)).toMatchObject({ source: 'model', modelVersion: 1 });
        expect(answer.score).toBeGreaterThan(0);
        expect(answer.score).toBeLessThan(1);
      }
      // Cheap and dear items of the same aisle get different scores: the model, not a constant, answers.
      expect(new Set(answers.map((answer) => answer.score)).size).toBeGreaterThan(1);

      const feedback = await post(`${url}/v1/feedback`, { id: 'fresh-a', label: 1 });
      expect(feedback).toEqual({ status: 200, json: { id: 'fresh-a', label: 1, accepted: true, featureStoreEvents: 1 } });
      const batchFeedback = await post(`${url}/v1/feedback`, [
        { id: 'fresh-b', label: 0 },
        { id: 'fresh-c', label: 1 },
      ]);
      expect(batchFeedback.status).toBe(200);
      expect(batchFeedback.json).toEqual([
        { id: 'fresh-b', label: 0, accepted: true, featureStoreEvents: 1 },
        { id: 'fresh-c', label: 1, accepted: true, featureStoreEvents: 1 },
      ]);

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
