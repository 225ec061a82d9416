import { describe, expect, it } from 'vitest';
import { compileKernels, generatedModuleSource, GENERATED_MODULE } from '../../scripts/compile-kernels.js';
import { readFileSync } from 'node:fs';

describe('WebAssembly kernels', () => {
  it('the committed binaries are what assembly/ compiles to (re-run compile-kernels after editing assembly/)', async () => {
    const binaries = await compileKernels();
    expect(Object.keys(binaries).sort()).toEqual([
      'BINNING_WASM_BASE64',
      'DENSE_LAYER_WASM_BASE64',
      'FOREST_WALK_WASM_BASE64',
      'LOGISTIC_REGRESSION_WASM_BASE64',
      'TREE_GROWTH_WASM_BASE64',
    ]);
    expect(readFileSync(GENERATED_MODULE, 'utf8')).toBe(generatedModuleSource(binaries));
  }, 60_000);
});
