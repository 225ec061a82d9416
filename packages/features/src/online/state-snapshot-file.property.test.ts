import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MlsdError } from '@mlsd/data';
import { decodeStateSnapshot, encodeStateSnapshot, STATE_SNAPSHOT_VERSION, type StateSnapshot } from '@mlsd/features';

/** Key dictionaries: distinct numbers, or distinct strings that do not read as numbers (the stores' canonical keys). */
const keyList = fc.oneof(
  fc.uniqueArray(fc.integer({ min: -1e9, max: 1e9 }), { minLength: 1, maxLength: 6 }),
  fc.uniqueArray(
    fc.string({ maxLength: 8 }).map((text) => `k${text}`),
    { minLength: 1, maxLength: 6 },
  ),
  fc.uniqueArray(
    fc.oneof(
      fc.integer(),
      fc.string({ maxLength: 5 }).map((text) => `é${text}`),
    ),
    { minLength: 1, maxLength: 6 },
  ),
);

const snapshots: fc.Arbitrary<StateSnapshot> = fc
  .record({
    n: fc.integer({ min: 0, max: 40 }),
    entities: fc.array(fc.record({ keys: keyList, valueCount: fc.integer({ min: 0, max: 3 }), name: fc.string({ minLength: 1, maxLength: 6 }) }), {
      minLength: 1,
      maxLength: 3,
    }),
    idKind: fc.constantFrom('none', 'number', 'string'),
    seed: fc.integer(),
    // A JSON number in the header: -0 would read back as 0 (the same time).
    until: fc.double({ noNaN: true, noDefaultInfinity: true }).filter((t) => !Object.is(t, -0)),
  })
  .chain(({ n, entities, idKind, until }) =>
    fc
      .record({
        times: fc
          .array(fc.double({ min: -1e13, max: 1e13, noNaN: true }), { minLength: n, maxLength: n })
          .map((t) => Float64Array.from(t.sort((a, b) => a - b))),
        labels: fc.array(fc.integer({ min: 0, max: 1 }), { minLength: n, maxLength: n }).map((l) => Uint8Array.from(l)),
        ids:
          idKind === 'none'
            ? fc.constant(undefined)
            : idKind === 'number'
              ? fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: n, maxLength: n }).map((a) => Float64Array.from(a))
              : fc.array(
                  fc.string().map((s) => `t${s}`),
                  { minLength: n, maxLength: n },
                ),
        feedbackFrom: fc.integer({ min: 0, max: n }),
        entities: fc.tuple(
          ...entities.map((entity) =>
            fc.record({
              keys: fc.constant(entity.keys),
              codes: fc.array(fc.integer({ min: 0, max: entity.keys.length - 1 }), { minLength: n, maxLength: n }).map((c) => Int32Array.from(c)),
              values: fc.array(
                fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: n, maxLength: n }).map((v) => Float64Array.from(v)),
                { minLength: entity.valueCount, maxLength: entity.valueCount },
              ),
            }),
          ),
        ),
      })
      .map(
        (parts): StateSnapshot => ({
          layout: {
            entities: entities.map((e) => ({ entity: e.name, valueCount: e.valueCount })),
            retentionMs: 1000,
            latenessMs: 0,
            idempotencyMs: 5,
            pendingLabelMs: 5,
          },
          source: {
            time: 'T',
            id: 'ID',
            entities: entities.map((e) => ({
              entity: e.name,
              values: Array.from({ length: e.valueCount }, (_, c) => `v${c}`),
              label: undefined,
              labelDelayMs: 0,
            })),
          },
          until,
          ...parts,
        }),
      ),
  );

/** Plain arrays (typed arrays compared by value, whatever their class). */
function plain(snapshot: StateSnapshot): unknown {
  return {
    ...snapshot,
    times: Array.from(snapshot.times),
    labels: Array.from(snapshot.labels),
    ids: snapshot.ids === undefined ? undefined : Array.from(snapshot.ids),
    entities: snapshot.entities.map((entity) => ({
      keys: Array.from(entity.keys),
      codes: Array.from(entity.codes),
      values: entity.values.map((v) => Array.from(v)),
    })),
  };
}

describe('state snapshot file', () => {
  it('reads back exactly what was written (every bit of every double, keys as the stores key them)', () => {
    fc.assert(
      fc.property(snapshots, (snapshot) => {
        const bytes = encodeStateSnapshot(snapshot);
        expect(plain(decodeStateSnapshot(bytes))).toEqual(plain(snapshot));
        // As read from a file: a Node Buffer at an odd offset of a larger memory block.
        const block = Buffer.alloc(bytes.length + 3);
        block.set(bytes, 3);
        expect(plain(decodeStateSnapshot(block.subarray(3)))).toEqual(plain(snapshot));
      }),
      { seed: 15, numRuns: 200 },
    );
  });

  it('refuses any changed byte or truncation with INVALID_INPUT that names the file', () => {
    fc.assert(
      fc.property(snapshots, fc.nat(), fc.integer({ min: 1, max: 255 }), fc.boolean(), (snapshot, at, xor, truncate) => {
        const bytes = encodeStateSnapshot(snapshot);
        const damaged = truncate ? bytes.subarray(0, at % bytes.length) : bytes.slice();
        if (!truncate) damaged[at % bytes.length]! ^= xor;
        let error: unknown;
        try {
          decodeStateSnapshot(damaged, 'File s.snap');
        } catch (caught) {
          error = caught;
        }
        expect(error).toBeInstanceOf(MlsdError);
        expect((error as MlsdError).code).toBe('INVALID_INPUT');
        expect((error as MlsdError).message).toMatch(/^File s\.snap (is not an mlsd state snapshot|is a state snapshot of format version|is corrupt)/);
      }),
      { seed: 16, numRuns: 300 },
    );
  });

  it('names the version it reads when given another', () => {
    const bytes = encodeStateSnapshot({
      layout: { entities: [], retentionMs: 0, latenessMs: 0, idempotencyMs: 0, pendingLabelMs: 0 },
      source: { time: 'T', id: 'ID', entities: [] },
      until: 0,
      times: new Float64Array(0),
      labels: new Uint8Array(0),
      ids: undefined,
      feedbackFrom: 0,
      entities: [],
    });
    new DataView(bytes.buffer).setUint32(8, STATE_SNAPSHOT_VERSION + 1, true);
    expect(() => decodeStateSnapshot(bytes, 'File x')).toThrow(`File x is a state snapshot of format version 2; this mlsd reads version 1.`);
  });
});
