import { hash, randomBytes } from 'node:crypto';

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
