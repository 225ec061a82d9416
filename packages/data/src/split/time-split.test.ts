import { describe, expect, it } from 'vitest';
import { ColumnTable, defineSchema, holdoutWithDelay, prequentialFolds } from '@mlsd/data';

const DAY = 86_400_000;
const START = Date.UTC(2018, 6, 25);

/** Rows (card, day relative to 2018-07-25, fraud), at noon. Cards: A=1 B=2 C=3 D=4 E=5. */
const ROWS: ReadonlyArray<readonly [number, number, number]> = [
  [1, -1, 1], // 0: A, before the start: its fraud is not "known"
  [1, 0, 0], // 1: A, train
  [2, 1, 1], // 2: B, train, fraud -> B known
  [3, 2, 1], // 3: C, day 2
  [2, 3, 0], // 4: B, day 3
  [3, 3, 0], // 5: C, day 3
  [3, 4, 1], // 6: C, day 4
  [4, 3, 1], // 7: D, day 3
  [4, 4, 0], // 8: D, day 4
  [1, 4, 0], // 9: A, day 4
  [5, 5, 0], // 10: E, day 5
];

const table = new ColumnTable({
  CUSTOMER_ID: { type: 'integer', values: Float64Array.from(ROWS, (r) => r[0]) },
  TX_DATETIME: { type: 'timestamp', values: Float64Array.from(ROWS, (r) => START + r[1] * DAY + DAY / 2) },
  TX_FRAUD: { type: 'label', values: Uint8Array.from(ROWS, (r) => r[2]) },
});
const drop = { cardColumn: 'CUSTOMER_ID', labelColumn: 'TX_FRAUD' };

describe('holdoutWithDelay', () => {
  it('splits train / delay / test by whole days from start', () => {
    // train days 0-1, delay day 2, test days 3-4.
    const fold = holdoutWithDelay(table, { start: '2018-07-25', trainDays: 2, delayDays: 1, testDays: 2 });
    expect(fold.name).toBe('holdout');
    expect(Array.from(fold.train)).toEqual([1, 2]);
    expect(Array.from(fold.test)).toEqual([4, 5, 6, 7, 8, 9]);
  });

  it('drops cards whose fraud is known by each test day, counting the delay (Handbook get_train_test_set)', () => {
    // Test day 0 (day 3) knows frauds before day 3 - 1 = 2: B. Test day 1 (day 4) knows frauds before day 3: B, C.
    // D's fraud on day 3 is only known from day 5. A's fraud before the start does not count.
    const fold = holdoutWithDelay(table, { start: '2018-07-25', trainDays: 2, delayDays: 1, testDays: 2, dropKnownCompromised: drop });
    expect(Array.from(fold.test)).toEqual([5, 7, 8, 9]);
  });

  it('with no delay, drops cards with a fraud in training or on an earlier test day', () => {
    // Test days 2, 3, 4. Day 2 knows B; day 3 knows B, C (fraud on test day 2); day 4 knows B, C, D.
    const fold = holdoutWithDelay(table, { start: '2018-07-25', trainDays: 2, delayDays: 0, testDays: 3, dropKnownCompromised: drop });
    expect(Array.from(fold.test)).toEqual([3, 7, 9]);
  });

  it('refuses an empty training window and bad options', () => {
    expect(() => holdoutWithDelay(table, { start: '2019-01-01', trainDays: 7, delayDays: 7, testDays: 7 })).toThrow(/no rows in the training window/);
    expect(() => holdoutWithDelay(table, { start: '2018-07-25', trainDays: 0, delayDays: 7, testDays: 7 })).toThrow(
      /"trainDays" must be a whole number of days >= 1/,
    );
    expect(() => holdoutWithDelay(table, { start: 'soon', trainDays: 1, delayDays: 0, testDays: 1 })).toThrow(/"start" must be a date/);
    expect(() => holdoutWithDelay(table, { start: '2018-07-25', trainDays: 1, delayDays: 0, testDays: 1, folds: 2 } as never)).toThrow(
      /split: unknown option "folds"\. Valid options: /,
    );
  });
});

describe('prequentialFolds', () => {
  it('shifts the window back by testDays per fold', () => {
    const folds = prequentialFolds(table, { start: '2018-07-26', trainDays: 1, delayDays: 0, testDays: 1, folds: 2 });
    expect(folds.map((f) => f.name)).toEqual(['prequential-0', 'prequential-1']);
    // Fold 0: train day 1, test day 2. Fold 1: train day 0, test day 1.
    expect(Array.from(folds[0]!.train)).toEqual([2]);
    expect(Array.from(folds[0]!.test)).toEqual([3]);
    expect(Array.from(folds[1]!.train)).toEqual([1]);
    expect(Array.from(folds[1]!.test)).toEqual([2]);
  });

  it('names the fold whose window leaves the data', () => {
    expect(() => prequentialFolds(table, { start: '2018-07-26', trainDays: 1, delayDays: 0, testDays: 1, folds: 4 })).toThrow(
      /Split "prequential-3": no rows in the training window starting 2018-07-23.*or fewer folds/,
    );
  });
});

describe('the time column', () => {
  // The same rows under a user's own column names.
  const renamed = new ColumnTable({
    user: table.column('CUSTOMER_ID'),
    clicked_at: table.column('TX_DATETIME'),
    clicked: table.column('TX_FRAUD'),
  });
  const schema = defineSchema('clicks', [
    { name: 'user', type: 'integer', role: 'entity-key' },
    { name: 'clicked_at', type: 'timestamp', role: 'event-time' },
    { name: 'clicked', type: 'label', role: 'label' },
  ]);
  const window = { start: '2018-07-25', trainDays: 2, delayDays: 1, testDays: 2 };

  it("defaults to the schema's event-time column, and equals naming it", () => {
    const bySchema = holdoutWithDelay(renamed, { ...window, schema });
    const byName = holdoutWithDelay(renamed, { ...window, timeColumn: 'clicked_at' });
    expect(Array.from(bySchema.train)).toEqual(Array.from(byName.train));
    expect(Array.from(bySchema.test)).toEqual(Array.from(byName.test));
    expect(Array.from(bySchema.train)).toEqual([1, 2]);
  });

  it('names the option to set when the default column is missing', () => {
    expect(() => holdoutWithDelay(renamed, window)).toThrow(
      'Column "TX_DATETIME" not found; the table has columns: user, clicked_at, clicked. Set option "timeColumn" to your event-time column, or pass "schema" with a column of role "event-time".',
    );
  });
});
