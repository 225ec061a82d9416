import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulateTransactions, writeTable, type ColumnTable } from '@mlsd/data';

const DAY_MS = 86_400_000;
const START = Date.UTC(2018, 3, 1);

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'mlsd-simulate-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

/** Small scale used throughout: 500 customers, 1000 terminals, 60 days. */
const SMALL = { customers: 500, terminals: 1000, days: 60, seed: 7 };

function scenarioCounts(table: ColumnTable): number[] {
  const scenario = table.numeric('TX_FRAUD_SCENARIO');
  const counts = [0, 0, 0, 0];
  for (let i = 0; i < scenario.length; i++) counts[scenario[i]!]!++;
  return counts;
}

describe('simulateTransactions (Handbook ch. 3.2 generator)', () => {
  const table = simulateTransactions(SMALL);
  const n = table.rowCount;
  const id = table.numeric('TRANSACTION_ID');
  const time = table.numeric('TX_DATETIME');
  const customer = table.numeric('CUSTOMER_ID');
  const terminal = table.numeric('TERMINAL_ID');
  const amount = table.numeric('TX_AMOUNT');
  const fraud = table.labels('TX_FRAUD');
  const scenario = table.numeric('TX_FRAUD_SCENARIO');

  it('has the Handbook columns, sorted by time, with TRANSACTION_ID = 0..n-1', () => {
    expect(table.columnNames).toEqual(['TRANSACTION_ID', 'TX_DATETIME', 'CUSTOMER_ID', 'TERMINAL_ID', 'TX_AMOUNT', 'TX_FRAUD', 'TX_FRAUD_SCENARIO']);
    let badId = -1;
    let unsorted = -1;
    for (let i = 0; i < n; i++) {
      if (id[i] !== i && badId < 0) badId = i;
      if (i > 0 && time[i]! < time[i - 1]! && unsorted < 0) unsorted = i;
    }
    expect(badId).toBe(-1);
    expect(unsorted).toBe(-1);
  });

  it('gives each customer about Poisson(U(0,4)) transactions a day, minus the ~3% drawn outside the day', () => {
    // E[count] = customers x days x E[U(0,4)] x P(0 < N(43200, 20000) < 86400) = 500 x 60 x 2 x 0.9692.
    const expected = 500 * 60 * 2 * 0.9692;
    expect(n).toBeGreaterThan(expected * 0.9);
    expect(n).toBeLessThan(expected * 1.1);
    let minCustomer = Infinity;
    let maxCustomer = -Infinity;
    for (let i = 0; i < n; i++) {
      minCustomer = Math.min(minCustomer, customer[i]!);
      maxCustomer = Math.max(maxCustomer, customer[i]!);
    }
    expect(minCustomer).toBeGreaterThanOrEqual(0);
    expect(maxCustomer).toBeLessThan(500);
  });

  it('draws times of day from N(12:00, 20000 s) kept strictly inside the day, within the simulated days', () => {
    let sum = 0;
    let sumSquares = 0;
    for (let i = 0; i < n; i++) {
      const offset = time[i]! - START;
      const seconds = (offset % DAY_MS) / 1000;
      if (offset < 0 || offset >= 60 * DAY_MS) throw new Error(`row ${i} is outside the 60 days`);
      if (seconds <= 0 || !Number.isInteger(seconds)) throw new Error(`row ${i} has time of day ${seconds}`);
      sum += seconds;
      sumSquares += seconds * seconds;
    }
    const mean = sum / n;
    const std = Math.sqrt(sumSquares / n - mean * mean);
    expect(Math.abs(mean - 43_200)).toBeLessThan(500);
    // Truncating N(43200, 20000) to (0, 86400) shrinks the std to about 18 700.
    expect(std).toBeGreaterThan(17_500);
    expect(std).toBeLessThan(20_000);
  });

  it('rounds amounts to cents, never negative, with genuine amounts averaging about E[U(5,100)] = 52.5', () => {
    let sum = 0;
    let count = 0;
    for (let i = 0; i < n; i++) {
      const a = amount[i]!;
      if (a < 0 || Math.abs(a * 100 - Math.round(a * 100)) > 1e-6) throw new Error(`row ${i} amount ${a}`);
      if (scenario[i] === 0) {
        sum += a;
        count++;
      }
    }
    expect(sum / count).toBeGreaterThan(47);
    expect(sum / count).toBeLessThan(58);
  });

  it('labels frauds by scenario: 1 = amount > 220, 3 = amount x5 on compromised cards, TX_FRAUD = scenario > 0', () => {
    for (let i = 0; i < n; i++) {
      if (fraud[i] !== (scenario[i]! > 0 ? 1 : 0)) throw new Error(`row ${i}: TX_FRAUD ${fraud[i]} with scenario ${scenario[i]}`);
      if (scenario[i] === 1 && amount[i]! <= 220) throw new Error(`scenario-1 row ${i} has amount ${amount[i]}`);
      if (scenario[i] === 0 && amount[i]! > 220) throw new Error(`genuine row ${i} has amount ${amount[i]} > 220`);
      // x5 of whole cents is a multiple of 5 cents.
      if (scenario[i] === 3 && Math.round(amount[i]! * 100) % 5 !== 0) throw new Error(`scenario-3 row ${i} amount ${amount[i]}`);
    }
    const counts = scenarioCounts(table);
    expect(counts[1]! + counts[2]! + counts[3]!).toBeGreaterThan(0);
    expect(counts[2]).toBeGreaterThan(0);
    expect(counts[3]).toBeGreaterThan(0);
  });

  it('compromises at most 2 terminals and 3 customers per day, for 28 and 14 days', () => {
    const terminalDays = new Map<number, { first: number; last: number }>();
    const customers = new Set<number>();
    for (let i = 0; i < n; i++) {
      const day = Math.floor((time[i]! - START) / DAY_MS);
      if (scenario[i] === 2) {
        const span = terminalDays.get(terminal[i]!) ?? { first: day, last: day };
        span.first = Math.min(span.first, day);
        span.last = Math.max(span.last, day);
        terminalDays.set(terminal[i]!, span);
      }
      if (scenario[i] === 3) customers.add(customer[i]!);
    }
    // Compromise days run 0..maxDay-1 (59 here).
    expect(terminalDays.size).toBeLessThanOrEqual(2 * 59);
    expect(customers.size).toBeLessThanOrEqual(3 * 59);
    // A terminal is compromised for 28 days, so a few overlapping draws at most stretch it; most spans fit 28.
    let within = 0;
    for (const span of terminalDays.values()) if (span.last - span.first < 28) within++;
    expect(within / terminalDays.size).toBeGreaterThan(0.9);
  });

  it('lets each customer use only nearby terminals (radius 5 on a 100 x 100 map)', () => {
    // 1000 terminals on 10 000 units²: a disc of radius 5 holds about 7.9 of them.
    const perCustomer = new Map<number, Set<number>>();
    for (let i = 0; i < n; i++) {
      let set = perCustomer.get(customer[i]!);
      if (set === undefined) perCustomer.set(customer[i]!, (set = new Set()));
      set.add(terminal[i]!);
    }
    let total = 0;
    for (const set of perCustomer.values()) {
      expect(set.size).toBeLessThanOrEqual(25);
      total += set.size;
    }
    expect(total / perCustomer.size).toBeLessThan(9);
    // With a radius covering the whole map, customers spread over many more terminals.
    const wide = simulateTransactions({ customers: 20, terminals: 1000, days: 30, seed: 1, radius: 200 });
    const wideTerminals = new Set(wide.numeric('TERMINAL_ID'));
    expect(wideTerminals.size).toBeGreaterThan(300);
  });

  it('is byte-identical for the same seed and differs for another seed', async () => {
    const a = join(folder, 'a.csv');
    const b = join(folder, 'b.csv');
    const c = join(folder, 'c.csv');
    await writeTable(simulateTransactions({ ...SMALL, customers: 100 }), a);
    await writeTable(simulateTransactions({ ...SMALL, customers: 100 }), b);
    await writeTable(simulateTransactions({ ...SMALL, customers: 100, seed: 8 }), c);
    const [bytesA, bytesB, bytesC] = await Promise.all([readFile(a), readFile(b), readFile(c)]);
    expect(bytesA.equals(bytesB)).toBe(true);
    expect(bytesA.equals(bytesC)).toBe(false);
  });

  it('applies a shift from a given day: larger amounts, no compromised terminals or customers', () => {
    const shifted = simulateTransactions({
      ...SMALL,
      shift: { fromDay: 30, amountFactor: 2, compromisedTerminalsPerDay: 0, compromisedCustomersPerDay: 0 },
    });
    const t = shifted.numeric('TX_DATETIME');
    const a = shifted.numeric('TX_AMOUNT');
    const s = shifted.numeric('TX_FRAUD_SCENARIO');
    const sums = [0, 0];
    const counts = [0, 0];
    for (let i = 0; i < shifted.rowCount; i++) {
      const late = t[i]! - START >= 30 * DAY_MS ? 1 : 0;
      // Windows opened before day 30 may still run; after day 30 + 28 nothing new can be compromised.
      if (t[i]! - START >= 58 * DAY_MS && (s[i] === 2 || s[i] === 3)) throw new Error(`row ${i} compromised after the shift`);
      if (s[i] === 0 || s[i] === 1) {
        sums[late]! += a[i]!;
        counts[late]!++;
      }
    }
    const ratio = sums[1]! / counts[1]! / (sums[0]! / counts[0]!);
    expect(ratio).toBeGreaterThan(1.8);
    expect(ratio).toBeLessThan(2.2);
  });

  it('rejects unknown options and bad values, naming the valid ones', () => {
    expect(() => simulateTransactions({ customer: 5 } as never)).toThrow(
      /Unknown simulateTransactions options key "customer"; valid keys are customers, terminals/,
    );
    expect(() => simulateTransactions({ days: 0 })).toThrow(/"days" must be a whole number >= 1/);
    expect(() => simulateTransactions({ start: '2018-02-30' })).toThrow(/calendar date YYYY-MM-DD/);
    expect(() => simulateTransactions({ shift: { amount: 2 } as never })).toThrow(/valid keys are fromDay, amountFactor/);
  });
});
