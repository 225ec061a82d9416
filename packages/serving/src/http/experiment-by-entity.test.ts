import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReferenceProfile } from '@mlsd/eval';
import { FileModelRegistry } from '@mlsd/models';
import { Monitor, assignArm } from '@mlsd/monitoring';
import { createScoringService, memoryFeatureBackend, registryModelSource } from '@mlsd/serving';
import { clickEvents, clickTable, registerClickModel } from '../test-support/click-events.js';

let dir: string;
let profile: unknown;

// The click model as champion (v1) and again as challenger (v2): the answering version tells the arm.
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlsd-experiment-'));
  const { pipeline, model } = await registerClickModel(dir, 800);
  const registry = new FileModelRegistry(dir);
  const entry = await registry.register('clicks', model, { featurePipeline: pipeline.toJSON() });
  await registry.setAlias('clicks', 'challenger', entry.version);
  const table = clickTable(clickEvents(300, 4).events);
  profile = buildReferenceProfile({ features: pipeline.rawFeatures(table), scores: model.predictProba(pipeline.transform(table)) });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('experiments by any entity key', () => {
  it('routes every event of a string user id to the arm its hash gives, champion or challenger', async () => {
    const experiment = { challengerShare: 0.5, seed: 11 };
    const service = await createScoringService({
      models: registryModelSource(new FileModelRegistry(dir)),
      features: memoryFeatureBackend(),
      modelName: 'clicks',
      port: 0,
      defaultMetrics: false,
      deadlineMs: 5000,
      logStream: { write: () => undefined },
      monitorFields: { unit: 'user' },
      monitor: () => new Monitor({ profile, experiment }),
    });
    try {
      const { events } = clickEvents(120, 8);
      const res = await service.app.inject({ method: 'POST', url: '/v1/score', payload: events });
      const answers = res.json() as Array<{ id: string; modelVersion: number; source: string }>;
      expect(answers.every((a) => a.source === 'model')).toBe(true);
      const versions = new Set<number>();
      answers.forEach((answer, i) => {
        const arm = assignArm(events[i]!.user, experiment);
        expect(answer.modelVersion, `user ${events[i]!.user}`).toBe(arm === 'challenger' ? 2 : 1);
        versions.add(answer.modelVersion);
      });
      expect([...versions].sort()).toEqual([1, 2]);
    } finally {
      await service.close();
    }
  });
});
