import { describe, expect, it } from 'vitest';
import { ColumnTable, MlsdError, isMlsdError } from '@mlsd/data';
import { FeaturePipeline, handbookFeatures, type FeaturePipelineSpec } from '@mlsd/features';
import { eventOrder, randomTransactions } from '../test-support/random-transactions.js';

const NAN = Number.NaN;

// Rows 0-4 are training rows, 5-6 test rows whose extreme values must not leak into the fitted state.
const TABLE = new ColumnTable({
  AMOUNT: { type: 'float', values: Float64Array.of(1, NAN, 3, 5, 7, 1000, NAN) },
  MERCHANT: { type: 'category', codes: Int32Array.of(0, 1, 0, 2, 0, 2, 3), dictionary: ['a', 'b', 'c', 'z'] },
});
const TRAIN = Int32Array.of(0, 1, 2, 3, 4);
const TEST = Int32Array.of(5, 6);
const SPEC: FeaturePipelineSpec = {
  features: [{ kind: 'column', column: 'AMOUNT' }],
  transforms: [
    { kind: 'median-impute', columns: ['AMOUNT'] },
    { kind: 'standard-scale', columns: ['AMOUNT'] },
    { kind: 'one-hot', column: 'MERCHANT', maxCategories: 2 },
    { kind: 'frequency-encode', column: 'MERCHANT' },
  ],
};

describe('FeaturePipeline transforms', () => {
  it('gives the same matrices when called again on the same table (the computed features are reused, never changed)', () => {
    const pipeline = new FeaturePipeline(SPEC).fit(TABLE, { rows: TRAIN });
    const all = Array.from(pipeline.transform(TABLE).data);
    expect(Array.from(pipeline.transform(TABLE).data)).toEqual(all);
    expect(Array.from(pipeline.transform(TABLE, { rows: TEST }).data)).toEqual(
      Array.from(new FeaturePipeline(SPEC).fit(TABLE, { rows: TRAIN }).transform(TABLE, { rows: TEST }).data),
    );
    // Before any transform: the raw AMOUNT, NaN kept, as computeFeatures gives it.
    const raw = pipeline.rawFeatures(TABLE, { rows: Int32Array.of(6, 0, 5) });
    expect(raw.featureNames).toEqual(['AMOUNT']);
    expect(Array.from(raw.data)).toEqual([NAN, 1, 1000]);
    expect(Array.from(pipeline.transform(TABLE).data)).toEqual(all);
  });

  it('fits on training rows only and applies the hand-computed transforms', () => {
    const pipeline = new FeaturePipeline(SPEC).fit(TABLE, { rows: TRAIN });
    expect(pipeline.featureNames).toEqual(['AMOUNT', 'AMOUNT_MISSING', 'MERCHANT=a', 'MERCHANT=b', 'MERCHANT_FREQUENCY']);
    // Train amounts 1, 3, 5, 7 → median 4; imputed 1, 4, 3, 5, 7 → mean 4, population std 2.
    const test = pipeline.transform(TABLE, { rows: TEST });
    expect(Array.from(test.data)).toEqual([(1000 - 4) / 2, 0, 0, 0, 0.2, 0, 1, 0, 0, 0]);
    const train = pipeline.transform(TABLE, { rows: TRAIN });
    expect(Array.from(train.data.subarray(0, 10))).toEqual([-1.5, 0, 1, 0, 0.6, 0, 1, 0, 1, 0.2]);
    expect(pipeline.toJSON().transforms.map((t) => t.state)).toEqual([
      { medians: [4] },
      { means: [4], stds: [2] },
      { categories: ['a', 'b'] },
      { frequencies: { a: 0.6, b: 0.2, c: 0.2 } },
    ]);
  });

  it('gives the same vector per event as for the table, before and after a JSON round trip', () => {
    const pipeline = new FeaturePipeline({ ...SPEC, output: ['MERCHANT_FREQUENCY', 'AMOUNT', 'AMOUNT_MISSING'] }).fit(TABLE, { rows: TRAIN });
    const loaded = FeaturePipeline.fromJSON(JSON.parse(JSON.stringify(pipeline)));
    expect(loaded.featureNames).toEqual(['MERCHANT_FREQUENCY', 'AMOUNT', 'AMOUNT_MISSING']);
    const batch = loaded.transform(TABLE);
    const merchants = ['a', 'b', 'a', 'c', 'a', 'c', 'z'];
    for (let row = 0; row < TABLE.rowCount; row++) {
      const amount = TABLE.numeric('AMOUNT')[row]!;
      const vector = pipeline.transformEvent(Float64Array.of(amount), { AMOUNT: amount, MERCHANT: merchants[row] });
      expect(Array.from(vector)).toEqual(Array.from(batch.data.subarray(row * 3, row * 3 + 3)));
    }
    expect(Array.from(pipeline.transformEvent(Float64Array.of(NAN), { MERCHANT: null }))).toEqual([0, 0, 1]);
  });

  it('scales one event exactly as transform() scales the table (chained scalings, reordered output, after JSON)', () => {
    const table = randomTransactions(200, 5);
    const names = handbookFeatures().map((f) => f.name!);
    const spec: FeaturePipelineSpec = {
      features: handbookFeatures(),
      transforms: [
        { kind: 'standard-scale', columns: names },
        { kind: 'standard-scale', columns: names.slice(3, 9) },
      ],
      output: [names[14]!, names[4]!, names[0]!],
    };
    const pipeline = new FeaturePipeline(spec).fit(table, { rows: Int32Array.from({ length: 120 }, (_, i) => i) });
    const loaded = FeaturePipeline.fromJSON(JSON.parse(JSON.stringify(pipeline)));
    const batch = pipeline.transform(table);
    const raw = pipeline.rawFeatures(table);
    for (let row = 0; row < table.rowCount; row++) {
      const features = raw.data.slice(row * 15, row * 15 + 15) as Float64Array;
      const expected = Array.from(batch.data.subarray(row * 3, row * 3 + 3));
      expect(Array.from(pipeline.transformEvent(features, {}))).toEqual(expected);
      expect(Array.from(loaded.transformEvent(features, {}))).toEqual(expected);
    }
  });

  it('serves the same vectors online as transform() gives offline, for every row of a replay', async () => {
    const table = randomTransactions(300, 21);
    const pipeline = new FeaturePipeline({
      features: handbookFeatures(),
      transforms: [{ kind: 'standard-scale', columns: handbookFeatures().map((f) => f.name!) }],
    }).fit(table, { rows: Int32Array.from({ length: 200 }, (_, i) => i) });
    const offline = pipeline.transform(table);
    const online = FeaturePipeline.fromJSON(JSON.parse(JSON.stringify(pipeline.toJSON()))).createOnline({ lateness: 0 });
    const fraud = table.labels('TX_FRAUD');
    const times = table.numeric('TX_DATETIME');
    const pending: number[] = [];
    const mismatches: string[] = [];
    for (const row of eventOrder(table)) {
      while (pending.length > 0 && times[pending[0]!]! + 7 * 86_400_000 <= times[row]!) {
        const due = pending.shift()!;
        await online.feedback({ transactionId: due, label: fraud[due] as 0 | 1 });
      }
      const event = Object.fromEntries(table.columnNames.map((name) => [name, name === 'TX_FRAUD' ? undefined : table.numeric(name)[row]]));
      const { vector, raw } = await online.observe(event);
      expect(raw.length).toBe(15);
      vector.forEach((value, c) => {
        const expected = offline.data[row * 15 + c]!;
        if (!(Math.abs(value - expected) <= 1e-9 * Math.max(1, Math.abs(expected))))
          mismatches.push(`row ${row} ${pipeline.featureNames[c]}: ${value} vs ${expected}`);
      });
      pending.push(row);
    }
    expect(mismatches).toEqual([]);
    await online.close();
  });
});

