import { describe, expect, it } from 'vitest';
import { ColumnTable, defineSchema } from '@mlsd/data';
import { FeaturePipeline, OnlineFeatureExecutor, computeFeatures, type FeatureDefinition } from '@mlsd/features';

const H = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);

/** Ad clicks under the user's own names: string event and user ids, a category, a price, a 0/1 click. */
const SCHEMA = defineSchema('clicks', [
  { name: 'event_id', type: 'category', role: 'id', unique: true },
  { name: 'ts', type: 'timestamp', role: 'event-time' },
  { name: 'user', type: 'category', role: 'entity-key' },
  { name: 'price', type: 'float', role: 'feature', min: 0 },
  { name: 'device', type: 'category', role: 'feature', required: false },
  { name: 'clicked', type: 'label', role: 'label' },
]);
const USERS = ['u-a', 'u-b', 'u-a', 'u-c', 'u-a', 'u-b'];
const TABLE = new ColumnTable({
  event_id: { type: 'category', codes: Int32Array.of(0, 1, 2, 3, 4, 5), dictionary: ['e0', 'e1', 'e2', 'e3', 'e4', 'e5'] },
  ts: { type: 'timestamp', values: Float64Array.from(USERS, (_, i) => T0 + i * H) },
  user: { type: 'category', codes: Int32Array.from(USERS, (u) => ['u-a', 'u-b', 'u-c'].indexOf(u)), dictionary: ['u-a', 'u-b', 'u-c'] },
  price: { type: 'float', values: Float64Array.of(1, 2, 3, 4, 5, 6) },
  device: { type: 'category', codes: Int32Array.of(0, 1, 0, 1, 0, -1), dictionary: ['phone', 'desktop'] },
  clicked: { type: 'label', values: Uint8Array.of(1, 0, 0, 1, 0, 0) },
});
const FEATURES: FeatureDefinition[] = [
  { kind: 'window', entity: 'user', agg: 'count', window: '1d' },
  { kind: 'window', entity: 'user', column: 'price', agg: 'mean', window: '1d' },
  { kind: 'delayed-label', entity: 'user', label: 'clicked', window: '1d', delay: '2h', output: 'rate' },
  { kind: 'calendar', flag: 'night' },
  { kind: 'column', column: 'price' },
];

