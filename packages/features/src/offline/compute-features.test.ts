import { describe, expect, it } from 'vitest';
import { ColumnTable, MlsdError } from '@mlsd/data';
import { computeFeatureMatrix, computeFeatures, featureNames, handbookFeatures, type FeatureDefinition } from '@mlsd/features';
import { randomTransactions } from '../test-support/random-transactions.js';

const H = 3_600_000;
const D = 24 * H;
const T0 = Date.UTC(2018, 3, 2); // a Monday

function table(rows: { t: number; c: number; term?: number; amount: number; fraud?: number }[]): ColumnTable {
  return new ColumnTable({
    TX_DATETIME: { type: 'timestamp', values: Float64Array.from(rows, (r) => T0 + r.t) },
    CUSTOMER_ID: { type: 'integer', values: Float64Array.from(rows, (r) => r.c) },
    TERMINAL_ID: { type: 'integer', values: Float64Array.from(rows, (r) => r.term ?? 1) },
    TX_AMOUNT: { type: 'float', values: Float64Array.from(rows, (r) => r.amount) },
    TX_FRAUD: { type: 'label', values: Uint8Array.from(rows, (r) => r.fraud ?? 0) },
  });
}

const values = (t: ColumnTable, name: string): number[] => Array.from(t.numeric(name));

