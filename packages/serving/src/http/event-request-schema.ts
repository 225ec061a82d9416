import { MlsdError, columnWithRole, columnsWithRole, defineSchema, isRequired, type ColumnSpec, type Schema } from '@mlsd/data';
import { z } from 'zod';
import type { ScoringEvent } from '../scoring/scoring-event.js';
import { parseBody, parseEventTime } from './request-schemas.js';

type FieldValue = string | number | null;
/** A column's fast check: the parsed value, or `INVALID` (then zod words the 400). */
type Reader = (value: unknown) => FieldValue | typeof INVALID;
const INVALID = Symbol('invalid');

/**
 * The request schema of a scoring service, built from a data schema with roles (the served model's
 * `FeaturePipeline.eventSchema`, or one given to the service): it parses `POST /v1/score` bodies into
 * {@link ScoringEvent}s and the ids of `POST /v1/feedback`.
 *
 * Per column type: `integer` a whole number (ids and entity keys also >= 0 and <= 2^53 - 1), `float` a finite
 * number, both within the spec's `min` and `max`; `timestamp` epoch ms or `YYYY-MM-DD HH:MM:SS` / ISO (UTC); `category` a
 * non-empty string or a finite number (ids and keys as sent); `label` 0/1 or a boolean. An optional column may be
 * absent or null (→ null). Label-role columns are not part of a request (labels come as feedback). Keys the schema
 * does not list are ignored and never copied. Errors are `INVALID_INPUT` naming the field and, in a batch, the item.
 */
export class EventRequestSchema {
  /** The request's columns: the source schema without its label-role columns. */
  readonly schema: Schema;
  /** The id column (role `id`). */
  readonly idColumn: string;
  /** The event-time column (role `event-time`). */
  readonly timeColumn: string;
  /** The entity-key columns, in schema order: what experiments may assign arms by. */
  readonly entityKeys: readonly string[];
  /** The zod schema of one event, which words every 400 (and documents the body in OpenAPI). */
  readonly bodySchema: z.ZodType<ScoringEvent>;
  private readonly batch: z.ZodType<ScoringEvent[]>;
  private readonly id: z.ZodType<string | number>;
  private readonly names: readonly string[];
  private readonly readers: readonly Reader[];
  private readonly required: readonly boolean[];

  /** Builds the parsers; throws `INVALID_OPTION` when the schema has no `id` or no `event-time` column. */
  constructor(source: Schema) {
    const columns = source.columns.filter((c) => c.role !== 'label');
    const idSpec = columnWithRole(source, 'id');
    const timeSpec = columnWithRole(source, 'event-time');
    for (const [role, spec] of [
      ['id', idSpec],
      ['event-time', timeSpec],
    ] as const) {
      if (spec === undefined) {
        throw new MlsdError(
          'INVALID_OPTION',
          `Request schema "${source.name}" has no column of role "${role}"; a scored event needs one (give the column role "${role}" in the schema).`,
          {
            location: { field: role },
          },
        );
      }
    }
    this.schema = defineSchema(
      source.name,
      columns.map((c) => (c.name === idSpec!.name || c.name === timeSpec!.name ? { ...c, required: true } : c)),
    );
    this.idColumn = idSpec!.name;
    this.timeColumn = timeSpec!.name;
    this.entityKeys = columnsWithRole(source, 'entity-key').map((c) => c.name);
    this.names = this.schema.columns.map((c) => c.name);
    this.readers = this.schema.columns.map(reader);
    this.required = this.schema.columns.map(isRequired);
    const shape: Record<string, z.ZodType<FieldValue>> = {};
    for (const spec of this.schema.columns) shape[spec.name] = fieldSchema(spec);
    const { idColumn, timeColumn } = this;
    this.bodySchema = z.object(shape).transform((fields): ScoringEvent => {
      const out: Record<string, FieldValue> = {};
      for (const name of this.names) out[name] = fields[name] ?? null;
      return { id: out[idColumn] as string | number, time: out[timeColumn] as number, fields: out };
    });
    this.batch = z.array(this.bodySchema);
    this.id = fieldSchema(this.schema.columns.find((c) => c.name === idColumn)!) as z.ZodType<string | number>;
  }

  /** One event of `POST /v1/score`; throws `INVALID_INPUT` naming the field and what was expected. */
  parse(body: unknown): ScoringEvent {
    return this.read(body) ?? parseBody(this.bodySchema, body, 'score request');
  }

  /** The events of a batch `POST /v1/score`, in order; a 400 also names the item. */
  parseBatch(items: readonly unknown[]): ScoringEvent[] {
    const events: ScoringEvent[] = [];
    for (const item of items) {
      const event = this.read(item);
      if (event === undefined) return parseBody(this.batch, items, 'score request');
      events.push(event);
    }
    return events;
  }

  /** A zod schema of an id as this request schema accepts it (for feedback bodies). */
  get idSchema(): z.ZodType<string | number> {
    return this.id;
  }

