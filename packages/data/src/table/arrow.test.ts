import { describe, expect, it } from 'vitest';
import { ColumnTable } from '@mlsd/data';
import { fromArrow, toArrow } from '@mlsd/data/arrow';

describe('toArrow / fromArrow', () => {
  const table = new ColumnTable({
    id: { type: 'integer', values: Float64Array.of(1, 2, 3) },
    amount: { type: 'float', values: Float64Array.of(1.5, Number.NaN, 3) },
    at: { type: 'timestamp', values: Float64Array.of(Date.UTC(2018, 3, 1, 0, 0, 31), 0, Number.NaN) },
    fraud: { type: 'label', values: Uint8Array.of(0, 1, 0) },
    kind: { type: 'category', codes: Int32Array.of(1, -1, 0), dictionary: ['a', 'b'] },
  });

  it('maps column types to Arrow types, missing values to nulls', () => {
    const arrow = toArrow(table);
    expect(arrow.numRows).toBe(3);
    expect(arrow.schema.fields.map((f) => `${f.name}:${String(f.type)}`)).toEqual([
      'id:Float64',
      'amount:Float64',
      'at:Timestamp<MILLISECOND, UTC>',
      'fraud:Uint8',
      'kind:Dictionary<Int32, Utf8>',
    ]);
    expect(arrow.getChild('amount')!.get(1)).toBeNull();
    expect(arrow.getChild('kind')!.get(0)).toBe('b');
    expect(arrow.getChild('kind')!.get(1)).toBeNull();
    // Shares memory with the table where layouts match.
    expect(arrow.getChild('id')!.data[0]!.values.buffer).toBe(table.numeric('id').buffer);
    expect(arrow.getChild('fraud')!.data[0]!.values.buffer).toBe(table.labels('fraud').buffer);
  });

  it('round-trips every column type, zero-copy for numbers without nulls', () => {
    const back = fromArrow(toArrow(table));
    expect(back.columnNames).toEqual(table.columnNames);
    for (const name of table.columnNames) expect(back.column(name)).toEqual(table.column(name));
    expect(back.numeric('id').buffer).toBe(table.numeric('id').buffer);
  });
});
