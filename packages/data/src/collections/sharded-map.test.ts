import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ShardedMap } from './sharded-map.js';

// ShardedMap behaves as one Map for any sequence of operations on any keys: integers (low bits pick the shard),
// fractional and negative numbers, strings of any length including the empty string and look-alikes of numbers.
const key = fc.oneof(
  fc.integer({ min: -1_000, max: 100_000 }),
  fc.constantFrom(0, -0, 0.5, -3.25, 2 ** 40, Number.MAX_SAFE_INTEGER, 256, 512),
  fc.string({ maxLength: 6 }),
  fc.constantFrom('', '1', '256', 'a', 'ab', 'abc'),
);
const operation = fc.oneof(
  fc.record({ op: fc.constant('set' as const), key, value: fc.integer() }),
  fc.record({ op: fc.constant('delete' as const), key }),
  fc.record({ op: fc.constant('get' as const), key }),
  fc.record({ op: fc.constant('clear' as const) }),
);

describe('ShardedMap', () => {
  it('answers every get, has, delete, size and iteration as a Map does (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 300 }), (operations) => {
        const sharded = new ShardedMap<number>();
        const model = new Map<string | number, number>();
        for (const step of operations) {
          if (step.op === 'set') {
            expect(sharded.set(step.key, step.value)).toBe(sharded);
            model.set(step.key, step.value);
          } else if (step.op === 'delete') expect(sharded.delete(step.key)).toBe(model.delete(step.key));
          else if (step.op === 'get') {
            expect(sharded.get(step.key)).toBe(model.get(step.key));
            expect(sharded.has(step.key)).toBe(model.has(step.key));
          } else {
            sharded.clear();
            model.clear();
          }
          expect(sharded.size).toBe(model.size);
        }
        for (const [k, v] of model) expect(sharded.get(k)).toBe(v);
        const byKey = (a: [string | number, number], b: [string | number, number]) =>
          String(a[0]).localeCompare(String(b[0])) || (typeof a[0]).localeCompare(typeof b[0]);
        expect([...sharded.entries()].sort(byKey)).toEqual([...model.entries()].sort(byKey));
        expect([...sharded.values()].sort()).toEqual([...model.values()].sort());
        // The shards one at a time hold every entry once.
        const byShard: [string | number, number][] = [];
        for (let shard = 0; shard < ShardedMap.shardCount; shard++) byShard.push(...sharded.entriesOfShard(shard));
        expect(byShard.sort(byKey)).toEqual([...model.entries()].sort(byKey));
      }),
      { seed: 20261205, numRuns: 300 },
    );
  });

  it('keeps a number key and its string form apart, as a Map does', () => {
    const sharded = new ShardedMap<string>();
    sharded.set(256, 'number').set('256', 'string');
    expect([sharded.get(256), sharded.get('256'), sharded.size]).toEqual(['number', 'string', 2]);
  });

  it('refuses a shard number out of range, naming the range', () => {
    const sharded = new ShardedMap<number>();
    expect(() => sharded.entriesOfShard(ShardedMap.shardCount)).toThrow(/shards 0 to 255; got 256/);
    expect(() => sharded.entriesOfShard(-1)).toThrow(RangeError);
  });
});
