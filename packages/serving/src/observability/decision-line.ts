import { pino, type Logger } from 'pino';
import { jsonValue } from './json-value.js';
import { REDACTED_LOG_PATHS } from './redacted-paths.js';

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

/**
 * A log destination that builds decision lines itself from their values (the service's stdout, `stdout-log.ts`, on its
 * writer thread): `push` hands over one line's values, false when they cannot be carried (the line is then written
 * as text).
 */
export interface DecisionStream {
  decisionChannel(
    format: DecisionLineFormat,
    hashSalt: string | undefined,
  ): {
    push(time: number, reqId: string, id: string | number, eventFields: Readonly<Record<string, unknown>>, result: DecisionLineResult): boolean;
  };
}

/** Writes one decision line; see {@link decisionLineWriter}. */
export type DecisionLineWriter = (reqId: string, id: string | number, fields: Readonly<Record<string, unknown>>, result: DecisionLineResult) => void;

const TOP_LEVEL_REDACTED = new Set(REDACTED_LOG_PATHS.filter((path) => !path.includes('.')));

/**
 * What a decision line is made of besides its values: serialisable, so that the log writer thread
 * (`stdout-log.ts`) builds the same lines as the service thread.
 */
export interface DecisionLineFormat {
  /** pino's number of the info level. */
  readonly level: number;
  /** The logger's bindings as pino serialises them, with their leading comma (`,"service":…`). */
  readonly bindings: string;
  readonly idField: string;
  readonly fields: readonly DecisionLineField[];
}

/** Builds one decision line (with its newline) from the time, ids, the values of the format's fields and the result. */
export type DecisionLineBuilder = (time: number, reqId: string, id: string | number, values: ArrayLike<unknown>, result: DecisionLineResult) => string;

/**
 * The builder of decision lines of `format`: `{"level":30,"time":…,<bindings>,"reqId":…,"<idField>":…,<fields>,
 * "score":…,"decision":…,"source":…,"fallbackReason":…,"modelVersion":…,"latencyMs":…,"late":true?,
 * "duplicate":true?,"msg":"scored"}` — the line `logger.info({ … }, 'scored')` writes, byte for byte. A field named
 * like a top-level path the service logger redacts (`customerId`, `CUSTOMER_ID`, `token`, … in
 * {@link REDACTED_LOG_PATHS}) is written as `"[redacted]"`, hashed or not, as pino's redaction did; `hashKey` hashes
 * the fields marked `hash`.
 */
export function decisionLineBuilder(format: DecisionLineFormat, hashKey: (key: string | number) => string): DecisionLineBuilder {
  const prefix = `{"level":${format.level},"time":`;
  const idKey = `,"reqId":`;
  const idFieldKey = `,${JSON.stringify(format.idField)}:`;
  const keys = format.fields.map((f) => `,${JSON.stringify(f.name)}:`);
  const hashed = format.fields.map((f) => f.hash);
  const censored = format.fields.map((f) => TOP_LEVEL_REDACTED.has(f.name));
  const { bindings } = format;
  return (time, reqId, id, values, result) => {
    let line = prefix + time + bindings + idKey + jsonValue(reqId) + idFieldKey + jsonValue(id);
    for (let i = 0; i < keys.length; i++) {
      const value = values[i] ?? null;
      line += keys[i]! + (censored[i] ? '"[redacted]"' : jsonValue(hashed[i] && value !== null ? hashKey(value as string | number) : value));
    }
    line += `,"score":${jsonValue(result.score)},"decision":${jsonValue(result.decision)},"source":${jsonValue(result.source)}`;
    if (result.fallbackReason !== undefined) line += `,"fallbackReason":${jsonValue(result.fallbackReason)}`;
    line += `,"modelVersion":${jsonValue(result.modelVersion)},"latencyMs":${jsonValue(result.latencyMs)}`;
    if (result.late === true) line += ',"late":true';
    if (result.duplicate === true) line += ',"duplicate":true';
    return `${line},"msg":"scored"}\n`;
  };
}

/**
 * A writer of the per-event decision line (`msg: "scored"`), the one log line of every scored event, on `logger`'s
 * stream at info level (see {@link decisionLineBuilder} for the line).
 *
 * Why not through pino's `info`: its per-call work (merging bindings, redaction, generic serialisation) allocated
 * about 6.7 KB per request and a few microseconds of CPU, the largest allocation of a scored request. The keys of a
 * decision line are known here, so they are encoded once. When the logger writes to a {@link DecisionStream} (the service's
 * stdout, `stdout-log.ts`), the line is not even built here: its numbers are handed to the log writer thread, which builds it
 * (`hashSalt` is then the salt `hashKey` hashes with, so that thread hashes alike). Nothing is written when info is
 * not enabled.
 */
export function decisionLineWriter(
  logger: Logger,
  idField: string,
  fields: readonly DecisionLineField[],
  hashKey: (key: string | number) => string,
  now: () => number = Date.now,
  hashSalt?: string,
): DecisionLineWriter {
  // pino's own parts of a line, through its exported symbols: the destination, and the bindings (`"service":…`, and
  // `"worker":…` in a cluster worker) already serialised with their leading comma.
  const internals = logger as unknown as Record<symbol, unknown>;
  const stream = internals[pino.symbols.streamSym] as { write(line: string): unknown };
  const format: DecisionLineFormat = {
    level: logger.levels.values['info']!,
    bindings: internals[pino.symbols.chindingsSym] as string,
    idField,
    fields: fields.map(({ name, field, hash }) => ({ name, field, hash })),
  };
  const build = decisionLineBuilder(format, hashKey);
  const names = fields.map((f) => f.field);
  const valuesOf = (eventFields: Readonly<Record<string, unknown>>): unknown[] => names.map((name) => eventFields[name] ?? null);
  const decisionStream = stream as Partial<DecisionStream>;
  if (decisionStream.decisionChannel !== undefined && (hashSalt !== undefined || fields.every((f) => !f.hash))) {
    const channel = decisionStream.decisionChannel(format, hashSalt);
    return (reqId, id, eventFields, result) => {
      if (!logger.isLevelEnabled('info')) return;
      const time = now();
      if (!channel.push(time, reqId, id, eventFields, result)) stream.write(build(time, reqId, id, valuesOf(eventFields), result));
    };
  }
  return (reqId, id, eventFields, result) => {
    if (!logger.isLevelEnabled('info')) return;
    stream.write(build(now(), reqId, id, valuesOf(eventFields), result));
  };
}