  /**
   * The columns of `needed` (e.g. a model pipeline's event schema; label-role columns aside) that this request
   * schema lacks or types differently, as readable reasons such as `missing field "price"`; empty when it covers them.
   */
  uncovered(needed: Schema): string[] {
    const reasons: string[] = [];
    for (const spec of needed.columns) {
      if (spec.role === 'label') continue;
      const own = this.schema.columns.find((c) => c.name === spec.name);
      if (own === undefined) reasons.push(`missing field "${spec.name}"`);
      else if (!compatible(own, spec)) reasons.push(`field "${spec.name}" is ${own.type} here but ${spec.type} in the model's pipeline`);
    }
    return reasons;
  }

  /** The fast path: the event when every field passes its column's check, else undefined (zod then words the error). */
  private read(body: unknown): ScoringEvent | undefined {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
    const raw = body as Record<string, unknown>;
    const fields: Record<string, FieldValue> = {};
    for (let c = 0; c < this.names.length; c++) {
      const name = this.names[c]!;
      const value = raw[name];
      if (value === undefined || value === null) {
        if (this.required[c]) return undefined;
        fields[name] = null;
        continue;
      }
      const parsed = this.readers[c]!(value);
      if (parsed === INVALID) return undefined;
      fields[name] = parsed;
    }
    return { id: fields[this.idColumn] as string | number, time: fields[this.timeColumn] as number, fields };
  }
}

/** Numbers stand in for each other (an integer column serves a float feature); categories take strings or numbers. */
function compatible(own: ColumnSpec, needed: ColumnSpec): boolean {
  if (own.type === needed.type) return true;
  const numeric = (t: string) => t === 'integer' || t === 'float';
  return (numeric(own.type) && numeric(needed.type)) || (needed.type === 'category' && own.type !== 'label');
}

function isKey(spec: ColumnSpec): boolean {
  return spec.role === 'id' || spec.role === 'entity-key';
}

function fieldSchema(spec: ColumnSpec): z.ZodType<FieldValue> {
  let schema: z.ZodType<FieldValue>;
  switch (spec.type) {
    case 'integer': {
      // zod's int() takes safe integers only (|x| <= 2^53 - 1).
      let n = z.number().int('expected a whole number');
      if (isKey(spec)) n = n.min(0);
      if (spec.min !== undefined) n = n.min(spec.min);
      if (spec.max !== undefined) n = n.max(spec.max);
      schema = n;
      break;
    }
    case 'float': {
      let n = z.number();
      if (spec.min !== undefined) n = n.min(spec.min);
      if (spec.max !== undefined) n = n.max(spec.max);
      schema = n;
      break;
    }
    case 'timestamp':
      schema = z.union([z.string(), z.number()]).transform((value, ctx) => {
        const time = parseEventTime(value);
        if (Number.isNaN(time)) {
          ctx.addIssue({ code: 'custom', message: `expected 'YYYY-MM-DD HH:MM:SS' (UTC) or epoch ms, got ${JSON.stringify(value)}` });
          return z.NEVER;
        }
        if (spec.min !== undefined && time < spec.min) {
          ctx.addIssue({ code: 'custom', message: `expected a time >= ${spec.min} (epoch ms), got ${JSON.stringify(value)}` });
          return z.NEVER;
        }
        return time;
      });
      break;
    case 'category':
      schema = z.union([z.string().min(1, 'expected a non-empty string'), z.number()], 'expected a string or a number');
      break;
    case 'label':
      schema = z.union([z.boolean(), z.literal(0), z.literal(1)], 'expected 0, 1, true or false').transform((v) => (v === true || v === 1 ? 1 : 0));
      break;
  }
  return isRequired(spec)
    ? schema
    : schema
        .nullable()
        .optional()
        .transform((v) => v ?? null);
}

/** The fast check of one column, agreeing with {@link fieldSchema} on every non-missing value. */
function reader(spec: ColumnSpec): Reader {
  const min = spec.min ?? Number.NEGATIVE_INFINITY;
  const max = spec.max ?? Number.POSITIVE_INFINITY;
  switch (spec.type) {
    case 'integer': {
      const low = isKey(spec) ? Math.max(0, min) : min;
      return (v) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= low && v <= max ? v : INVALID);
    }
    case 'float':
      return (v) => (typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max ? v : INVALID);
    case 'timestamp':
      return (v) => {
        if (typeof v !== 'string' && typeof v !== 'number') return INVALID;
        const time = parseEventTime(v);
        return Number.isNaN(time) || time < min ? INVALID : time;
      };
    case 'category':
      return (v) => ((typeof v === 'string' && v.length > 0) || (typeof v === 'number' && Number.isFinite(v)) ? v : INVALID);
    case 'label':
      return (v) => (v === true || v === 1 ? 1 : v === false || v === 0 ? 0 : INVALID);
  }
}
