import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScoringService, memoryFeatureBackend, registryModelSource, type ScoringService } from '@mlsd/serving';
import { HANDBOOK_SERVICE } from '../test-support/handbook-service.js';
import { trainedRegistry, type TrainedRegistry } from '../test-support/trained-registry.js';

// Issue 13: random request bodies — valid (often late or duplicate ids), invalid, out of bounds, wrongly typed,
// batches — never get a 5xx and never open a circuit breaker, so no client can switch the model off for the others.

let trained: TrainedRegistry;
let service: ScoringService;
beforeAll(async () => {
  trained = await trainedRegistry({ customers: 40, days: 7, seed: 17 });
  service = await createScoringService({
    ...HANDBOOK_SERVICE,
    models: registryModelSource(trained.registry),
    features: memoryFeatureBackend(),
    port: 0,
    deadlineMs: 5000,
    // One failure would open a circuit: any failure blamed on a dependency shows.
    circuitBreaker: { failureThreshold: 1 },
    defaultMetrics: false,
    overload: { maxEventLoopDelayMs: 10_000 },
    logLevel: 'silent',
  });
});
afterAll(async () => {
  await service.close();
  await trained.remove();
});

const T0 = Date.UTC(2018, 3, 2);
const number = fc.oneof(
  { arbitrary: fc.double({ min: 0, max: 500, noNaN: true }), weight: 4 },
  fc.constantFrom(1e308, -1e308, 1e16, -1, 0, 1e9, 1e9 + 1, 2 ** 53, 1.5, Number.MAX_VALUE, Number.MIN_VALUE),
  fc.double(),
);
const anyValue = fc.oneof(number, fc.string({ maxLength: 8 }), fc.constantFrom(null, true, false, [], {}, '9999-12-31 23:59:59', '2018-04-02 10:00:00', 'NaN'));
const time = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 48 * 60 }).map((m) => T0 + m * 60_000), weight: 4 },
  fc.integer({ min: 0, max: 48 * 60 }).map((m) => new Date(T0 + m * 60_000).toISOString().replace('T', ' ').slice(0, 19)),
  anyValue,
);
const id = fc.oneof({ arbitrary: fc.integer({ min: 0, max: 300 }), weight: 4 }, anyValue);
const event = fc.record(
  { TRANSACTION_ID: id, TX_DATETIME: time, CUSTOMER_ID: id, TERMINAL_ID: id, TX_AMOUNT: fc.oneof({ arbitrary: number, weight: 4 }, anyValue), extra: anyValue },
  { requiredKeys: [] },
);
/** A well-formed event (so that many requests are scored, late, duplicated), or any of the above. */
const validEvent = fc.record({
  TRANSACTION_ID: fc.integer({ min: 0, max: 300 }),
  TX_DATETIME: fc.integer({ min: 0, max: 48 * 60 }).map((m) => T0 + m * 60_000),
  CUSTOMER_ID: fc.integer({ min: 0, max: 5 }),
  TERMINAL_ID: fc.integer({ min: 0, max: 5 }),
  TX_AMOUNT: fc.double({ min: 0, max: 1e9, noNaN: true }),
});
const someEvent = fc.oneof({ arbitrary: validEvent, weight: 3 }, event);
const body = fc.oneof({ arbitrary: someEvent, weight: 3 }, fc.array(someEvent, { minLength: 1, maxLength: 6 }), anyValue);

describe('/v1/score under random bodies (fast-check)', () => {
  it('never answers 5xx and never opens a circuit', async () => {
    await fc.assert(
      fc.asyncProperty(body, async (payload) => {
        const res = await service.app.inject({
          method: 'POST',
          url: '/v1/score',
          headers: { 'content-type': 'application/json' },
          payload: JSON.stringify(payload),
        });
        expect(res.statusCode === 200 || res.statusCode === 400, `${res.statusCode} ${res.body}`).toBe(true);
        if (res.statusCode === 200) {
          const answers = [res.json()].flat() as { fallbackReason?: string }[];
          for (const answer of answers)
            expect(answer.fallbackReason === undefined || answer.fallbackReason === 'invalid-event', JSON.stringify(answer)).toBe(true);
        }
        const { circuits } = (await service.app.inject({ url: '/v2/health/ready' })).json();
        expect(circuits).toEqual({ model: 'closed', store: 'closed' });
      }),
      { numRuns: 300, seed: 13 },
    );
  });
});
