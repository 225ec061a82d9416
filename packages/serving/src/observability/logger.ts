import cluster from 'node:cluster';
import { hash, randomBytes } from 'node:crypto';
import { pino, type DestinationStream, type Logger } from 'pino';
import { LineBuffer } from './line-buffer.js';

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

/** Characters of log lines gathered before one write to stdout. */
const STDOUT_BUFFER_CHARS = 8192;
/** Longest a gathered line waits before it is written when traffic is too light to fill the buffer, ms. */
const STDOUT_FLUSH_MS = 200;

/**
 * Creates the service's pino logger at `level`, writing to `stream`, with redaction on. In a `node:cluster` worker
 * (`serve --workers N`) every line carries `worker`, the worker's id (1, 2, …).
 *
 * Without `stream` it writes to stdout through a {@link LineBuffer}: lines are gathered into writes of about 8 KiB, or every
 * 200 ms when traffic is light — one write system call per ~30 decision lines instead of one per line, which is
 * about a fifth of a scored request's CPU. Error and fatal lines are handed to the OS at once, and what is left is
 * written synchronously when the process exits (`logger.flush()` does it on demand), so a crash's last words are
 * not lost.
 */
export function createServiceLogger(level: string, stream?: DestinationStream): Logger {
  const base = cluster.isWorker && cluster.worker !== undefined ? { service: 'mlsd-serving', worker: cluster.worker.id } : { service: 'mlsd-serving' };
  const options = { level, base, redact: { paths: [...REDACTED_LOG_PATHS], censor: '[redacted]' } };
  if (stream !== undefined) return pino(options, stream);
  const stdout = new LineBuffer(pino.destination({ dest: 1, sync: false }), STDOUT_BUFFER_CHARS, STDOUT_FLUSH_MS);
  const errorLevel = pino.levels.values['error']!;
  return pino(
    {
      ...options,
      hooks: {
        logMethod(args, method, lineLevel) {
          method.apply(this, args);
          if (lineLevel >= errorLevel) stdout.flush();
        },
      },
    },
    stdout,
  );
}

/** Hashed card ids kept by a {@link cardHasher}; the cache is emptied when full (a bound, not an LRU). */
const CARD_HASH_CACHE_SIZE = 1 << 16;

/**
 * A function turning a card (customer) id — or any entity key, number or string — into a short salted SHA-256 hex digest for logs, so log lines can be
 * joined per card without holding the card id. With no `salt` a random one is drawn: hashes then do not link
 * across restarts or replicas (give the same salt to all replicas to link them). Digests of recent cards are
 * cached (up to 65,536 cards), since a card's transactions come back often and a digest costs about a microsecond.
 */
export function cardHasher(salt?: string): (cardId: string | number) => string {
  const key = salt ?? randomBytes(16).toString('hex');
  const cache = new Map<string | number, string>();
  return (cardId) => {
    let digest = cache.get(cardId);
    if (digest === undefined) {
      digest = hash('sha256', key + String(cardId), 'hex').slice(0, 16);
      if (cache.size >= CARD_HASH_CACHE_SIZE) cache.clear();
      cache.set(cardId, digest);
    }
    return digest;
  };
}
