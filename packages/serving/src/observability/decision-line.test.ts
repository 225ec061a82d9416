import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decisionLineWriter, type DecisionLineResult } from './decision-line.js';
import { createServiceLogger } from './logger.js';

/** A service logger writing into `lines`, at `level`. */
function capture(level = 'info') {
  const lines: string[] = [];
  return { lines, logger: createServiceLogger(level, { write: (line: string) => void lines.push(line) }) };
}

const fields = [
  { name: 'card', field: 'CUSTOMER_ID', hash: true },
  { name: 'terminalId', field: 'TERMINAL_ID', hash: false },
  { name: 'amount', field: 'TX_AMOUNT', hash: false },
];
const hashKey = (key: string | number) => `h${key}`;

describe('decisionLineWriter', () => {
  it('writes, byte for byte, the line pino writes for the same fields (time aside)', () => {
    const resultArbitrary = fc.record({
      score: fc.oneof(fc.double(), fc.constant(Number.NaN)),
      decision: fc.constantFrom('allow', 'review', 'block'),
      source: fc.constantFrom('model', 'fallback'),
      fallbackReason: fc.option(fc.constantFrom('store-timeout', 'no-model'), { nil: undefined }),
      modelVersion: fc.option(fc.nat(), { nil: null }),
      latencyMs: fc.double({ min: 0, max: 100, noNaN: true }),
      late: fc.option(fc.constant(true as const), { nil: undefined }),
      duplicate: fc.option(fc.constant(true as const), { nil: undefined }),
    });
    const value = fc.oneof(fc.string(), fc.double(), fc.integer(), fc.constant(null));
    fc.assert(
      fc.property(
        fc.string(),
        fc.oneof(fc.string({ minLength: 1 }), fc.nat()),
        value,
        value,
        value,
        resultArbitrary,
        (reqId, id, customer, terminal, amount, result) => {
          const fast = capture();
          const time = 1_700_000_000_000;
          const event = { CUSTOMER_ID: customer, TERMINAL_ID: terminal, TX_AMOUNT: amount };
          decisionLineWriter(fast.logger, 'transactionId', fields, hashKey, () => time)(reqId, id, event, result as DecisionLineResult);
          const slow = capture();
          slow.logger.info(
            {
              reqId,
              transactionId: id,
              card: customer === null ? null : hashKey(customer as string | number),
              terminalId: terminal,
              amount,
              score: result.score,
              decision: result.decision,
              source: result.source,
              fallbackReason: result.fallbackReason,
              modelVersion: result.modelVersion,
              latencyMs: result.latencyMs,
              ...(result.late ? { late: true } : {}),
              ...(result.duplicate ? { duplicate: true } : {}),
            },
            'scored',
          );
          expect(fast.lines).toHaveLength(1);
          expect(fast.lines[0]).toBe(slow.lines[0]!.replace(/"time":\d+/, `"time":${time}`));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("redacts fields named like the service logger's top-level redacted paths, hashed or not", () => {
    const { lines, logger } = capture();
    const write = decisionLineWriter(
      logger,
      'id',
      [
        { name: 'CUSTOMER_ID', field: 'CUSTOMER_ID', hash: true },
        { name: 'customerId', field: 'CUSTOMER_ID', hash: false },
        { name: 'card', field: 'CUSTOMER_ID', hash: true },
      ],
      hashKey,
    );
    write('req-1', 7, { CUSTOMER_ID: 4242 }, { score: 0.5, decision: 'review', source: 'model', modelVersion: 1, latencyMs: 0.2 });
    const line = JSON.parse(lines[0]!);
    expect(line).toMatchObject({ service: 'mlsd-serving', id: 7, CUSTOMER_ID: '[redacted]', customerId: '[redacted]', card: 'h4242', msg: 'scored' });
    expect(lines[0]).not.toMatch(/:4242\b/);
  });

  it('writes nothing when info is not enabled', () => {
    const { lines, logger } = capture('warn');
    decisionLineWriter(logger, 'id', fields, hashKey)('req-1', 1, {}, { score: 0, decision: 'allow', source: 'model', modelVersion: 1, latencyMs: 0 });
    expect(lines).toEqual([]);
  });
});
