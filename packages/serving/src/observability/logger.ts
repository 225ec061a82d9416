import { createHash, randomBytes } from 'node:crypto';
import { pino, type DestinationStream, type Logger } from 'pino';

/**
 * Log paths pino replaces with `[redacted]`: credentials (the admin bearer token, cookies) and raw card or customer
 * identifiers, should any code path ever log them. Card ids are logged only through {@link cardHasher}.
 */
export const REDACTED_LOG_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'adminToken',
  '*.adminToken',
  'token',
  '*.token',
  'customerId',
  '*.customerId',
  'CUSTOMER_ID',
  '*.CUSTOMER_ID',
  'cardNumber',
  '*.cardNumber',
  'pan',
  '*.pan',
  'cvv',
  '*.cvv',
];

/** Creates the service's pino logger at `level`, writing to `stream` (default stdout), with redaction on. */
export function createServiceLogger(level: string, stream?: DestinationStream): Logger {
  const options = { level, base: { service: 'mlsd-serving' }, redact: { paths: [...REDACTED_LOG_PATHS], censor: '[redacted]' } };
  return stream === undefined ? pino(options) : pino(options, stream);
}

/**
 * A function turning a card (customer) id into a short salted SHA-256 hex digest for logs, so log lines can be
 * joined per card without holding the card id. With no `salt` a random one is drawn: hashes then do not link
 * across restarts or replicas (give the same salt to all replicas to link them).
 */
export function cardHasher(salt?: string): (cardId: number) => string {
  const key = salt ?? randomBytes(16).toString('hex');
  return (cardId) => createHash('sha256').update(key).update(String(cardId)).digest('hex').slice(0, 16);
}
