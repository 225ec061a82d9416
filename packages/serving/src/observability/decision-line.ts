import { pino, type Logger } from 'pino';
import { REDACTED_LOG_PATHS } from './logger.js';

/** One event field of a decision line: logged under `name`, read from the event's `field`, hashed or raw. */
export interface DecisionLineField {
  readonly name: string;
  readonly field: string;
  readonly hash: boolean;
}

/** What a decision line says about one scored event, after its fields. */
export interface DecisionLineResult {
  readonly score: number;
  readonly decision: string;
  readonly source: string;
  readonly fallbackReason?: string | undefined;
  readonly modelVersion: number | null;
  readonly latencyMs: number;
  readonly late?: true;
  readonly duplicate?: true;
}

/** Writes one decision line; see {@link decisionLineWriter}. */
export type DecisionLineWriter = (reqId: string, id: string | number, fields: Readonly<Record<string, unknown>>, result: DecisionLineResult) => void;

const TOP_LEVEL_REDACTED = new Set(REDACTED_LOG_PATHS.filter((path) => !path.includes('.')));

/**
 * A writer of the per-event decision line (`msg: "scored"`), the one log line of every scored event, on `logger`'s
 * stream at info level: `{"level":30,"time":…,<logger bindings>,"reqId":…,"<idField>":…,<fields>,"score":…,
 * "decision":…,"source":…,"fallbackReason":…,"modelVersion":…,"latencyMs":…,"late":true?,"duplicate":true?,
 * "msg":"scored"}` — the line `logger.info({ … }, 'scored')` writes, byte for byte, built directly.
 *
 * Why not through pino's `info`: its per-call work (merging bindings, redaction, generic serialisation) allocated
 * about 6.7 KB per request and a few microseconds of CPU, the largest allocation of a scored request. The keys of a
 * decision line are known here, so they are encoded once; the values are the event's fields (strings, numbers,
 * null) and the result's. Redaction is decided here instead, once: a field named like a top-level path the service
 * logger redacts (`customerId`, `CUSTOMER_ID`, `token`, … in {@link REDACTED_LOG_PATHS}) is written as
 * `"[redacted]"`, hashed or not, as pino's redaction did. `hashKey` hashes the fields marked `hash`. Nothing is written when info is not enabled.
 */
export function decisionLineWriter(
  logger: Logger,
  idField: string,
  fields: readonly DecisionLineField[],
  hashKey: (key: string | number) => string,
  now: () => number = Date.now,
): DecisionLineWriter {
  const infoLevel = logger.levels.values['info']!;
  const prefix = `{"level":${infoLevel},"time":`;
  const idKey = `,"reqId":`;
  const idFieldKey = `,${JSON.stringify(idField)}:`;
  const keys = fields.map((f) => `,${JSON.stringify(f.name)}:`);
  const censored = fields.map((f) => TOP_LEVEL_REDACTED.has(f.name));
  // pino's own parts of a line, through its exported symbols: the destination, and the bindings (`"service":…`, and
  // `"worker":…` in a cluster worker) already serialised with their leading comma.
  const internals = logger as unknown as Record<symbol, unknown>;
  const stream = internals[pino.symbols.streamSym] as { write(line: string): unknown };
  const bindings = internals[pino.symbols.chindingsSym] as string;
  return (reqId, id, eventFields, result) => {
    if (!logger.isLevelEnabled('info')) return;
    let line = prefix + now() + bindings + idKey + json(reqId) + idFieldKey + json(id);
    for (let i = 0; i < fields.length; i++) {
      const { field, hash } = fields[i]!;
      const value = eventFields[field] ?? null;
      line += keys[i]! + (censored[i] ? '"[redacted]"' : json(hash && value !== null ? hashKey(value as string | number) : value));
    }
    line += `,"score":${json(result.score)},"decision":${json(result.decision)},"source":${json(result.source)}`;
    if (result.fallbackReason !== undefined) line += `,"fallbackReason":${json(result.fallbackReason)}`;
    line += `,"modelVersion":${json(result.modelVersion)},"latencyMs":${json(result.latencyMs)}`;
    if (result.late === true) line += ',"late":true';
    if (result.duplicate === true) line += ',"duplicate":true';
    stream.write(`${line},"msg":"scored"}\n`);
  };
}

/** A value as pino writes it: numbers as JSON (non-finite as null), strings escaped, anything else stringified. */
function json(value: unknown): string {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (value === null || value === undefined) return 'null';
  return JSON.stringify(value);
}
