import { describe, expect, it } from 'vitest';
import { availableParallelism } from 'node:os';
import { helperCount } from './walk-helpers.js';

describe('helperCount (MLSD_WALK_THREADS)', () => {
  it('defaults to one helper per extra core, at most 7', () => {
    expect(helperCount({})).toBe(Math.min(7, availableParallelism() - 1));
  });

  it('takes a whole number from MLSD_WALK_THREADS, 0 turning helpers off', () => {
    expect(helperCount({ MLSD_WALK_THREADS: '0' })).toBe(0);
    expect(helperCount({ MLSD_WALK_THREADS: '3' })).toBe(3);
  });

  it('refuses anything else, saying what it expects', () => {
    expect(() => helperCount({ MLSD_WALK_THREADS: 'two' })).toThrow(/MLSD_WALK_THREADS must be a whole number >= 0.*'two'/);
    expect(() => helperCount({ MLSD_WALK_THREADS: '-1' })).toThrow(/whole number >= 0/);
  });
});
