import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cardHasher, createDecisionLogger, createServiceLogger } from './logger.js';

describe('cardHasher', () => {
  it('is the first 16 hex digits of SHA-256(salt + card id), the same on a cached second call', () => {
    const hashCard = cardHasher('pepper');
    const expected = createHash('sha256').update('pepper').update('4242').digest('hex').slice(0, 16);
    expect(hashCard(4242)).toBe(expected);
    expect(hashCard(4242)).toBe(expected);
    expect(hashCard(4243)).not.toBe(expected);
  });

  it('keeps answering right past its cache bound (65,536 cards)', () => {
    const hashCard = cardHasher('s');
    const first = hashCard(0);
    for (let card = 1; card <= 70_000; card++) hashCard(card);
    expect(hashCard(0)).toBe(first);
    expect(hashCard(69_999)).toBe(createHash('sha256').update('s69999').digest('hex').slice(0, 16));
  });
});

describe('createDecisionLogger', () => {
  it('still redacts top-level card and token fields, keeping the service bindings', () => {
    const lines: string[] = [];
    const logger = createDecisionLogger(createServiceLogger('info', { write: (line: string) => void lines.push(line) }));
    logger.info({ transactionId: 1, customerId: 4242, token: 'secret', card: 'ab' }, 'scored');
    const line = JSON.parse(lines[0]!);
    expect(line).toMatchObject({ service: 'mlsd-serving', msg: 'scored', transactionId: 1, customerId: '[redacted]', token: '[redacted]', card: 'ab' });
    expect(lines[0]).not.toContain('4242');
  });
});
