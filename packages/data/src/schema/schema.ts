import { MlsdError } from '../errors/mlsd-error.js';
import type { ColumnType } from '../table/column-table.js';

/**
 * What a column means to the pipeline:
 * - `id`: identifies a row (e.g. a transaction id); usually `unique`.
 * - `event-time`: when the event happened; time-based splits and features use it.
 * - `entity-key`: the entity a row belongs to (customer, terminal); features aggregate over it.
 * - `label`: the target a model learns (0/1).
 * - `feature`: anything else a model may use.
 */
export type ColumnRole = 'id' | 'event-time' | 'entity-key' | 'label' | 'feature';

/** One column a schema expects. */
export interface ColumnSpec {
  /** The exact column name in files and tables (case-sensitive). */
  readonly name: string;
  /** How values are parsed and stored (see {@link ColumnType}). */
  readonly type: ColumnType;
  readonly role: ColumnRole;
  /** When true (the default) a missing column or a missing value is an error; optional columns may be absent. */
  readonly required?: boolean;
  /** Smallest allowed value (inclusive), for numeric columns; a smaller value rejects the row. */
  readonly min?: number;
  /** Largest allowed value (inclusive), for numeric columns; a larger value rejects the row. */
  readonly max?: number;
  /** When true, a repeated value rejects the later row. */
  readonly unique?: boolean;
}

/** A named, ordered list of column specs: what a table or a file must look like. */
export interface Schema {
  readonly name: string;
  readonly columns: readonly ColumnSpec[];
}

const COLUMN_TYPES: readonly ColumnType[] = ['integer', 'float', 'timestamp', 'label', 'category'];
const COLUMN_ROLES: readonly ColumnRole[] = ['id', 'event-time', 'entity-key', 'label', 'feature'];
const SPEC_KEYS = ['name', 'type', 'role', 'required', 'min', 'max', 'unique'];

/**
 * Builds a schema, checking it: names are non-empty and distinct, types and roles are known, `min` and `max` are
 * only given for numeric columns (`max` not below `min`), unknown keys are refused. Throws `INVALID_OPTION` naming
 * the bad column.
 */
export function defineSchema(name: string, columns: readonly ColumnSpec[]): Schema {
  if (columns.length === 0) {
    throw new MlsdError('INVALID_OPTION', `Schema "${name}" has no columns; give at least one ColumnSpec.`);
  }
  const seen = new Set<string>();
  for (const spec of columns) {
    const where = `Schema "${name}", column "${spec.name}"`;
    for (const key of Object.keys(spec)) {
      if (!SPEC_KEYS.includes(key)) {
        throw new MlsdError('INVALID_OPTION', `${where}: unknown key "${key}"; valid keys are ${SPEC_KEYS.join(', ')}.`, {
          location: { column: spec.name, field: key },
        });
      }
    }
    if (typeof spec.name !== 'string' || spec.name.length === 0) {
      throw new MlsdError('INVALID_OPTION', `Schema "${name}" has a column with an empty name; name every column.`);
    }
    if (seen.has(spec.name)) {
      throw new MlsdError('INVALID_OPTION', `${where} is declared twice; column names must be distinct.`, {
        location: { column: spec.name },
      });
    }
    seen.add(spec.name);
    if (!COLUMN_TYPES.includes(spec.type)) {
      throw new MlsdError('INVALID_OPTION', `${where}: unknown type "${String(spec.type)}"; valid types are ${COLUMN_TYPES.join(', ')}.`, {
        location: { column: spec.name, field: 'type' },
      });
    }
    if (!COLUMN_ROLES.includes(spec.role)) {
      throw new MlsdError('INVALID_OPTION', `${where}: unknown role "${String(spec.role)}"; valid roles are ${COLUMN_ROLES.join(', ')}.`, {
        location: { column: spec.name, field: 'role' },
      });
    }
    if (spec.min !== undefined && (spec.type === 'category' || spec.type === 'label' || !Number.isFinite(spec.min))) {
      throw new MlsdError('INVALID_OPTION', `${where}: "min" must be a finite number and is only allowed on integer, float and timestamp columns.`, {
        location: { column: spec.name, field: 'min' },
      });
    }
    if (spec.max !== undefined && (spec.type === 'category' || spec.type === 'label' || !Number.isFinite(spec.max) || spec.max < (spec.min ?? -Infinity))) {
      throw new MlsdError(
        'INVALID_OPTION',
        `${where}: "max" must be a finite number not below "min" and is only allowed on integer, float and timestamp columns.`,
        {
          location: { column: spec.name, field: 'max' },
        },
      );
    }
  }
  return { name, columns: [...columns] };
}

/** True when the spec's column must be present and filled (the default). */
export function isRequired(spec: ColumnSpec): boolean {
  return spec.required !== false;
}

/** A one-line description of a schema, e.g. for error messages: `A (integer, id), B (float, feature, optional)`. */
export function describeSchema(schema: Schema): string {
  return schema.columns
    .map(
      (c) =>
        `${c.name} (${c.type}, ${c.role}${isRequired(c) ? '' : ', optional'}${c.min === undefined ? '' : `, min ${c.min}`}${c.max === undefined ? '' : `, max ${c.max}`}${c.unique ? ', unique' : ''})`,
    )
    .join(', ');
}
