import { TRANSACTION_SCHEMA, isMlsdError } from '@mlsd/data';
import { describe, expect, it } from 'vitest';
import { EventRequestSchema } from '@mlsd/serving';

// The Handbook request schema of the fraud service; its zod schema is the oracle the fast path must agree with.
const handbook = new EventRequestSchema(TRANSACTION_SCHEMA);
const parseTransaction = (body: unknown) => handbook.parse(body);
const parseTransactionBatch = (items: readonly unknown[]) => handbook.parseBatch(items);
const transactionSchema = handbook.bodySchema;

const valid = { TRANSACTION_ID: 7, TX_DATETIME: '2018-04-01 00:00:31', CUSTOMER_ID: 12, TERMINAL_ID: 3, TX_AMOUNT: 57.16 };

function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (isMlsdError(error, 'INVALID_INPUT')) return error.message;
    throw error;
  }
  throw new Error('expected INVALID_INPUT');
}

describe('parseTransaction', () => {
  it('reads the five Handbook fields, converting the date-time to epoch ms UTC and ignoring other keys', () => {
    const time = Date.UTC(2018, 3, 1, 0, 0, 31);
    expect(parseTransaction({ ...valid, TX_FRAUD: 1 })).toEqual({
      id: 7,
      time,
      fields: { TRANSACTION_ID: 7, TX_DATETIME: time, CUSTOMER_ID: 12, TERMINAL_ID: 3, TX_AMOUNT: 57.16 },
    });
    expect(parseTransaction({ ...valid, TX_DATETIME: 1_522_540_831_000 }).time).toBe(1_522_540_831_000);
  });

  it('answers a bad field with the message naming it (the schema path)', () => {
    expect(messageOf(() => parseTransaction({ ...valid, TX_AMOUNT: -1 }))).toBe(
      "Invalid score request: field 'TX_AMOUNT': Too small: expected number to be >=0.",
    );
    expect(messageOf(() => parseTransaction({ ...valid, CUSTOMER_ID: 1.5 }))).toMatch(
      /^Invalid score request: field 'CUSTOMER_ID': expected a whole number\.$/,
    );
    expect(messageOf(() => parseTransaction({ ...valid, TX_DATETIME: '2018-02-30 00:00:00' }))).toMatch(/field 'TX_DATETIME': expected 'YYYY-MM-DD HH:MM:SS'/);
    expect(messageOf(() => parseTransaction([valid]))).toMatch(/^Invalid score request: the body: /);
    expect(messageOf(() => parseTransaction(null))).toMatch(/^Invalid score request: the body: /);
  });

  it('accepts and refuses exactly what the schema does, field by field, alone and in a batch', () => {
    const candidates: unknown[] = [0, -1, 1.5, 2 ** 53, 2 ** 53 - 1, '3', null, undefined, true, 1e300];
    const dates: unknown[] = ['2018-04-01 00:00:31', '2018-04-01T00:00:31.5Z', '2018-13-01 00:00:00', 'x', 0, -5, null];
    for (const field of ['TRANSACTION_ID', 'CUSTOMER_ID', 'TERMINAL_ID', 'TX_AMOUNT', 'TX_DATETIME'] as const) {
      for (const value of field === 'TX_DATETIME' ? dates : candidates) {
        const body = { ...valid, [field]: value };
        let single: unknown;
        try {
          single = parseTransaction(body);
        } catch (error) {
          single = (error as Error).message;
        }
        let batch: unknown;
        try {
          batch = parseTransactionBatch([valid, body])[1];
        } catch (error) {
          batch = (error as Error).message.replace(' of item 1', '');
        }
        const oracle = transactionSchema.safeParse(body);
        if (oracle.success) expect(single, `${field} = ${String(value)}`).toEqual(oracle.data);
        else expect(single, `${field} = ${String(value)}`).toMatch(new RegExp(`^Invalid score request: field '${field}': `));
        expect(batch, `${field} = ${String(value)}`).toEqual(single);
      }
    }
  });

  it('names the first bad item of a batch', () => {
    expect(messageOf(() => parseTransactionBatch([valid, valid, { ...valid, TX_AMOUNT: 'x' }]))).toBe(
      "Invalid score request: field 'TX_AMOUNT' of item 2: Invalid input: expected number, received string.",
    );
  });
});
