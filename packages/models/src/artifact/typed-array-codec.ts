import { MlsdError } from '@mlsd/data';

/** The element types a model artifact can store. */
export type TypedArrayDtype = 'float64' | 'float32' | 'int32' | 'uint32' | 'int16' | 'uint16' | 'int8' | 'uint8';

/** The typed array class of each {@link TypedArrayDtype}. */
export interface TypedArrayOfDtype {
  float64: Float64Array;
  float32: Float32Array;
  int32: Int32Array;
  uint32: Uint32Array;
  int16: Int16Array;
  uint16: Uint16Array;
  int8: Int8Array;
  uint8: Uint8Array;
}

/** Any typed array an artifact can store. */
export type StorableTypedArray = TypedArrayOfDtype[TypedArrayDtype];

/**
 * A typed array in JSON: `base64` holds the little-endian bytes of `length` elements of `dtype`, so the same
 * artifact decodes to the same values on every machine.
 */
export interface EncodedTypedArray {
  readonly dtype: TypedArrayDtype;
  readonly length: number;
  readonly base64: string;
}

const CONSTRUCTORS = {
  float64: Float64Array,
  float32: Float32Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int8: Int8Array,
  uint8: Uint8Array,
} as const;

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Encodes a typed array as {@link EncodedTypedArray} (exact: every bit of every element is kept). */
export function encodeTypedArray(array: StorableTypedArray): EncodedTypedArray {
  const dtype = dtypeOf(array);
  const bytes = Buffer.from(array.buffer, array.byteOffset, array.byteLength);
  return { dtype, length: array.length, base64: toLittleEndian(bytes, array.BYTES_PER_ELEMENT).toString('base64') };
}

/**
 * Decodes what {@link encodeTypedArray} wrote, checking that it is well formed and has the expected `dtype`
 * (and `length`, when given). `field` names the artifact field in errors (e.g. `state.trees[3].thresholds`).
 * Throws `CORRUPT_ARTIFACT` on any mismatch.
 */
export function decodeTypedArray<D extends TypedArrayDtype>(encoded: unknown, dtype: D, field: string, expectedLength?: number): TypedArrayOfDtype[D] {
  const fail = (problem: string): never => {
    throw new MlsdError('CORRUPT_ARTIFACT', `Artifact field ${field} ${problem}. Re-create the artifact with the model's toJSON().`, { location: { field } });
  };
  if (encoded === null || typeof encoded !== 'object') fail('is not an encoded typed array { dtype, length, base64 }');
  const { dtype: givenDtype, length, base64 } = encoded as Record<string, unknown>;
  if (givenDtype !== dtype) fail(`has dtype ${JSON.stringify(givenDtype)} where ${dtype} is expected`);
  if (typeof length !== 'number' || !Number.isInteger(length) || length < 0) fail('has no valid length');
  if (expectedLength !== undefined && length !== expectedLength) {
    fail(`has ${String(length)} elements where ${expectedLength} are expected`);
  }
  if (typeof base64 !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) fail('has no valid base64 data');
  const Ctor = CONSTRUCTORS[dtype];
  const bytes = Buffer.from(base64 as string, 'base64');
  if (bytes.length !== (length as number) * Ctor.BYTES_PER_ELEMENT) {
    fail(`holds ${bytes.length} bytes but ${String(length)} ${dtype} elements need ${(length as number) * Ctor.BYTES_PER_ELEMENT}`);
  }
  // Copy into a fresh, aligned buffer (Buffer.from may return a slice of a shared pool at any offset).
  const aligned = new Uint8Array(bytes.length);
  aligned.set(toLittleEndian(bytes, Ctor.BYTES_PER_ELEMENT));
  return new Ctor(aligned.buffer) as TypedArrayOfDtype[D];
}

function dtypeOf(array: StorableTypedArray): TypedArrayDtype {
  for (const [dtype, Ctor] of Object.entries(CONSTRUCTORS)) {
    if (array instanceof Ctor) return dtype as TypedArrayDtype;
  }
  throw new MlsdError('INVALID_INPUT', `Cannot encode ${Object.prototype.toString.call(array)}: use one of ${Object.keys(CONSTRUCTORS).join(', ')}.`);
}

/** The bytes in little-endian order: unchanged on little-endian hosts, swapped (on a copy) otherwise. */
function toLittleEndian(bytes: Buffer, elementSize: number): Buffer {
  if (LITTLE_ENDIAN_HOST || elementSize === 1) return bytes;
  const copy = Buffer.from(bytes);
  if (elementSize === 2) return copy.swap16();
  if (elementSize === 4) return copy.swap32();
  return copy.swap64();
}