describe('schema roles drive the pipeline defaults', () => {
  it("takes time and id from the schema's roles and records the raw event schema it needs", () => {
    const pipeline = new FeaturePipeline({ features: FEATURES, transforms: [{ kind: 'one-hot', column: 'device' }], schema: SCHEMA }).fit(TABLE);
    expect([pipeline.time, pipeline.id]).toEqual(['ts', 'event_id']);
    expect(pipeline.eventSchema.columns.map((c) => `${c.name}:${c.type}:${c.role}:${c.required === false ? 'optional' : 'required'}`)).toEqual([
      'event_id:category:id:required',
      'ts:timestamp:event-time:required',
      'user:category:entity-key:required',
      'price:float:feature:required',
      'device:category:feature:optional',
      'clicked:label:label:required',
    ]);
    // The user's spec is kept (min), without the data-set property `unique`.
    expect(pipeline.eventSchema.columns[0]).toEqual({ name: 'event_id', type: 'category', role: 'id' });
    expect(pipeline.eventSchema.columns[3]).toMatchObject({ min: 0 });
    const loaded = FeaturePipeline.fromJSON(JSON.parse(JSON.stringify(pipeline)));
    expect(loaded.eventSchema).toEqual(pipeline.eventSchema);
    expect(Array.from(loaded.transform(TABLE).data)).toEqual(Array.from(pipeline.transform(TABLE).data));
  });

  it('takes the types of columns no schema describes from the training table, with defaults by role before fitting', () => {
    const unfitted = new FeaturePipeline({ features: FEATURES, time: 'ts', id: 'event_id' });
    expect(unfitted.eventSchema.columns.map((c) => c.type)).toEqual(['integer', 'timestamp', 'integer', 'float', 'label']);
    const fitted = unfitted.fit(TABLE);
    expect(fitted.eventSchema.columns.map((c) => `${c.name}:${c.type}`)).toEqual([
      'event_id:category',
      'ts:timestamp',
      'user:category',
      'price:float',
      'clicked:label',
    ]);
    expect(fitted.eventSchema.columns.find((c) => c.name === 'clicked')?.required).toBe(false);
  });

  it('derives the event schema of a pipeline saved before it was recorded', () => {
    const json = new FeaturePipeline({ features: FEATURES, schema: SCHEMA }).fit(TABLE).toJSON() as unknown as Record<string, unknown>;
    delete json['eventSchema'];
    const loaded = FeaturePipeline.fromJSON(json);
    expect(loaded.eventSchema.columns.map((c) => `${c.name}:${c.role}`)).toEqual([
      'event_id:id',
      'ts:event-time',
      'user:entity-key',
      'price:feature',
      'clicked:label',
    ]);
  });

  it('computes the same features offline with the schema as online with string ids, with the same defaults', async () => {
    const offline = computeFeatures(TABLE, FEATURES, { schema: SCHEMA });
    expect(offline.columnNames.length).toBe(FEATURES.length);
    const online = new OnlineFeatureExecutor(FEATURES, { schema: SCHEMA });
    const rate = offline.numeric(offline.columnNames[2]!);
    for (let row = 0; row < TABLE.rowCount; row++) {
      const event = { event_id: `e${row}`, ts: T0 + row * H, user: USERS[row]!, price: row + 1 };
      const vector = await online.observe(event);
      for (let f = 0; f < FEATURES.length; f++) expect(vector[f]).toBeCloseTo(offline.numeric(offline.columnNames[f]!)[row]!, 12);
      // Labels become known right away by string id; the delayed window only counts them 2 h later.
      expect(await online.feedback({ transactionId: `e${row}`, label: TABLE.labels('clicked')[row] as 0 | 1 })).toBe(1);
    }
    // u-a at row 4 (4 h): its clicks at 0 h (1) and 2 h (0) are older than the 2 h delay → rate 0.5.
    expect(rate[4]).toBe(0.5);
  });

  it('names the option to set when the default time column is missing', () => {
    const renamed = new FeaturePipeline({ features: FEATURES, id: 'event_id' });
    expect(() => renamed.fit(TABLE)).toThrow(
      'Column "TX_DATETIME" not found; the table has columns: event_id, ts, user, price, device, clicked. Set option "time" to your event-time column, or pass "schema" with a column of role "event-time".',
    );
    expect(() => computeFeatures(TABLE, [{ kind: 'window', entity: 'customer', agg: 'count', window: '1d' }], { time: 'ts' })).toThrow(
      /Column "customer" not found; feature "customer_COUNT\w*" reads it as its "entity"\. The table has columns: .*Set the feature's "entity"/,
    );
    expect(() =>
      new FeaturePipeline({ features: [{ kind: 'column', column: 'price' }], transforms: [{ kind: 'one-hot', column: 'colour' }] }).fit(TABLE),
    ).toThrow(/Column "colour" not found.*Set option "transforms\[0\]\.column"/);
  });
});

describe('default feature names', () => {
  it('speak in general words: counts of events and label rates, never transactions or risk', () => {
    const pipeline = new FeaturePipeline({
      features: [
        { kind: 'window', entity: 'user', agg: 'count', window: '1d' },
        { kind: 'window', entity: 'user', column: 'price', agg: 'mean', window: '1d' },
        { kind: 'delayed-label', entity: 'user', label: 'clicked', window: '7d', delay: '1h', output: 'rate' },
        { kind: 'delayed-label', entity: 'user', label: 'clicked', window: '7d', delay: '1h', output: 'count' },
      ],
    });
    expect(pipeline.rawFeatureNames).toEqual(['user_COUNT_1D', 'user_MEAN_price_1D', 'user_clicked_RATE_7D_DELAY_1H', 'user_COUNT_7D_DELAY_1H']);
  });
});
