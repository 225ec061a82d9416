import { createHash } from 'node:crypto';

/**
 * Canonical JSON of a plain-JSON value: object keys sorted, no whitespace, numbers as `JSON.stringify` writes
 * them, `toJSON()` applied first. Two values that are equal as JSON give the same string, whatever the order in
 * which their keys were written.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(JSON.parse(JSON.stringify(value)) as unknown));
}

/** The sha256 of a string (as UTF-8) or bytes, as 64 lowercase hex digits. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The checksum of a plain-JSON value: `sha256Hex(canonicalJson(value))`. */
export function checksumOf(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
  return sorted;
}
