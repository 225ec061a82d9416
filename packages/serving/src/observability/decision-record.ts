import type { DecisionLineResult } from './decision-line.js';
import { DECISIONS } from '../scoring/decision.js';
import { FALLBACK_REASONS } from '../scoring/score-result.js';
import { RECORD, slotBase, type LogRing } from './log-ring.js';

/**
 * A decision line's values as one ring slot (`log-ring.ts`) of 16 doubles, written by the service thread and read
 * by the log writer thread: numbers as they are, the few known strings as codes. Values that do not fit (a string
 * id or field, an unknown decision, a request id not of Fastify's `req-<base 36>` form, more than
 * {@link MAX_FIELDS} fields) make {@link writeDecisionRecord} return false, and the caller writes the line as text.
 *
 * Slot: kind, channel, time, request number, id, score, model version, latency, flags, then the field values.
 * Flags: decision (2 bits), source (1), fallback reason (4), late, duplicate, model version null, then one bit per
 * field whose value is null.
 */
export const MAX_FIELDS = 7;
const FIELDS_AT = 9;

const SOURCES = ['model', 'fallback'];
/** Index 0: no fallback reason. */
const REASONS: readonly (string | undefined)[] = [undefined, ...FALLBACK_REASONS];
const LATE = 1 << 7;
const DUPLICATE = 1 << 8;
const VERSION_NULL = 1 << 9;
const FIELD_NULL = 10;

/** The number N of a Fastify request id `req-<N in base 36>`, or -1. */
export function requestNumber(reqId: string): number {
  if (!reqId.startsWith('req-') || reqId.length > 10) return -1;
  const n = Number.parseInt(reqId.slice(4), 36);
  return n >= 0 && `req-${n.toString(36)}` === reqId ? n : -1;
}

/**
 * Writes the values of one decision line of `channel` at `slot`; false (nothing written that counts) when they do
 * not fit a slot. `fields` names the event fields of the line, in order.
 */
export function writeDecisionRecord(
  ring: LogRing,
  slot: number,
  channel: number,
  fields: readonly string[],
  time: number,
  reqId: string,
  id: string | number,
  eventFields: Readonly<Record<string, unknown>>,
  result: DecisionLineResult,
): boolean {
  if (typeof id !== 'number' || fields.length > MAX_FIELDS) return false;
  const decision = (DECISIONS as readonly string[]).indexOf(result.decision);
  const source = SOURCES.indexOf(result.source);
  const reason = REASONS.indexOf(result.fallbackReason);
  const request = requestNumber(reqId);
  if (decision < 0 || source < 0 || reason < 0 || request < 0) return false;
  let flags = decision | (source << 2) | (reason << 3);
  if (result.late === true) flags |= LATE;
  if (result.duplicate === true) flags |= DUPLICATE;
  if (result.modelVersion === null) flags |= VERSION_NULL;
  const numbers = ring.numbers;
  const base = slotBase(slot);
  for (let i = 0; i < fields.length; i++) {
    const value = eventFields[fields[i]!];
    if (typeof value === 'number') numbers[base + FIELDS_AT + i] = value;
    else if (value === null || value === undefined) flags |= 1 << (FIELD_NULL + i);
    else return false;
  }
  numbers[base] = RECORD.decision;
  numbers[base + 1] = channel;
  numbers[base + 2] = time;
  numbers[base + 3] = request;
  numbers[base + 4] = id;
  numbers[base + 5] = result.score;
  numbers[base + 6] = result.modelVersion ?? 0;
  numbers[base + 7] = result.latencyMs;
  numbers[base + 8] = flags;
  return true;
}

/** One decision record read back: what {@link writeDecisionRecord} was given. */
export interface DecisionRecord {
  readonly channel: number;
  readonly time: number;
  readonly reqId: string;
  readonly id: number;
  readonly values: readonly (number | null)[];
  readonly result: DecisionLineResult;
}

/** Reads the decision record at `slot`, whose channel has `fieldCount` fields. */
export function readDecisionRecord(ring: LogRing, slot: number, fieldCount: (channel: number) => number): DecisionRecord {
  const numbers = ring.numbers;
  const base = slotBase(slot);
  const channel = numbers[base + 1]!;
  const flags = numbers[base + 8]!;
  const values: (number | null)[] = [];
  for (let i = 0; i < fieldCount(channel); i++) values.push((flags & (1 << (FIELD_NULL + i))) !== 0 ? null : numbers[base + FIELDS_AT + i]!);
  const reason = REASONS[(flags >> 3) & 15];
  const result: { -readonly [K in keyof DecisionLineResult]: DecisionLineResult[K] } = {
    score: numbers[base + 5]!,
    decision: DECISIONS[flags & 3]!,
    source: SOURCES[(flags >> 2) & 1]!,
    modelVersion: (flags & VERSION_NULL) !== 0 ? null : numbers[base + 6]!,
    latencyMs: numbers[base + 7]!,
  };
  if (reason !== undefined) result.fallbackReason = reason;
  if ((flags & LATE) !== 0) result.late = true;
  if ((flags & DUPLICATE) !== 0) result.duplicate = true;
  return { channel, time: numbers[base + 2]!, reqId: `req-${numbers[base + 3]!.toString(36)}`, id: numbers[base + 4]!, values, result };
}