describe('FeaturePipeline validation', () => {
  it('refuses to transform or save before fit, and rejects unknown options and outputs', () => {
    const pipeline = new FeaturePipeline(SPEC);
    expect(pipeline.isFitted).toBe(false);
    expect(() => pipeline.transform(TABLE)).toThrow(/not fitted; call fit/);
    expect(() => pipeline.toJSON()).toThrow(MlsdError);
    expect(() => new FeaturePipeline({ ...SPEC, transform: [] } as never)).toThrow(/Unknown feature pipeline option "transform"; valid: features, transforms/);
    expect(() => new FeaturePipeline({ ...SPEC, transforms: [{ kind: 'pca', columns: ['AMOUNT'] } as never] })).toThrow(
      /transforms\[0\]\.kind is "pca"; valid kinds are standard-scale, median-impute, one-hot, frequency-encode/,
    );
    expect(() => new FeaturePipeline({ ...SPEC, output: ['AMOUNT_LOG'] }).fit(TABLE)).toThrow(
      /Output column "AMOUNT_LOG" is not produced.*AMOUNT, AMOUNT_MISSING/,
    );
    expect(() => new FeaturePipeline({ features: SPEC.features, transforms: [{ kind: 'standard-scale', columns: ['AMOUNT'] }] }).fit(TABLE)).toThrow(
      /feature "AMOUNT" row 1 is missing; add a median-impute transform before it/,
    );
  });

  it('loads only well-formed JSON of a known schema version', () => {
    const json = new FeaturePipeline(SPEC).fit(TABLE, { rows: TRAIN }).toJSON();
    expect(json.schemaVersion).toBe(1);
    expect(json.libraryVersion).toBe('0.1.0');
    const load = (patch: Record<string, unknown>) => () => FeaturePipeline.fromJSON({ ...JSON.parse(JSON.stringify(json)), ...patch });
    const expectCorrupt = (fn: () => unknown, pattern: RegExp) => {
      try {
        fn();
        expect.unreachable();
      } catch (error) {
        expect(isMlsdError(error, 'CORRUPT_ARTIFACT'), String(error)).toBe(true);
        expect((error as Error).message).toMatch(pattern);
      }
    };
    expectCorrupt(load({ schemaVersion: 2 }), /schemaVersion" is 2; this version of @mlsd\/features reads schema version 1/);
    expectCorrupt(load({ kind: 'model' }), /"kind" is "model"/);
    expectCorrupt(
      load({ transforms: [{ spec: json.transforms[0]!.spec, state: { medians: [] } }] }),
      /transforms\[0\]\.state\.medians must be 1 finite numbers/,
    );
    expectCorrupt(load({ features: [{ kind: 'window' }] }), /features\[0\]\.entity/);
    expectCorrupt(load({ output: ['AMOUNT', 'MERCHANT=q'] }), /"MERCHANT=q" is not produced/);
    expectCorrupt(() => FeaturePipeline.fromJSON('{}'), /is not an object/);
  });
});
