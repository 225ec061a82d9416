import { jsonValue } from '../observability/json-value.js';
import type { ScoreResult } from '../scoring/score-result.js';

/** Fields whose values are closed sets of plain words (`Decision`, the source, `FallbackReason`): quoted as they are. */
const WORD_FIELDS = new Set(['decision', 'source', 'fallbackReason']);

/**
 * The JSON text of one answer of `POST /v1/score`, the id under `idField` first, then the result's other fields in
 * their order: exactly `JSON.stringify` of that object (a property test compares them), built directly because it
 * runs for every event (~0.4 µs against ~0.8 µs with the object copy and `JSON.stringify`).
 */
export function answerJson(result: ScoreResult, idField: string): string {
  let text = `{${JSON.stringify(idField)}:${jsonValue(result.id)}`;
  for (const key in result) {
    if (key === 'id') continue;
    const field = result[key as keyof ScoreResult];
    if (field === undefined) continue;
    text += `,"${key}":${typeof field === 'string' && WORD_FIELDS.has(key) ? `"${field}"` : jsonValue(field)}`;
  }
  return `${text}}`;
}
