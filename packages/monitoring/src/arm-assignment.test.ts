import { describe, expect, it } from 'vitest';
import { assignArm } from '@mlsd/monitoring';

describe('assignArm', () => {
  it('is sticky per card and sends the configured share of cards to the challenger', () => {
    let challengers = 0;
    for (let card = 0; card < 20000; card++) {
      const arm = assignArm(card, { challengerShare: 0.3, seed: 42 });
      expect(assignArm(card, { challengerShare: 0.3, seed: 42 })).toBe(arm);
      if (arm === 'challenger') challengers++;
    }
    // Binomial(20000, 0.3): standard deviation 65, so ±400 is more than 6 of them.
    expect(Math.abs(challengers - 6000)).toBeLessThan(400);
  });

  it('reshuffles cards with another seed, and honours the extreme shares', () => {
    let moved = 0;
    for (let card = 0; card < 2000; card++) {
      if (assignArm(card, { challengerShare: 0.5, seed: 1 }) !== assignArm(card, { challengerShare: 0.5, seed: 2 })) moved++;
      expect(assignArm(card, { challengerShare: 0 })).toBe('champion');
      expect(assignArm(card, { challengerShare: 1 })).toBe('challenger');
    }
    expect(moved).toBeGreaterThan(800); // about half move for independent hashes
    expect(() => assignArm(1, { challengerShare: 1.5 })).toThrow(/challengerShare must be in \[0, 1\], got 1.5/);
  });

  it('keeps a card in its arm when the share grows (a larger experiment only adds cards)', () => {
    for (let card = 0; card < 2000; card++) {
      if (assignArm(card, { challengerShare: 0.1 }) === 'challenger') expect(assignArm(card, { challengerShare: 0.2 })).toBe('challenger');
    }
  });
});
