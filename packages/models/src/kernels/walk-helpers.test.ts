import { describe, expect, it } from 'vitest';
import { availableParallelism } from 'node:os';
import { KernelMemory } from './kernel-memory.js';
import { forestWalkKernel, type ForestWalkExports } from './kernel-modules.js';
import { helperCount, WalkHelpers } from './walk-helpers.js';

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

describe.skipIf(helperCount() === 0)('WalkHelpers', () => {
  /** A forest of one leaf (value 1.5) and `rows` one-column rows in a kernel memory, with the walk's arguments. */
  function oneLeafForest(rows: number) {
    const memory = new KernelMemory<ForestWalkExports>(forestWalkKernel());
    const at = (bytes: number): number => memory.allocate(bytes);
    const [root, depth, link, threshold, feature, left, missingRight, value] = [4, 4, 4, 8, 4, 4, 1, 8].map(at) as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    memory.f64(threshold, 1)[0] = Infinity;
    memory.f64(value, 1)[0] = 1.5;
    const data = at(rows * 8);
    const out = at(rows * 8);
    const forest = Int32Array.of(1, root, depth, link, threshold, feature, left, missingRight, value, 0);
    memory.kernels.setForest(1, root, depth, link, threshold, feature, left, missingRight, value, 0);
    const walkOwn = (start: number, end: number): void => memory.kernels.addForestOutputs(data + start * 8, 1, end - start, out + start * 8, 1);
    return { memory, forest, data, out, walkOwn };
  }

  it('walks the part of a helper that fails on the calling thread, and retires that helper', async () => {
    const helpers = WalkHelpers.shared()!;
    for (let waited = 0; helpers.readyCount() === 0 && waited < 10_000; waited += 10) await new Promise((r) => setTimeout(r, 10));
    const before = helpers.readyCount();
    expect(before).toBeGreaterThan(0);
    const rows = 4096;
    const { memory, forest, data, out, walkOwn } = oneLeafForest(rows);
    // Kernel id 987654 was never attached: the helper cannot find it and reports a failure.
    const threads = helpers.walk(987654, forest, data, 1, rows, out, 1, walkOwn);
    expect(threads).toBeGreaterThan(1);
    expect(Array.from(memory.f64(out, rows)).every((v) => v === 1.5)).toBe(true);
    expect(helpers.readyCount()).toBe(before - 1);
  });
});
