import { MlsdError } from '@mlsd/data';

/** Which model answers a transaction in a champion/challenger experiment. */
export type Arm = 'champion' | 'challenger';

/** Settings of the traffic split: the challenger's share of cards and the hash seed. */
export interface SplitOptions {
  /** Share of cards (not transactions) routed to the challenger, in [0, 1]. */
  readonly challengerShare: number;
  /** Seed of the card hash; a new seed reshuffles which cards go to the challenger. Default 0. */
  readonly seed?: number;
}

/**
 * The arm of a card: sticky (the same card id and seed always give the same arm, on every replica and restart)
 * and uniform (a share `challengerShare` of cards goes to the challenger). The card id is hashed as text with
 * 32-bit FNV-1a seeded by `seed`, then mixed with MurmurHash3's finaliser so that consecutive ids spread evenly.
 */
export function assignArm(cardId: number | string, options: SplitOptions): Arm {
  const share = options.challengerShare;
  if (!(share >= 0 && share <= 1)) {
    throw new MlsdError('INVALID_OPTION', `assignArm: challengerShare must be in [0, 1], got ${String(share)}.`, {
      location: { field: 'challengerShare' },
    });
  }
  return cardHash(cardId, options.seed ?? 0) / 4294967296 < share ? 'challenger' : 'champion';
}

/** A uniform 32-bit hash of a card id under a seed (FNV-1a, then the MurmurHash3 fmix32 finaliser). */
export function cardHash(cardId: number | string, seed: number): number {
  const text = String(cardId);
  let h = (0x811c9dc5 ^ Math.trunc(seed)) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}
