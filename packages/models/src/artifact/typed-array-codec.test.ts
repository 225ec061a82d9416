import { describe, expect, it } from 'vitest';
import { decodeTypedArray, encodeTypedArray } from './index.js';

describe('encodeTypedArray / decodeTypedArray', () => {
  it('writes little-endian bytes as base64 (checked against hand-written bytes)', () => {
    // 1.0 as float32 is 0x3f800000: little-endian bytes 00 00 80 3f; -2 as int32 is fe ff ff ff.
    expect(encodeTypedArray(Float32Array.of(1))).toEqual({ dtype: 'float32', length: 1, base64: Buffer.from([0, 0, 0x80, 0x3f]).toString('base64') });
    expect(encodeTypedArray(Int32Array.of(-2)).base64).toBe(Buffer.from([0xfe, 0xff, 0xff, 0xff]).toString('base64'));
    expect(encodeTypedArray(new Uint8Array(0))).toEqual({ dtype: 'uint8', length: 0, base64: '' });
  });

  it('round-trips every dtype exactly, including NaN, -0, subnormals and views at an offset', () => {
    const values = [0, -0, 1.5, -3.25, Number.MIN_VALUE, Number.MAX_VALUE, Number.NaN, Number.POSITIVE_INFINITY, 1 / 3];
    const f64 = Float64Array.from(values);
    expect(Object.is(decodeTypedArray(encodeTypedArray(f64), 'float64', 'x')[1], -0)).toBe(true);
    expect(Array.from(decodeTypedArray(encodeTypedArray(f64), 'float64', 'x'))).toEqual(Array.from(f64));
    const view = new Float64Array(f64.buffer, 8, 3);
    expect(Array.from(decodeTypedArray(JSON.parse(JSON.stringify(encodeTypedArray(view))), 'float64', 'x'))).toEqual(Array.from(view));
    expect(decodeTypedArray(encodeTypedArray(Float32Array.from(values)), 'float32', 'x')).toEqual(Float32Array.from(values));
    expect(decodeTypedArray(encodeTypedArray(Int32Array.of(-1, 2 ** 31 - 1)), 'int32', 'x')).toEqual(Int32Array.of(-1, 2 ** 31 - 1));
    expect(decodeTypedArray(encodeTypedArray(Uint16Array.of(65535, 7)), 'uint16', 'x')).toEqual(Uint16Array.of(65535, 7));
    expect(decodeTypedArray(encodeTypedArray(Int8Array.of(-128, 127)), 'int8', 'x')).toEqual(Int8Array.of(-128, 127));
    expect(decodeTypedArray(encodeTypedArray(Uint32Array.of(2 ** 32 - 1)), 'uint32', 'x')).toEqual(Uint32Array.of(2 ** 32 - 1));
  });

  it('refuses a wrong dtype, length, byte count or base64 with CORRUPT_ARTIFACT naming the field', () => {
    const encoded = encodeTypedArray(Float32Array.of(1, 2, 3));
    const corrupt = { code: 'CORRUPT_ARTIFACT', location: { field: 'state.thresholds' } };
    expect(() => decodeTypedArray(encoded, 'float64', 'state.thresholds')).toThrow(expect.objectContaining(corrupt));
    expect(() => decodeTypedArray(encoded, 'float32', 'state.thresholds', 4)).toThrow(/3 elements where 4 are expected/);
    expect(() => decodeTypedArray({ ...encoded, length: 4 }, 'float32', 'state.thresholds')).toThrow(/12 bytes but 4 float32/);
    expect(() => decodeTypedArray({ ...encoded, base64: '!!' }, 'float32', 'state.thresholds')).toThrow(expect.objectContaining(corrupt));
    expect(() => decodeTypedArray([1, 2, 3], 'float32', 'state.thresholds')).toThrow(expect.objectContaining(corrupt));
  });
});
