import { describe, expect, it } from 'vitest';
import { compileTreeKernels, generatedModuleSource, GENERATED_MODULE } from '../../scripts/compile-kernels.js';
import { readFileSync } from 'node:fs';

describe('tree kernels (WebAssembly)', () => {
  it('the committed binary is what assembly/ compiles to (re-run compile-kernels after editing assembly/)', async () => {
    const binary = await compileTreeKernels();
    expect(WebAssembly.validate(binary)).toBe(true);
    expect(readFileSync(GENERATED_MODULE, 'utf8')).toBe(generatedModuleSource(binary));
  }, 60_000);
});
