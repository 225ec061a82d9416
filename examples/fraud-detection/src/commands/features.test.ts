import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { simulateTransactions, writeTable } from '@mlsd/data';
import { computeFeatures, handbookFeatures } from '@mlsd/features';
import { writeFeatures } from './features.js';

const dir = mkdtempSync(join(tmpdir(), 'mlsd-features-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('fraud features', () => {
  it('writes ids, keys, label and the 15 Handbook features for every row', async () => {
    const table = simulateTransactions({ customers: 60, terminals: 80, days: 12, seed: 4 });
    const input = join(dir, 'tx.csv');
    const out = join(dir, 'features.csv');
    await writeTable(table, input);
    const lines: string[] = [];
    const result = await writeFeatures({ input, out }, (line) => lines.push(line));
    expect(result.rows).toBe(table.rowCount);
    expect(result.rejectedRows).toBe(0);
    const text = readFileSync(out, 'utf8').trimEnd().split('\n');
    const header = text[0]!.split(',');
    expect(header.slice(0, 5)).toEqual(['TRANSACTION_ID', 'TX_DATETIME', 'CUSTOMER_ID', 'TERMINAL_ID', 'TX_FRAUD']);
    expect(header.slice(5)).toEqual(handbookFeatures().map((f) => f.name));
    expect(text.length).toBe(table.rowCount + 1);
    // The written values are the offline executor's, in row order.
    const expected = computeFeatures(table, handbookFeatures());
    const last = text[text.length - 1]!.split(',').map(Number);
    header.slice(5).forEach((name, c) => expect(last[5 + c]).toBeCloseTo(expected.numeric(name)[table.rowCount - 1]!, 9));
    expect(lines.some((line) => line.includes('computing 15 features'))).toBe(true);
  });

  it('--engine duckdb writes the same features as the typed executor (to 1e-9)', async () => {
    const table = simulateTransactions({ customers: 40, terminals: 50, days: 15, seed: 9 });
    const input = join(dir, 'engine.parquet');
    await writeTable(table, input);
    const typedOut = join(dir, 'typed.csv');
    const duckOut = join(dir, 'duck.csv');
    await writeFeatures({ input, out: typedOut, engine: 'typed' }, () => undefined);
    await writeFeatures({ input, out: duckOut, engine: 'duckdb' }, () => undefined);
    const typed = readFileSync(typedOut, 'utf8').trimEnd().split('\n');
    const duck = readFileSync(duckOut, 'utf8').trimEnd().split('\n');
    expect(duck.length).toBe(typed.length);
    for (let r = 1; r < typed.length; r += 97) {
      const a = typed[r]!.split(',');
      const b = duck[r]!.split(',');
      a.slice(5).forEach((value, c) => expect(Math.abs(Number(b[5 + c]) - Number(value))).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(Number(value)))));
    }
  });
});
