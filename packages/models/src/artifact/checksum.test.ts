import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson, checksumOf, sha256Hex } from './index.js';

describe('checksums', () => {
  it('sha256Hex matches the published test vector for "abc" (FIPS 180-2)', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('canonical JSON sorts keys at every depth and ignores key order and undefined', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }], e: undefined })).toBe('{"a":[{"c":3,"d":2}],"b":1}');
    expect(checksumOf({ x: 1, y: { b: 2, a: 1 } })).toBe(checksumOf({ y: { a: 1, b: 2 }, x: 1 }));
    expect(checksumOf({ x: 1 })).toBe(createHash('sha256').update('{"x":1}').digest('hex'));
  });

  it('changes when any value changes, even in the last digit', () => {
    expect(checksumOf({ w: [0.1, 0.2] })).not.toBe(checksumOf({ w: [0.1, 0.20000000000000004] }));
  });
});
