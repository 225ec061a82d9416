import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { feedbackIndexEntries, snapshotKeyMembers } from './snapshot-members.js';
import type { StateLayout, StateSnapshot } from './state-store.js';

const LAYOUT: StateLayout = {
  entities: [
    { entity: 'CUSTOMER_ID', valueCount: 1 },
    { entity: 'TERMINAL_ID', valueCount: 0 },
  ],
  retentionMs: 10,
  latenessMs: 0,
  idempotencyMs: 1000,
  pendingLabelMs: 1000,
};

/** Five events: customers a, b, a, a, b and terminals t, t, u, t, t; times 0, 3, 5, 12, 20. */
function snapshot(ids?: ArrayLike<string | number>): StateSnapshot {
  return {
    layout: LAYOUT,
    source: {
      time: 'TX_DATETIME',
      id: 'TRANSACTION_ID',
      entities: [
        { entity: 'CUSTOMER_ID', values: ['TX_AMOUNT'], label: undefined, labelDelayMs: 0 },
        { entity: 'TERMINAL_ID', values: [], label: undefined, labelDelayMs: 0 },
      ],
    },
    until: 21,
    times: Float64Array.from([0, 3, 5, 12, 20]),
    labels: Uint8Array.from([0, 1, 0, 1, 0]),
    ids,
    feedbackFrom: 2,
    entities: [
      { keys: ['a', 'b'], codes: Int32Array.from([0, 1, 0, 0, 1]), values: [Float64Array.from([1.5, 2, 0.1, 4, 5])] },
      { keys: ['t', 'u'], codes: Int32Array.from([0, 0, 1, 0, 0]), values: [] },
    ],
  };
}

describe('snapshotKeyMembers', () => {
  it('packs, per key, the events within the retention of its latest event, with sequence numbers after base', () => {
    const got = [...snapshotKeyMembers(snapshot(), LAYOUT, 100)].map(({ entity, key, members, count }) => ({
      entity,
      key,
      count,
      members: members.toString('latin1'),
    }));
    expect(got).toEqual([
      // a: events 0, 2, 3 at 0, 5, 12; the latest is 12, so 0 (12 - 0 >= 10) is trimmed, 5 is kept.
      { entity: 0, key: 0, count: 2, members: '5 0000000000000103|0|0.1\n12 0000000000000104|1|4\n' },
      // b: events 1, 4 at 3, 20: only 20.
      { entity: 0, key: 1, count: 1, members: '20 0000000000000105|0|5\n' },
      // t: events 0, 1, 3, 4 at 0, 3, 12, 20: 12 and 20.
      { entity: 1, key: 0, count: 2, members: '12 0000000000000104|1|\n20 0000000000000105|0|\n' },
      { entity: 1, key: 1, count: 1, members: '5 0000000000000103|0|\n' },
    ]);
  });

  it('skips keys without events', () => {
    const lonely = snapshot();
    const entities = [{ ...lonely.entities[0]!, keys: ['a', 'b', 'never'] }, lonely.entities[1]!];
    expect([...snapshotKeyMembers({ ...lonely, entities }, LAYOUT, 0)].map(({ entity, key }) => `${entity}:${key}`)).toEqual(['0:0', '0:1', '1:0', '1:1']);
  });
});

describe('feedbackIndexEntries', () => {
  it('writes what JSON.stringify writes for the entry, for any history key text (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme' }), { minLength: 4, maxLength: 4 }), fc.integer({ min: 0, max: 1e12 }), (names, base) => {
        const keys = [names.slice(0, 2), names.slice(2)];
        const entryOf = feedbackIndexEntries(snapshot(), base, keys);
        const data = snapshot();
        for (let i = 0; i < 5; i++) {
          const expected = JSON.stringify({
            seq: String(base + i + 1).padStart(16, '0'),
            time: String(data.times[i]),
            keys: [keys[0]![data.entities[0]!.codes[i]!], keys[1]![data.entities[1]!.codes[i]!]],
          });
          expect(entryOf(i)).toBe(expected);
        }
      }),
    );
  });
});
