import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdIndex } from './id-index.js';

/** The reference: one Map in insertion order (a re-set id moves to the end), with notes apart. */
class MapModel {
  readonly values = new Map<string | number, number>();
  readonly notes = new Map<string | number, string>();
  set(id: string | number, value: number) {
    this.values.delete(id);
    this.notes.delete(id);
    this.values.set(id, value);
  }
  delete(id: string | number) {
    this.notes.delete(id);
    return this.values.delete(id);
  }
  oldest() {
    for (const [id, value] of this.values) return { id, value };
    return undefined;
  }
}

const id = fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 2 ** 40, max: 2 ** 40 + 50 }), fc.string({ minLength: 1, maxLength: 3 }));
const operation = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('set' as const), id, value: fc.double({ noNaN: true }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), id }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('deleteOldest' as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('note' as const), id, note: fc.string() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('addIfAbsent' as const), id, value: fc.double({ noNaN: true }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('noteAbove' as const), id, floor: fc.double({ noNaN: true }), note: fc.string() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('bulk' as const), count: fc.integer({ min: 0, max: 9000 }) }) },
);

describe('IdIndex', () => {
  it('behaves as one Map in insertion order, through sets, re-sets, adds of absent ids, deletes, notes (also above a floor) and thousands of ids', () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 60 }), (operations) => {
        const index = new IdIndex();
        const model = new MapModel();
        let next = 10_000;
        for (const step of operations) {
          if (step.op === 'set') {
            index.set(step.id, step.value);
            model.set(step.id, step.value);
          } else if (step.op === 'delete') {
            expect(index.delete(step.id)).toBe(model.delete(step.id));
          } else if (step.op === 'deleteOldest') {
            const oldest = model.oldest();
            if (oldest !== undefined) model.delete(oldest.id);
            expect(index.deleteOldest()).toBe(oldest?.id);
          } else if (step.op === 'note') {
            const held = model.values.has(step.id);
            if (held) model.notes.set(step.id, step.note);
            expect(index.setNote(step.id, step.note)).toBe(held);
          } else if (step.op === 'addIfAbsent') {
            const absent = !model.values.has(step.id);
            if (absent) model.set(step.id, step.value);
            expect(index.addIfAbsent(step.id, step.value)).toBe(absent);
          } else if (step.op === 'noteAbove') {
            const value = model.values.get(step.id);
            const kept = value !== undefined && value > step.floor;
            if (kept) model.notes.set(step.id, step.note);
            expect(index.setNoteAbove(step.id, step.floor, step.note)).toBe(kept);
          } else {
            // Many new ids across chunk boundaries, then most of them gone again from the old end.
            for (let i = 0; i < step.count; i++, next++) {
              index.set(next, next);
              model.set(next, next);
            }
            for (let i = 0; i < step.count - 5 && model.oldest() !== undefined; i++) {
              expect(index.deleteOldest()).toBe(model.oldest()!.id);
              model.delete(model.oldest()!.id);
            }
          }
          expect(index.size).toBe(model.values.size);
          expect(index.oldestId()).toBe(model.oldest()?.id);
          expect(index.oldestValue()).toBe(model.oldest()?.value);
        }
        for (const [key, value] of model.values) {
          expect(index.get(key)).toBe(value);
          expect(index.note(key)).toBe(model.notes.get(key));
        }
        expect(index.has('never')).toBe(false);
        index.clear();
        expect([index.size, index.oldestId()]).toEqual([0, undefined]);
      }),
      { numRuns: 200 },
    );
  });
});
