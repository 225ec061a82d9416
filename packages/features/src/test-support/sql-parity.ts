import { expect } from 'vitest';
import type { ColumnTable } from '@mlsd/data';

/** Test helper: every column of `actual` equals `expected`'s to 1e-9 (absolute, or relative above 1), names the first mismatch. */
export function expectParity(actual: ColumnTable, expected: ColumnTable): void {
  expect(actual.columnNames).toEqual(expected.columnNames);
  expect(actual.rowCount).toBe(expected.rowCount);
  for (const name of expected.columnNames) {
    const a = actual.numeric(name);
    const e = expected.numeric(name);
    for (let i = 0; i < e.length; i++) {
      const tolerance = 1e-9 * Math.max(1, Math.abs(e[i]!));
      if (!(Math.abs(a[i]! - e[i]!) <= tolerance) && !(Number.isNaN(a[i]!) && Number.isNaN(e[i]!))) {
        expect.fail(`${name} row ${i}: SQL engine gives ${a[i]}, typed executor ${e[i]}`);
      }
    }
  }
}
