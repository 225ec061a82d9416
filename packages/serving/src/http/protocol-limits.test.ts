import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScoringService, type ScoringService } from '@mlsd/serving';
import { checkJsonDepth } from './json-depth.js';
import { MapModelSource } from '../test-support/map-model-source.js';
import { SimpleFeatureBackend } from '../test-support/simple-feature-backend.js';
import { trainTinyModel } from '../test-support/tiny-model.js';

// Issue 13, protocol rows: bodies that pass the size limit but are built to cost the server.
let service: ScoringService;
beforeAll(async () => {
  service = await createScoringService({
    models: new MapModelSource().add(1, await trainTinyModel(), ['champion']),
    features: new SimpleFeatureBackend(),
    port: 0,
    defaultMetrics: false,
    overload: { maxEventLoopDelayMs: 10_000 },
    logLevel: 'silent',
  });
});
afterAll(async () => {
  await service.close();
});

const infer = (tensor: object) =>
  service.app.inject({ method: 'POST', url: '/v2/models/fraud/infer', payload: { inputs: [{ name: 'features', datatype: 'FP32', ...tensor }] } });

describe('Open Inference Protocol shapes are bounded by the body', () => {
  it('answers 400 (not 500) for a shape [100000, 100000] with two values', async () => {
    const res = await infer({ shape: [100_000, 100_000], data: [1, 2] });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatch(/shape \[100000, 100000\] \(10000000000 values\) but data holds 2 values; the shape must match the data/);
  });

  it('answers 400 for data nested 10,000 deep, and for rows nested inside rows', async () => {
    const deep = `${'['.repeat(10_000)}1${']'.repeat(10_000)}`;
    const nested = await service.app.inject({
      method: 'POST',
      url: '/v2/models/fraud/infer',
      headers: { 'content-type': 'application/json' },
      payload: `{"inputs":[{"name":"features","datatype":"FP32","shape":[1,1],"data":${deep}}]}`,
    });
    expect(nested.statusCode).toBe(400);
    expect(nested.json().error).toMatch(/nests arrays and objects deeper than 32 levels/);
    const rowsInRows = await infer({ shape: [1, 2], data: [[[1, 2]]] });
    expect(rowsInRows.statusCode).toBe(400);
    expect(rowsInRows.json().error).toMatch(/nests deeper than rows of numbers/);
  });

  it('still serves flat and nested rows whose count matches the shape', async () => {
    for (const data of [
      [1, 2, 3, 4],
      [
        [1, 2],
        [3, 4],
      ],
    ]) {
      const res = await infer({ shape: [2, 2], data });
      expect(res.statusCode).toBe(200);
      expect(res.json().outputs[0].shape).toEqual([2, 1]);
    }
  });
});

describe('JSON nesting depth is limited before parsing', () => {
  it('refuses a 1 MiB deeply nested body with 400 without holding the event loop', async () => {
    const half = 512 * 1024 - 8;
    const body = `${'['.repeat(half)}${']'.repeat(half)}`;
    // The best of five (the box is shared: one slow run says nothing); before the fix each took 110-270 ms.
    let best = Infinity;
    for (let run = 0; run < 5; run++) {
      const start = performance.now();
      const res = await service.app.inject({ method: 'POST', url: '/v1/score', headers: { 'content-type': 'application/json' }, payload: body });
      best = Math.min(best, performance.now() - start);
      expect(res.statusCode).toBe(400);
      // The scan stopped at the 33rd bracket: nothing parsed or walked the other megabyte.
      expect(res.json()).toMatchObject({ code: 'INVALID_INPUT', error: expect.stringMatching(/deeper than 32 levels \(at character 32\)/) });
    }
    expect(best).toBeLessThan(50);
  });

  it('counts only brackets outside strings, and lets ordinary bodies through', () => {
    expect(() => checkJsonDepth(`{"a":"${'['.repeat(100)}"}`, 2)).not.toThrow();
    expect(() => checkJsonDepth('{"a":"\\"[[[["}', 1)).not.toThrow();
    expect(() => checkJsonDepth('[[[1]]]', 3)).not.toThrow();
    expect(() => checkJsonDepth('[[[1]]]', 2)).toThrow(/deeper than 2 levels \(at character 2\)/);
  });
});
