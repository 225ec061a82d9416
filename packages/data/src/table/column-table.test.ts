import { describe, expect, it } from 'vitest';
import { ColumnTable, MlsdError } from '@mlsd/data';

describe('ColumnTable', () => {
  it('takes rows in the given order and keeps dictionaries', () => {
    const table = new ColumnTable({
      amount: { type: 'float', values: Float64Array.of(1.5, 2.5, 3.5) },
      kind: { type: 'category', codes: Int32Array.of(0, 1, 0), dictionary: ['a', 'b'] },
    });
    const taken = table.take(Int32Array.of(2, 0));
    expect(Array.from(taken.numeric('amount'))).toEqual([3.5, 1.5]);
    expect(taken.rowCount).toBe(2);
  });

  it('names the missing column and the ones it has', () => {
    const table = new ColumnTable({ a: { type: 'float', values: new Float64Array(1) } });
    expect(() => table.column('b')).toThrow(MlsdError);
    expect(() => table.column('b')).toThrow(/"b" not found; the table has columns: a/);
  });

  it('rejects columns of unequal length', () => {
    expect(
      () =>
        new ColumnTable({
          a: { type: 'float', values: new Float64Array(2) },
          b: { type: 'label', values: new Uint8Array(3) },
        }),
    ).toThrow(/"b" has 3 rows but the table has 2/);
  });
});