describe('computeFeatures (offline executor)', () => {
  it('computes window aggregates by hand: (t - w, t], current event included, ties in row order', () => {
    // Customer 5: 10 at 0h, 20 and 30 tied at 12h, 40 at 30h, 50 at 36h; customer 6 interleaved.
    const input = table([
      { t: 30 * H, c: 5, amount: 40 },
      { t: 0, c: 5, amount: 10 },
      { t: 12 * H, c: 5, amount: 20 },
      { t: 12 * H, c: 6, amount: 1000 },
      { t: 12 * H, c: 5, amount: 30 },
      { t: 36 * H, c: 5, amount: 50 },
    ]);
    const aggs = ['count', 'sum', 'mean', 'min', 'max', 'std'] as const;
    const out = computeFeatures(
      input,
      aggs.map((agg) => ({ kind: 'window', name: agg, entity: 'CUSTOMER_ID', column: 'TX_AMOUNT', agg, window: '1d' }) as const),
    );
    // Row 0 (30h): window (6h, 30h] = 20, 30, 40. Row 5 (36h): (12h, 36h] excludes the 12h ties = 40, 50.
    expect(values(out, 'count')).toEqual([3, 1, 2, 1, 3, 2]);
    expect(values(out, 'sum')).toEqual([90, 10, 30, 1000, 60, 90]);
    expect(values(out, 'mean')).toEqual([30, 10, 15, 1000, 20, 45]);
    expect(values(out, 'min')).toEqual([20, 10, 10, 1000, 10, 40]);
    expect(values(out, 'max')).toEqual([40, 10, 20, 1000, 30, 50]);
    const std = values(out, 'std');
    expect(std[0]).toBeCloseTo(Math.sqrt(200 / 3), 12);
    expect(std[4]).toBeCloseTo(Math.sqrt(200 / 3), 12); // 10, 20, 30
    expect(std.slice(1, 4)).toEqual([0, 5, 0]);
    expect(std[5]).toBeCloseTo(5, 12);
  });

  it('computes the delayed label window (t - w - d, t - d] by hand, 0 when empty', () => {
    const input = table([
      { t: 0, c: 1, term: 9, amount: 1, fraud: 1 },
      { t: D, c: 1, term: 9, amount: 1, fraud: 0 },
      { t: 2 * D, c: 1, term: 9, amount: 1, fraud: 1 },
      { t: 2 * D + H, c: 1, term: 9, amount: 1, fraud: 0 },
    ]);
    const defs: FeatureDefinition[] = [
      { kind: 'delayed-label', name: 'n', entity: 'TERMINAL_ID', label: 'TX_FRAUD', window: '1d', delay: '1d', output: 'count' },
      { kind: 'delayed-label', name: 'r', entity: 'TERMINAL_ID', label: 'TX_FRAUD', window: '1d', delay: '1d', output: 'rate' },
    ];
    const out = computeFeatures(input, defs);
    // At D: (−D, 0] holds the event at 0 (fraud). At 2D: (0, D] holds only the event at D. At 2D+1h: (1h, D+1h].
    expect(values(out, 'n')).toEqual([0, 1, 1, 1]);
    expect(values(out, 'r')).toEqual([0, 1, 0, 0]);
  });

  it('sets calendar flags in UTC: weekend, night hours with wrap-around, and an offset', () => {
    const sunday = Date.UTC(2018, 3, 1);
    const input = new ColumnTable({
      TX_DATETIME: {
        type: 'timestamp',
        values: Float64Array.of(sunday + 6 * H + 59 * 60_000, sunday + 7 * H, T0 + 23 * H, T0 + 5 * D + 12 * H, T0 + 7 * D - 1),
      },
    });
    const out = computeFeatures(input, [
      { kind: 'calendar', name: 'weekend', flag: 'weekend' },
      { kind: 'calendar', name: 'night', flag: 'night' },
      { kind: 'calendar', name: 'late', flag: 'night', nightHours: [22, 5] },
      { kind: 'calendar', name: 'weekendPlus1h', flag: 'weekend', utcOffsetMinutes: 60 },
    ]);
    expect(values(out, 'weekend')).toEqual([1, 1, 0, 1, 1]); // Sun, Sun, Mon, Sat, Sun 23:59:59.999
    expect(values(out, 'night')).toEqual([1, 0, 0, 0, 0]);
    expect(values(out, 'late')).toEqual([0, 0, 1, 0, 1]);
    expect(values(out, 'weekendPlus1h')).toEqual([1, 1, 0, 1, 0]); // Sun 23:59 UTC is Mon 00:59 at UTC+1
  });

  it('gives the calendar flags of Date for runs of times in one hour and times at hour boundaries, in any order', () => {
    // Runs inside one hour (the executor reuses the flag there), then ±2 ms around hour boundaries, fractional
    // milliseconds included; checked against Date's UTC weekday and hour, in time order and reversed.
    const times: number[] = [];
    for (let h = 0; h < 24 * 9; h += 5) for (let k = 0; k < 4; k++) times.push(T0 + h * H + k * 911_000.25);
    for (let h = 0; h < 24 * 8; h++) for (const d of [-2, -1, -0.5, 0, 0.5, 1]) times.push(T0 + h * H + d);
    const defs: FeatureDefinition[] = [
      { kind: 'calendar', name: 'weekend', flag: 'weekend' },
      { kind: 'calendar', name: 'night', flag: 'night', nightHours: [22, 5] },
      { kind: 'calendar', name: 'weekendPlus90m', flag: 'weekend', utcOffsetMinutes: 90 },
    ];
    for (const order of [times, [...times].reverse()]) {
      const out = computeFeatures(new ColumnTable({ TX_DATETIME: { type: 'timestamp', values: Float64Array.from(order) } }), defs);
      const day = (t: number): number => new Date(Math.floor(t)).getUTCDay();
      const hour = (t: number): number => new Date(Math.floor(t)).getUTCHours();
      expect(values(out, 'weekend')).toEqual(order.map((t) => (day(t) === 0 || day(t) === 6 ? 1 : 0)));
      expect(values(out, 'night')).toEqual(order.map((t) => (hour(t) >= 22 || hour(t) <= 5 ? 1 : 0)));
      expect(values(out, 'weekendPlus90m')).toEqual(order.map((t) => (day(t + 90 * 60_000) === 0 || day(t + 90 * 60_000) === 6 ? 1 : 0)));
    }
  });

  it('matches a brute-force reference on random data with ties, whatever the row order', () => {
    const input = randomTransactions(450, 11);
    const defs: FeatureDefinition[] = [
      ...handbookFeatures(),
      ...(['sum', 'min', 'max', 'std'] as const).map((agg) => ({ kind: 'window', entity: 'TERMINAL_ID', column: 'TX_AMOUNT', agg, window: '3d' }) as const),
      { kind: 'ratio-to-window-mean', entity: 'CUSTOMER_ID', column: 'TX_AMOUNT', window: '7d' },
      { kind: 'log1p', column: 'TX_AMOUNT' },
    ];
    const out = computeFeatures(input, defs);
    const reference = bruteForce(input);
    for (const [name, expected] of Object.entries(reference)) {
      const actual = out.numeric(name);
      for (let i = 0; i < input.rowCount; i++) {
        expect(Math.abs(actual[i]! - expected[i]!), `${name} row ${i}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected[i]!)));
      }
    }
    // Reversing the rows reverses the output, except where a customer has two events at the same time: their
    // order (and so their values) follows the row order by definition.
    const reversed = Int32Array.from({ length: input.rowCount }, (_, i) => input.rowCount - 1 - i);
    const outReversed = computeFeatures(input.take(reversed), [defs[4]!, defs[13]!]);
    const times = input.numeric('TX_DATETIME');
    const customers = input.numeric('CUSTOMER_ID');
    const tied = new Set<string>();
    const seen = new Set<string>();
    for (let i = 0; i < input.rowCount; i++) {
      const key = `${customers[i]}|${times[i]}`;
      if (seen.has(key)) tied.add(key);
      seen.add(key);
    }
    let compared = 0;
    for (let i = 0; i < input.rowCount; i++) {
      if (tied.has(`${customers[i]}|${times[i]}`)) continue;
      compared++;
      expect(outReversed.numeric(defs[4]!.name!)[input.rowCount - 1 - i]).toBe(out.numeric(defs[4]!.name!)[i]);
    }
    expect(compared).toBeGreaterThan(300);
    expect(tied.size).toBeGreaterThan(0);
  });

  it('gives the same features whether keys are dense ids, huge ids or categories', () => {
    const input = randomTransactions(200, 8);
    const customers = input.numeric('CUSTOMER_ID');
    const huge = input.withColumn('CUSTOMER_ID', { type: 'integer', values: customers.map((c) => 1e12 + c * 1e6) });
    const names = [...new Set(customers)].map(String);
    const category = input.withColumn('CUSTOMER_ID', {
      type: 'category',
      codes: Int32Array.from(customers, (c) => names.indexOf(String(c))),
      dictionary: names,
    });
    const expected = computeFeatureMatrix(input, handbookFeatures()).data;
    expect(computeFeatureMatrix(huge, handbookFeatures()).data).toEqual(expected);
    expect(computeFeatureMatrix(category, handbookFeatures()).data).toEqual(expected);
  });

  it('returns the same numbers as a matrix', () => {
    const input = randomTransactions(80, 3);
    const matrix = computeFeatureMatrix(input, handbookFeatures());
    const columns = computeFeatures(input, handbookFeatures());
    expect(matrix.featureNames).toEqual(columns.columnNames);
    expect(matrix.data[7 * 15 + 4]).toBe(columns.numeric('CUSTOMER_ID_AVG_AMOUNT_1DAY_WINDOW')[7]);
  });

  it('names the row and column of bad input', () => {
    const good = table([
      { t: 0, c: 1, amount: 5 },
      { t: H, c: 2, amount: 6 },
    ]);
    const withAmount = good.withColumn('TX_AMOUNT', { type: 'float', values: Float64Array.of(5, Number.NaN) });
    const mean: FeatureDefinition = { kind: 'window', entity: 'CUSTOMER_ID', column: 'TX_AMOUNT', agg: 'mean', window: '1d' };
    expect(() => computeFeatures(withAmount, [mean])).toThrow(/"TX_AMOUNT" row 1 is NaN/);
    const withKey = good.withColumn('CUSTOMER_ID', { type: 'integer', values: Float64Array.of(Number.NaN, 2) });
    expect(() => computeFeatures(withKey, [mean])).toThrow(/"CUSTOMER_ID" row 0 has no key/);
    const withTime = good.withColumn('TX_DATETIME', { type: 'timestamp', values: Float64Array.of(0, Infinity) });
    expect(() => computeFeatures(withTime, [mean])).toThrow(/"TX_DATETIME" row 1 is Infinity/);
    expect(() => computeFeatures(good, [{ kind: 'window', entity: 'CUSTOMER_ID', column: 'TX_AMOUNT', agg: 'median', window: '1d' } as never])).toThrow(
      /features\[0\]\.agg is "median"; valid: count, sum, mean, min, max, std/,
    );
    expect(() => computeFeatures(good, [{ kind: 'window', entity: 'CUSTOMER_ID', agg: 'count', window: '1 day' }])).toThrow(/features\[0\]\.window is "1 day"/);
    expect(() => computeFeatures(good, [{ kind: 'column', column: 'TX_AMOUNT', colour: 1 } as never])).toThrow(
      /features\[0\]\.colour is not an option of a "column" feature; valid: kind, name, column/,
    );
    expect(() =>
      computeFeatures(good, [
        { kind: 'column', column: 'TX_AMOUNT' },
        { kind: 'column', column: 'TX_AMOUNT' },
      ]),
    ).toThrow(MlsdError);
    expect(() => computeFeatures(good, [{ kind: 'sql', query: 'x' } as never])).toThrow(/valid kinds are window, delayed-label/);
  });
});

describe('handbookFeatures', () => {
  it('yields exactly the 15 Handbook features, named and ordered as in chapter 3.3', () => {
    expect(featureNames(handbookFeatures())).toEqual([
      'TX_AMOUNT',
      'TX_DURING_WEEKEND',
      'TX_DURING_NIGHT',
      'CUSTOMER_ID_NB_TX_1DAY_WINDOW',
      'CUSTOMER_ID_AVG_AMOUNT_1DAY_WINDOW',
      'CUSTOMER_ID_NB_TX_7DAY_WINDOW',
      'CUSTOMER_ID_AVG_AMOUNT_7DAY_WINDOW',
      'CUSTOMER_ID_NB_TX_30DAY_WINDOW',
      'CUSTOMER_ID_AVG_AMOUNT_30DAY_WINDOW',
      'TERMINAL_ID_NB_TX_1DAY_WINDOW',
      'TERMINAL_ID_RISK_1DAY_WINDOW',
      'TERMINAL_ID_NB_TX_7DAY_WINDOW',
      'TERMINAL_ID_RISK_7DAY_WINDOW',
      'TERMINAL_ID_NB_TX_30DAY_WINDOW',
      'TERMINAL_ID_RISK_30DAY_WINDOW',
    ]);
    expect(JSON.parse(JSON.stringify(handbookFeatures()))).toEqual(handbookFeatures());
  });
});

/** The definitions written out literally, one row at a time: O(n²), for checking the fast executor. */
function bruteForce(input: ColumnTable): Record<string, Float64Array> {
  const n = input.rowCount;
  const t = input.numeric('TX_DATETIME');
  const cust = input.numeric('CUSTOMER_ID');
  const term = input.numeric('TERMINAL_ID');
  const amount = input.numeric('TX_AMOUNT');
  const fraud = input.labels('TX_FRAUD');
  const out: Record<string, Float64Array> = {};
  const col = (name: string): Float64Array => (out[name] ??= new Float64Array(n));
  // j is at or before i in event order: earlier time, or same time and row index <= i.
  const upTo = (i: number, j: number): boolean => t[j]! < t[i]! || (t[j]! === t[i]! && j <= i);
  for (let i = 0; i < n; i++) {
    for (const days of [1, 7, 30]) {
      const w = days * D;
      const mine = [...Array(n).keys()].filter((j) => cust[j] === cust[i] && upTo(i, j) && t[j]! > t[i]! - w).map((j) => amount[j]!);
      col(`CUSTOMER_ID_NB_TX_${days}DAY_WINDOW`)[i] = mine.length;
      col(`CUSTOMER_ID_AVG_AMOUNT_${days}DAY_WINDOW`)[i] = mine.reduce((a, b) => a + b, 0) / mine.length;
      if (days === 7) col('TX_AMOUNT_TO_CUSTOMER_ID_MEAN_7D')[i] = amount[i]! / (mine.reduce((a, b) => a + b, 0) / mine.length);
      const d = 7 * D;
      const delayed = [...Array(n).keys()].filter((j) => term[j] === term[i] && t[j]! > t[i]! - w - d && t[j]! <= t[i]! - d);
      col(`TERMINAL_ID_NB_TX_${days}DAY_WINDOW`)[i] = delayed.length;
      col(`TERMINAL_ID_RISK_${days}DAY_WINDOW`)[i] = delayed.length === 0 ? 0 : delayed.filter((j) => fraud[j] === 1).length / delayed.length;
    }
    const terminal3d = [...Array(n).keys()].filter((j) => term[j] === term[i] && upTo(i, j) && t[j]! > t[i]! - 3 * D).map((j) => amount[j]!);
    const mean = terminal3d.reduce((a, b) => a + b, 0) / terminal3d.length;
    col('TERMINAL_ID_SUM_TX_AMOUNT_3D')[i] = mean * terminal3d.length;
    col('TERMINAL_ID_MIN_TX_AMOUNT_3D')[i] = Math.min(...terminal3d);
    col('TERMINAL_ID_MAX_TX_AMOUNT_3D')[i] = Math.max(...terminal3d);
    col('TERMINAL_ID_STD_TX_AMOUNT_3D')[i] = Math.sqrt(terminal3d.reduce((a, b) => a + (b - mean) ** 2, 0) / terminal3d.length);
    col('LOG1P_TX_AMOUNT')[i] = Math.log(1 + amount[i]!);
    col('TX_AMOUNT')[i] = amount[i]!;
  }
  return out;
}
