import { describe, expect, it } from 'vitest';
import { compileTreeKernels, generatedModuleSource, GENERATED_MODULE } from '../../scripts/compile-kernels.js';
import { readFileSync } from 'node:fs';

describe('tree kernels (WebAssembly)', () => {
  it('the committed binary is what assembly/ compiles to (re-run compile-kernels after editing assembly/)', async () => {
    const binaries = await compileTreeKernels();
    expect(Object.keys(binaries).sort()).toEqual(['FOREST_WALK_WASM_BASE64', 'TREE_GROWTH_WASM_BASE64']);
    expect(readFileSync(GENERATED_MODULE, 'utf8')).toBe(generatedModuleSource(binaries));
  }, 60_000);
});
