import { describe, expect, it } from 'vitest';
import { MlsdError } from '../errors/mlsd-error.js';
import { rejectUnknownOptions, validateOptions } from './validate-options.js';

interface Opts {
  rounds: number;
  rate: number;
  growth: 'depthwise' | 'leafwise';
  verbose: boolean;
  hidden: number[];
  maxDepth: number | null;
  weights: 'balanced' | { negative: number; positive: number } | null;
}

const defaults: Opts = {
  rounds: 100,
  rate: 0.1,
  growth: 'depthwise',
  verbose: false,
  hidden: [32, 16],
  maxDepth: 6,
  weights: null,
};

const rules = {
  rounds: { min: 1, integer: true },
  rate: { min: 0, minExclusive: true, max: 1 },
  growth: { oneOf: ['depthwise', 'leafwise'] },
  maxDepth: { min: 1, integer: true, nullable: true },
} as const;

function error(fn: () => unknown): MlsdError {
  try {
    fn();
  } catch (e) {
    if (e instanceof MlsdError) return e;
    throw e;
  }
  throw new Error('expected an MlsdError');
}

describe('validateOptions', () => {
  it('fills in defaults and keeps given values, without mutating the defaults', () => {
    const out = validateOptions('toy', { rate: 0.3, maxDepth: null, rounds: undefined }, defaults, rules);
    expect(out).toEqual({ ...defaults, rate: 0.3, maxDepth: null });
    expect(out).not.toBe(defaults);
    expect(validateOptions('toy', undefined, defaults, rules)).toEqual(defaults);
    expect(defaults.rate).toBe(0.1);
  });

  it('rejects an unknown key naming every valid option', () => {
    const e = error(() => validateOptions('toy', { learningRate: 0.1 } as Partial<Opts>, defaults, rules));
    expect(e.code).toBe('INVALID_OPTION');
    expect(e.message).toContain('"learningRate"');
    expect(e.message).toContain('rounds, rate, growth, verbose, hidden, maxDepth, weights');
    expect(e.location?.field).toBe('learningRate');
  });

  it('checks number ranges, integrality and exclusivity', () => {
    expect(error(() => validateOptions('toy', { rate: 0 }, defaults, rules)).message).toBe('toy: option "rate" must be a finite number > 0 <= 1, got 0.');
    expect(() => validateOptions('toy', { rate: 1 }, defaults, rules)).not.toThrow();
    expect(error(() => validateOptions('toy', { rounds: 2.5 }, defaults, rules)).message).toContain('an integer >= 1');
    expect(error(() => validateOptions('toy', { rounds: Number.NaN }, defaults, rules)).code).toBe('INVALID_OPTION');
    expect(error(() => validateOptions('toy', { maxDepth: 0 }, defaults, rules)).message).toContain('or null');
  });

  it('checks oneOf rules and the default type when there is no rule', () => {
    expect(error(() => validateOptions('toy', { growth: 'lossguide' as 'leafwise' }, defaults, rules)).message).toContain('one of "depthwise", "leafwise"');
    expect(error(() => validateOptions('toy', { verbose: 1 as unknown as boolean }, defaults)).message).toContain('a boolean');
    expect(error(() => validateOptions('toy', { hidden: 8 as unknown as number[] }, defaults)).message).toContain('an array');
    expect(() => validateOptions('toy', { weights: 'balanced' }, defaults)).not.toThrow();
  });

  it('applies function rules', () => {
    const weightRule = (v: unknown): string | undefined => (v === null || v === 'balanced' ? undefined : '"balanced" or null');
    const e = error(() => validateOptions('toy', { weights: 'even' as 'balanced' }, defaults, { weights: weightRule }));
    expect(e.message).toBe('toy: option "weights" must be "balanced" or null, got "even".');
  });

  it('rejects non-object options', () => {
    expect(error(() => validateOptions('toy', [] as unknown as Partial<Opts>, defaults)).code).toBe('INVALID_OPTION');
    expect(error(() => validateOptions('toy', null as unknown as Partial<Opts>, defaults)).code).toBe('INVALID_OPTION');
  });
});

describe('rejectUnknownOptions', () => {
  it('accepts undefined and known keys, and names the first unknown key and the valid ones', () => {
    expect(() => rejectUnknownOptions('split', undefined, ['a'])).not.toThrow();
    expect(() => rejectUnknownOptions('split', { a: 1 }, ['a', 'b'])).not.toThrow();
    let caught: unknown;
    try {
      rejectUnknownOptions('split', { a: 1, c: 2 }, ['a', 'b']);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MlsdError);
    expect((caught as MlsdError).code).toBe('INVALID_OPTION');
    expect((caught as MlsdError).message).toBe('split: unknown option "c". Valid options: a, b.');
  });
});
