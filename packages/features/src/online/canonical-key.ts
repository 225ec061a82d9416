/**
 * An entity key or transaction id as the stores key it: a number when numeric (42 and "42" alike, so keys equal as
 * `String(key)` match), else the string; undefined when unusable (non-finite, empty, other types).
 */
export function canonicalKey(raw: unknown): string | number | undefined {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : undefined;
  if (typeof raw !== 'string' || raw.length === 0) return undefined;
  const numeric = Number(raw);
  return String(numeric) === raw ? numeric : raw;
}
