import { createHash } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { MlsdError } from '@mlsd/data';
import { canonicalKey } from './canonical-key.js';
import type { EntitySnapshot, StateSnapshot } from './state-store.js';

/**
 * The state snapshot file, version 1 (little-endian):
 *
 * | bytes | what |
 * | --- | --- |
 * | 8 | magic `MLSDSNAP` |
 * | 4 | format version (uint32) |
 * | 4 | header length H (uint32) |
 * | H | header: UTF-8 JSON with the layout, source, until, event count, feedbackFrom, and each section's kind and length |
 * | … | sections, each starting at a multiple of 8: times (float64 × n), labels (uint8 × n), ids, then per entity its keys, codes (int32 × n) and value columns (float64 × n each) |
 * | 32 | SHA-256 of every byte before it |
 *
 * Keys and ids are a float64 section when every one is a number, else a UTF-8 JSON array of strings (read back as
 * canonical keys: "42" is the number 42, as the stores key it).
 */
const MAGIC = 'MLSDSNAP';
/** The snapshot file format version this code writes and reads. */
export const STATE_SNAPSHOT_VERSION = 1;
const CHECKSUM_BYTES = 32;

type KeySection = { readonly kind: 'f64' | 'json'; readonly bytes: number };

interface SnapshotHeader {
  readonly layout: StateSnapshot['layout'];
  readonly source: StateSnapshot['source'];
  readonly until: number;
  readonly events: number;
  readonly feedbackFrom: number;
  readonly ids: KeySection | null;
  readonly entities: readonly { readonly keys: KeySection; readonly keyCount: number; readonly valueCount: number }[];
}

/** The bytes of a snapshot file (see the format above). */
export function encodeStateSnapshot(snapshot: StateSnapshot): Uint8Array {
  const n = snapshot.times.length;
  const sections: Uint8Array[] = [bytesOf(snapshot.times), snapshot.labels];
  const ids = snapshot.ids === undefined ? null : keySection(snapshot.ids);
  if (ids !== null) sections.push(ids.data);
  const entities = snapshot.entities.map((entity) => {
    const keys = keySection(entity.keys);
    sections.push(keys.data, bytesOf(entity.codes), ...entity.values.map(bytesOf));
    return { keys: keys.section, keyCount: entity.keys.length, valueCount: entity.values.length };
  });
  const header: SnapshotHeader = {
    layout: snapshot.layout,
    source: snapshot.source,
    until: snapshot.until,
    events: n,
    feedbackFrom: snapshot.feedbackFrom,
    ids: ids === null ? null : ids.section,
    entities,
  };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  let size = align(16 + headerBytes.length);
  for (const section of sections) size = align(size + section.length);
  const out = new Uint8Array(size + CHECKSUM_BYTES);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode(MAGIC), 0);
  view.setUint32(8, STATE_SNAPSHOT_VERSION, true);
  view.setUint32(12, headerBytes.length, true);
  out.set(headerBytes, 16);
  let at = align(16 + headerBytes.length);
  for (const section of sections) {
    out.set(section, at);
    at = align(at + section.length);
  }
  out.set(createHash('sha256').update(out.subarray(0, size)).digest(), size);
  return out;
}

/**
 * A snapshot from the bytes of a snapshot file. Throws `INVALID_INPUT` naming `name` (the file) when the bytes are
 * not a snapshot file, of another format version, truncated or corrupt (checksum), each with what to do.
 */
export function decodeStateSnapshot(bytes: Uint8Array, name = 'the state snapshot'): StateSnapshot {
  const bad = (detail: string): MlsdError => new MlsdError('INVALID_INPUT', `${name} ${detail}`, { location: { field: name } });
  if (bytes.length < 16 + CHECKSUM_BYTES || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) {
    throw bad('is not an mlsd state snapshot file (no MLSDSNAP header); write one with `fraud materialize --store memory-snapshot:FILE`.');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== STATE_SNAPSHOT_VERSION) {
    throw bad(`is a state snapshot of format version ${version}; this mlsd reads version ${STATE_SNAPSHOT_VERSION}. Materialize it again with this version.`);
  }
  const body = bytes.length - CHECKSUM_BYTES;
  const checksum = createHash('sha256').update(bytes.subarray(0, body)).digest();
  if (!checksum.equals(bytes.subarray(body))) {
    throw bad('is corrupt (its SHA-256 checksum does not match its contents: truncated or changed); materialize it again.');
  }
  const headerLength = view.getUint32(12, true);
  let header: SnapshotHeader;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + headerLength))) as SnapshotHeader;
  } catch {
    throw bad('has an unreadable header; materialize it again.');
  }
  const n = header.events;
  let at = align(16 + headerLength);
  const take = (length: number): Uint8Array => {
    if (at + length > body) throw bad(`ends before its sections do (${body} bytes); materialize it again.`);
    // A copy of its own (Buffer#slice would be a view): typed views need aligned offsets, which a pooled Buffer
    // need not have, and a buffer of exactly this section.
    const slice = new Uint8Array(bytes.subarray(at, at + length));
    at = align(at + length);
    return slice;
  };
  const f64 = (count: number): Float64Array => new Float64Array(take(count * 8).buffer);
  const keys = (section: KeySection, count: number): ArrayLike<string | number> => {
    if (section.kind === 'f64') return f64(count);
    const texts = JSON.parse(new TextDecoder().decode(take(section.bytes))) as string[];
    return texts.map((text) => canonicalKey(text) ?? text);
  };
  const times = f64(n);
  const labels = take(n);
  const ids = header.ids === null ? undefined : keys(header.ids, n);
  const entities: EntitySnapshot[] = header.entities.map((entity) => ({
    keys: keys(entity.keys, entity.keyCount),
    codes: new Int32Array(take(n * 4).buffer),
    values: Array.from({ length: entity.valueCount }, () => f64(n)),
  }));
  return { layout: header.layout, source: header.source, until: header.until, times, labels, ids, feedbackFrom: header.feedbackFrom, entities };
}

/** Writes `snapshot` to the file `path` (through a temporary file renamed into place, so a reader never sees half). */
export async function writeStateSnapshotFile(path: string, snapshot: StateSnapshot): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, encodeStateSnapshot(snapshot));
  await rename(temporary, path);
}

/** Reads a snapshot file written by {@link writeStateSnapshotFile}; errors as {@link decodeStateSnapshot}, naming the file. */
export async function readStateSnapshotFile(path: string): Promise<StateSnapshot> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new MlsdError('INVALID_INPUT', `Cannot read the state snapshot file ${path}: ${(error as Error).message}.`, {
      cause: error,
      location: { field: path },
    });
  }
  return decodeStateSnapshot(bytes, `State snapshot file ${path}`);
}

function keySection(keys: ArrayLike<string | number>): { section: KeySection; data: Uint8Array } {
  let numeric = true;
  for (let i = 0; i < keys.length && numeric; i++) numeric = typeof keys[i] === 'number';
  if (numeric) {
    const data = bytesOf(keys instanceof Float64Array ? keys : Float64Array.from(keys as ArrayLike<number>));
    return { section: { kind: 'f64', bytes: data.length }, data };
  }
  const data = new TextEncoder().encode(JSON.stringify(Array.from(keys, String)));
  return { section: { kind: 'json', bytes: data.length }, data };
}

function bytesOf(array: Float64Array | Int32Array): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

function align(offset: number): number {
  return (offset + 7) & ~7;
}
