import { describe, expect, it } from 'vitest';
import { KernelMemory } from './kernel-memory.js';
import { binningKernel } from './kernel-modules.js';

describe('KernelMemory', () => {
  it('hands a released memory to the next user of the same kernel, zero-filled where it allocates', () => {
    const first = new KernelMemory(binningKernel());
    const at = first.allocate(1 << 20);
    first.f64(at, 1 << 17).fill(7);
    first.release();
    const second = new KernelMemory(binningKernel());
    expect(second.memory).toBe(first.memory);
    const again = second.allocate(1 << 20);
    expect(again).toBe(at);
    expect(second.f64(again, 1 << 17).every((v) => v === 0)).toBe(true);
    // Not released: the next user gets a memory of its own.
    const third = new KernelMemory(binningKernel());
    expect(third.memory).not.toBe(second.memory);
    second.release();
    third.release();
  });

  it('keeps the larger of two released memories', () => {
    const small = new KernelMemory(binningKernel());
    small.allocate(1 << 16);
    const large = new KernelMemory(binningKernel());
    large.allocate(1 << 22);
    large.release();
    small.release();
    expect(new KernelMemory(binningKernel()).memory).toBe(large.memory);
  });
});
