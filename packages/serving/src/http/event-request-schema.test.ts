import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TRANSACTION_SCHEMA, defineSchema, isMlsdError, type ColumnSpec, type ColumnType, type Schema } from '@mlsd/data';
import { FeaturePipeline, OnlineFeatureExecutor } from '@mlsd/features';
import { EventRequestSchema } from './event-request-schema.js';

const T = Date.UTC(2024, 2, 1, 12);

/** A value that column `spec` accepts, with what it parses to. */
function validValue(spec: ColumnSpec): fc.Arbitrary<{ sent: unknown; parsed: string | number }> {
  const key = spec.role === 'id' || spec.role === 'entity-key';
  const low = Math.max(spec.min ?? -1e9, key ? 0 : -1e9);
  switch (spec.type) {
    case 'integer':
      return fc.integer({ min: Math.ceil(low), max: 1e9 }).map((v) => ({ sent: v, parsed: v }));
    case 'float':
      return fc.double({ min: low, max: 1e9, noNaN: true }).map((v) => ({ sent: v, parsed: v }));
    case 'timestamp':
      return fc.oneof(
        fc.integer({ min: 0, max: 4e12 }).map((v) => ({ sent: v, parsed: v })),
        fc.integer({ min: 0, max: 4e9 }).map((s) => ({ sent: new Date(s * 1000).toISOString().replace('T', ' ').slice(0, 19), parsed: s * 1000 })),
      );
    case 'category':
      return fc.oneof(
        fc.string({ minLength: 1 }).map((v) => ({ sent: v, parsed: v })),
        fc.integer().map((v) => ({ sent: v, parsed: v })),
      );
    case 'label':
      return fc.constantFrom({ sent: true, parsed: 1 }, { sent: 0, parsed: 0 }, { sent: 1, parsed: 1 }, { sent: false, parsed: 0 });
  }
}

/** A value column `spec` refuses (wrong type, or below its bounds). */
function invalidValue(spec: ColumnSpec): fc.Arbitrary<unknown> {
  const key = spec.role === 'id' || spec.role === 'entity-key';
  switch (spec.type) {
    case 'integer':
      return fc.oneof(
        fc.constant('12'),
        fc.constant(1.5),
        fc.constant(Number.MAX_SAFE_INTEGER + 2),
        key || spec.min !== undefined ? fc.constant(Math.min(-1, (spec.min ?? 0) - 1)) : fc.constant(true),
      );
    case 'float':
      return fc.oneof(fc.constant('1.5'), fc.constant(true), spec.min === undefined ? fc.constant({}) : fc.constant(spec.min - 1));
    case 'timestamp':
      return fc.constantFrom('2024-02-30 10:00:00', 'yesterday', true, Number.NaN);
    case 'category':
      return fc.constantFrom('', true, {}, [1]);
    case 'label':
      return fc.constantFrom(2, 'yes', -1, 0.5);
  }
}

const TYPES: readonly ColumnType[] = ['integer', 'float', 'timestamp', 'category', 'label'];

/** Random data schemas with roles: one id, one event time, some entity keys, features and labels. */
const schemas: fc.Arbitrary<Schema> = fc
  .record({
    idType: fc.constantFrom<ColumnType>('integer', 'category'),
    keys: fc.array(fc.constantFrom<ColumnType>('integer', 'category'), { maxLength: 3 }),
    features: fc.array(
      fc.record({ type: fc.constantFrom(...TYPES), required: fc.boolean(), min: fc.option(fc.integer({ min: -5, max: 5 }), { nil: undefined }) }),
      { maxLength: 5 },
    ),
    labels: fc.integer({ min: 0, max: 2 }),
  })
  .map(({ idType, keys, features, labels }) =>
    defineSchema('random', [
      { name: 'the id', type: idType, role: 'id' },
      { name: 'when', type: 'timestamp', role: 'event-time' },
      ...keys.map((type, k): ColumnSpec => ({ name: `key${k}`, type, role: 'entity-key' })),
      ...features.map(
        ({ type, required, min }, f): ColumnSpec => ({
          name: `f${f}`,
          type,
          role: 'feature',
          ...(required ? {} : { required: false }),
          ...(min !== undefined && (type === 'integer' || type === 'float') ? { min } : {}),
        }),
      ),
      ...Array.from({ length: labels }, (_, l): ColumnSpec => ({ name: `label${l}`, type: 'label', role: 'label' })),
    ]),
  );

