import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScoringService, type ScoringService } from '@mlsd/serving';
import { SimpleFeatureBackend } from '../../test-support/simple-feature-backend.js';
import { MapModelSource } from '../../test-support/map-model-source.js';
import { trainTinyModel } from '../../test-support/tiny-model.js';
import { TRANSACTION_SCHEMA } from '@mlsd/data';
import { EventRequestSchema } from '../event-request-schema.js';
import { HANDBOOK_SERVICE } from '../../test-support/handbook-service.js';
import { zodToOpenApi } from './route-docs.js';

type Operation = {
  summary?: string;
  requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<string, unknown>;
  security?: unknown;
};
type OpenApi = { openapi: string; info: { version: string }; paths: Record<string, Record<string, Operation>>; components: Record<string, unknown> };

let service: ScoringService;
let spec: OpenApi;

beforeAll(async () => {
  service = await createScoringService({
    ...HANDBOOK_SERVICE,
    models: new MapModelSource().add(1, await trainTinyModel(), ['champion']),
    features: new SimpleFeatureBackend(),
    port: 0,
    adminToken: 'test-admin-token-0123456789',
    defaultMetrics: false,
    maxBatchSize: 50,
    logStream: { write: () => undefined },
  });
  const res = await service.app.inject({ url: '/docs/json' });
  expect(res.statusCode).toBe(200);
  spec = res.json();
});

afterAll(async () => {
  await service.close();
});

describe('GET /docs/json', () => {
  it('describes every route of the service in OpenAPI 3, each with a summary and a success response', () => {
    expect(spec.openapi).toMatch(/^3\.0\./);
    const operations = Object.entries(spec.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ route: `${method.toUpperCase()} ${path}`, op })),
    );
    const routes = operations.map((o) => o.route).sort();
    expect(routes).toEqual(
      [
        'POST /v1/score',
        'POST /v1/feedback',
        'GET /v1/monitoring',
        'GET /metrics',
        'GET /dashboard',
        'POST /admin/reload',
        'GET /v2',
        'GET /v2/health/live',
        'GET /v2/health/ready',
        'GET /v2/models/{name}',
        'GET /v2/models/{name}/versions/{version}',
        'GET /v2/models/{name}/ready',
        'GET /v2/models/{name}/versions/{version}/ready',
        'POST /v2/models/{name}/infer',
        'POST /v2/models/{name}/versions/{version}/infer',
      ].sort(),
    );
    // @fastify/swagger lists every registered route: one without an entry in routeDocs has no summary.
    for (const { route, op } of operations) {
      expect(op.summary, `${route} has no documentation in route-docs.ts`).toBeTruthy();
      expect(Object.keys(op.responses), route).toContain('200');
    }
  });

  it('takes request bodies from the zod schemas the routes validate with', () => {
    const body = spec.paths['/v1/score']!['post']!.requestBody!.content['application/json']!.schema as { oneOf: Record<string, unknown>[] };
    const single = zodToOpenApi(new EventRequestSchema(TRANSACTION_SCHEMA).bodySchema);
    expect(body.oneOf[0]).toEqual(single);
    expect(body.oneOf[1]).toMatchObject({ type: 'array', maxItems: 50, items: single });
    expect(single).toMatchObject({
      required: ['TRANSACTION_ID', 'TX_DATETIME', 'CUSTOMER_ID', 'TERMINAL_ID', 'TX_AMOUNT'],
      properties: { TX_AMOUNT: { type: 'number', minimum: 0 } },
    });
    const infer = spec.paths['/v2/models/{name}/infer']!['post']!.requestBody!.content['application/json']!.schema as {
      properties: Record<string, { maxItems?: number }>;
    };
    expect(infer.properties['inputs']).toMatchObject({ minItems: 1, maxItems: 1 });
    expect(spec.paths['/admin/reload']!['post']!.security).toEqual([{ adminToken: [] }]);
  });

  it('leaves validation to zod: the 400 keeps its wording and extra keys are still ignored', async () => {
    const bad = await service.app.inject({
      method: 'POST',
      url: '/v1/score',
      payload: { TRANSACTION_ID: 1, TX_DATETIME: '2018-04-01 10:00:00', CUSTOMER_ID: 7, TERMINAL_ID: 3, TX_AMOUNT: -1 },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'INVALID_INPUT', error: expect.stringMatching(/field 'TX_AMOUNT'/) });
    const extra = await service.app.inject({
      method: 'POST',
      url: '/v1/score',
      payload: { TRANSACTION_ID: 2, TX_DATETIME: '2018-04-01 10:00:00', CUSTOMER_ID: 7, TERMINAL_ID: 3, TX_AMOUNT: 10, TX_FRAUD: 1 },
    });
    expect(extra.statusCode).toBe(200);
    expect(extra.json()).toMatchObject({ transactionId: 2, source: 'model' });
  });
});

describe('GET /docs', () => {
  it('renders Swagger UI from assets the service serves itself (no CDN)', async () => {
    const page = await service.app.inject({ url: '/docs' });
    const html = page.statusCode === 302 ? (await service.app.inject({ url: page.headers.location as string })).body : page.body;
    expect(html).toMatch(/swagger-ui/);
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThan(0);
    for (const asset of assets) expect(asset, 'an asset from the network').not.toMatch(/^(https?:)?\/\//);
    const bundle = await service.app.inject({ url: '/docs/static/swagger-ui-bundle.js' });
    expect(bundle.statusCode).toBe(200);
    expect(bundle.body.length).toBeGreaterThan(100_000);
  });
});
