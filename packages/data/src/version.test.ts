import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LIBRARY_VERSION } from './version.js';

describe('LIBRARY_VERSION', () => {
  it('equals the version of every package of the workspace (they are released together)', () => {
    const packagesDir = resolve(import.meta.dirname, '../..');
    const names = readdirSync(packagesDir);
    expect(names.length).toBeGreaterThan(4);
    for (const name of names) {
      const manifest = JSON.parse(readFileSync(join(packagesDir, name, 'package.json'), 'utf8')) as { name: string; version: string };
      expect({ name: manifest.name, version: manifest.version }).toEqual({ name: manifest.name, version: LIBRARY_VERSION });
    }
  });
});
