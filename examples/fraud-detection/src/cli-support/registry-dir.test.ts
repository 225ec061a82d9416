import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { registryDir } from './registry-dir.js';

const root = mkdtempSync(join(tmpdir(), 'mlsd-registry-dir-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('registryDir', () => {
  it('takes a registry folder as it is, and the output folder of fraud train as its registry/', () => {
    const trainOut = join(root, 'run');
    mkdirSync(join(trainOut, 'registry', 'fraud'), { recursive: true });
    expect(registryDir(trainOut)).toBe(join(trainOut, 'registry'));
    expect(registryDir(join(trainOut, 'registry'))).toBe(join(trainOut, 'registry'));
    // A registry that happens to hold a model called "registry" next to "fraud" stays itself.
    const odd = join(root, 'odd');
    mkdirSync(join(odd, 'registry'), { recursive: true });
    mkdirSync(join(odd, 'fraud'), { recursive: true });
    expect(registryDir(odd)).toBe(odd);
    expect(registryDir(join(root, 'missing'))).toBe(join(root, 'missing'));
  });
});
