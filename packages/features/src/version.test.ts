import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FEATURES_VERSION } from '@mlsd/features';

describe('FEATURES_VERSION', () => {
  it('equals the version in the features package.json', () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(FEATURES_VERSION).toBe(manifest.version);
  });
});