/** A schema with a valid event for it (and what each field parses to). */
const schemaAndEvent = schemas.chain((schema) => {
  const request = schema.columns.filter((c) => c.role !== 'label');
  return fc
    .tuple(...request.map((spec) => (spec.required === false ? fc.option(validValue(spec), { nil: undefined }) : validValue(spec))))
    .map((values) => ({ schema, request, values }));
});

describe('EventRequestSchema (property tests)', () => {
  it('parses every valid event to its fields, id and time, dropping unknown keys and label columns', () => {
    fc.assert(
      fc.property(schemaAndEvent, ({ schema, request, values }) => {
        const body: Record<string, unknown> = { unknown: 'dropped', label0: 1 };
        request.forEach((spec, c) => {
          if (values[c] !== undefined) body[spec.name] = values[c]!.sent;
        });
        const parser = new EventRequestSchema(schema);
        const event = parser.parse(body);
        expect(Object.keys(event.fields)).toEqual(request.map((c) => c.name));
        request.forEach((spec, c) => expect(event.fields[spec.name]).toEqual(values[c]?.parsed ?? null));
        expect(event.id).toEqual(values[0]!.parsed);
        expect(event.time).toEqual(values[1]!.parsed);
        // The zod schema, which words the 400s, agrees with the fast path.
        expect(parser.bodySchema.parse(body)).toEqual(event);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses an event with one bad or missing required field with INVALID_INPUT naming that field and item', () => {
    const cases = schemaAndEvent.chain((c) =>
      fc
        .integer({ min: 0, max: c.request.length - 1 })
        .chain((bad) =>
          fc.tuple(
            fc.constant(c),
            fc.constant(bad),
            fc.oneof(invalidValue(c.request[bad]!), c.request[bad]!.required === false ? invalidValue(c.request[bad]!) : fc.constant(undefined)),
          ),
        ),
    );
    fc.assert(
      fc.property(cases, ([{ schema, request, values }, bad, value]) => {
        const body: Record<string, unknown> = {};
        request.forEach((spec, c) => {
          if (values[c] !== undefined) body[spec.name] = values[c]!.sent;
        });
        body[request[bad]!.name] = value;
        const parser = new EventRequestSchema(schema);
        let error: unknown;
        try {
          parser.parseBatch([{ ...body, [request[bad]!.name]: values[bad]?.sent ?? null }, body]);
        } catch (caught) {
          error = caught;
        }
        expect(isMlsdError(error, 'INVALID_INPUT')).toBe(true);
        expect((error as Error).message).toContain(`field '${request[bad]!.name}' of item 1`);
      }),
      { numRuns: 300 },
    );
  });
});

describe('EventRequestSchema', () => {
  const handbook = new EventRequestSchema(TRANSACTION_SCHEMA);

  it('reads the Handbook schema as the fraud service always has, and words errors like zod', () => {
    const event = handbook.parse({ TRANSACTION_ID: 5, TX_DATETIME: '2018-04-01 10:00:00', CUSTOMER_ID: 3, TERMINAL_ID: 4, TX_AMOUNT: 12.5, TX_FRAUD: 1 });
    expect(event).toEqual({
      id: 5,
      time: Date.UTC(2018, 3, 1, 10),
      fields: { TRANSACTION_ID: 5, TX_DATETIME: Date.UTC(2018, 3, 1, 10), CUSTOMER_ID: 3, TERMINAL_ID: 4, TX_AMOUNT: 12.5 },
    });
    expect(handbook.entityKeys).toEqual(['CUSTOMER_ID', 'TERMINAL_ID']);
    expect(() => handbook.parseBatch([{ ...event.fields }, { ...event.fields, TX_AMOUNT: -5 }])).toThrow(
      "Invalid score request: field 'TX_AMOUNT' of item 1: Too small: expected number to be >=0.",
    );
  });

  it('takes string ids and keys, and names what a model needs that the request lacks', () => {
    const clicks = defineSchema('clicks', [
      { name: 'event_id', type: 'category', role: 'id' },
      { name: 'ts', type: 'timestamp', role: 'event-time' },
      { name: 'user', type: 'category', role: 'entity-key' },
    ]);
    const parser = new EventRequestSchema(clicks);
    expect(parser.parse({ event_id: 'e-1', ts: T, user: 'u-9' })).toMatchObject({ id: 'e-1', time: T });
    expect(() => parser.parse({ event_id: '', ts: T, user: 'u-9' })).toThrow(/field 'event_id': expected a non-empty string/);
    const needed = defineSchema('pipeline', [
      ...clicks.columns,
      { name: 'price', type: 'float', role: 'feature' },
      { name: 'clicked', type: 'label', role: 'label' },
    ]);
    expect(parser.uncovered(needed)).toEqual(['missing field "price"']);
    expect(parser.uncovered(clicks)).toEqual([]);
    expect(() => new EventRequestSchema(defineSchema('x', [{ name: 'ts', type: 'timestamp', role: 'event-time' }]))).toThrow(/has no column of role "id"/);
  });
});

describe('EventRequestSchema from a pipeline schema (property test)', () => {
  /** Random feature definitions over entity keys k0..k2 and numeric columns v0..v2, with a delayed label. */
  const definitions = fc.array(
    fc.oneof(
      fc.record({
        kind: fc.constant('window' as const),
        entity: fc.constantFrom('k0', 'k1', 'k2'),
        agg: fc.constant('count' as const),
        window: fc.constantFrom('1h', '1d'),
      }),
      fc.record({
        kind: fc.constant('window' as const),
        entity: fc.constantFrom('k0', 'k1'),
        column: fc.constantFrom('v0', 'v1'),
        agg: fc.constantFrom('mean' as const, 'max' as const),
        window: fc.constant('1d'),
      }),
      fc.record({ kind: fc.constant('column' as const), column: fc.constantFrom('v0', 'v1', 'v2') }),
      fc.record({
        kind: fc.constant('delayed-label' as const),
        entity: fc.constantFrom('k0', 'k1'),
        label: fc.constant('y'),
        window: fc.constant('7d'),
        delay: fc.constant('1d'),
        output: fc.constantFrom('count' as const, 'rate' as const),
      }),
      fc.record({ kind: fc.constant('calendar' as const), flag: fc.constantFrom('night' as const, 'weekend' as const) }),
    ),
    { minLength: 1, maxLength: 6 },
  );
  const keyTypes = fc.tuple(
    fc.constantFrom<ColumnType>('integer', 'category'),
    fc.constantFrom<ColumnType>('integer', 'category'),
    fc.constantFrom<ColumnType>('integer', 'category'),
  );

  it("accepts exactly what the pipeline's online features need: every event it parses can be observed", async () => {
    await fc.assert(
      fc.asyncProperty(definitions, keyTypes, fc.constantFrom<ColumnType>('integer', 'category'), async (raw, types, idType) => {
        // Unique names: the same definition drawn twice would be refused as a duplicate feature.
        const keys = raw.map((d) => JSON.stringify(d));
        const defs = raw.filter((_, i) => keys.indexOf(keys[i]!) === i);
        const schema = defineSchema('random', [
          { name: 'eid', type: idType, role: 'id' },
          { name: 't', type: 'timestamp', role: 'event-time' },
          ...types.map((type, k): ColumnSpec => ({ name: `k${k}`, type, role: 'entity-key' })),
          { name: 'v0', type: 'float', role: 'feature' },
          { name: 'v1', type: 'integer', role: 'feature', min: 0 },
          { name: 'v2', type: 'float', role: 'feature', required: false },
          { name: 'y', type: 'label', role: 'label' },
          { name: 'unused', type: 'category', role: 'feature' },
        ]);
        const pipeline = new FeaturePipeline({ features: defs, schema });
        const request = new EventRequestSchema(pipeline.eventSchema);
        // The request asks for no column the pipeline does not read (and never the label or unused columns).
        const read = new Set([
          'eid',
          't',
          ...defs.flatMap((d) => (Object.values(d) as unknown[]).filter((v): v is string => typeof v === 'string' && /^(k|v)\d$/.test(v))),
        ]);
        expect(new Set(request.schema.columns.map((c) => c.name))).toEqual(read);
        const body: Record<string, unknown> = { eid: idType === 'integer' ? 7 : 'e-7', t: '2024-03-01 10:00:00' };
        for (const spec of request.schema.columns) {
          if (spec.name in body) continue;
          body[spec.name] = spec.type === 'category' ? `${spec.name}-a` : spec.name === 'v2' ? null : 3;
        }
        const event = request.parse(body);
        const vector = await new OnlineFeatureExecutor(defs, { schema }).observe(event.fields);
        expect(vector.length).toBe(defs.length);
      }),
      { numRuns: 60 },
    );
  });
});
