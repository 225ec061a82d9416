/**
 * One value as JSON text, the way `JSON.stringify` writes it inside an object (and pino in a log line): numbers in
 * JavaScript's shortest form (not finite: `null`), `null` and `undefined` as `null`, anything else through
 * `JSON.stringify`, with the values every answer carries (`true`, an empty list) written without it. For text
 * built field by field on a hot path (decision lines, answers).
 */
export function jsonValue(value: unknown): string {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (value === null || value === undefined) return 'null';
  if (value === true) return 'true';
  if (Array.isArray(value) && value.length === 0) return '[]';
  return JSON.stringify(value);
}
