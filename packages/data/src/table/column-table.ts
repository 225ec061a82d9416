import { MlsdError } from '../errors/mlsd-error.js';

/**
 * One column of a {@link ColumnTable}. Numbers live in typed arrays; strings are dictionary-encoded.
 *
 * - `integer`: whole numbers (ids, counts), exact up to 2^53.
 * - `float`: real numbers; `NaN` marks a missing value.
 * - `timestamp`: milliseconds since 1970-01-01T00:00:00Z (times without a zone are read as UTC).
 * - `label`: a binary label, 0 or 1.
 * - `category`: `codes[i]` indexes `dictionary`; -1 marks a missing value.
 */
export type Column =
  | { readonly type: 'integer'; readonly values: Float64Array }
  | { readonly type: 'float'; readonly values: Float64Array }
  | { readonly type: 'timestamp'; readonly values: Float64Array }
  | { readonly type: 'label'; readonly values: Uint8Array }
  | { readonly type: 'category'; readonly codes: Int32Array; readonly dictionary: readonly string[] };

/** The type tag of a {@link Column}. */
export type ColumnType = Column['type'];

/**
 * An immutable in-memory columnar table: named columns of equal length, each a typed array
 * (or dictionary codes). It is the table every mlsd stage passes around.
 */
export class ColumnTable {
  readonly rowCount: number;
  readonly columnNames: readonly string[];
  private readonly byName: ReadonlyMap<string, Column>;

  /** Builds a table; every column must have `rowCount` entries. */
  constructor(columns: Readonly<Record<string, Column>> | ReadonlyMap<string, Column>) {
    const entries = columns instanceof Map ? [...columns.entries()] : Object.entries(columns);
    const map = new Map<string, Column>();
    let rowCount = -1;
    for (const [name, column] of entries) {
      const length = columnLength(column);
      if (rowCount === -1) rowCount = length;
      else if (length !== rowCount) {
        throw new MlsdError('INVALID_INPUT', `Column "${name}" has ${length} rows but the table has ${rowCount}; every column must have the same length.`, {
          location: { column: name },
        });
      }
      map.set(name, column);
    }
    this.rowCount = Math.max(rowCount, 0);
    this.columnNames = [...map.keys()];
    this.byName = map;
  }

  /** True when the table has a column of that name. */
  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** The column called `name`; throws `SCHEMA_MISMATCH` naming the available columns when it is missing. */
  column(name: string): Column {
    const column = this.byName.get(name);
    if (column === undefined) {
      throw new MlsdError('SCHEMA_MISMATCH', `Column "${name}" not found; the table has columns: ${this.columnNames.join(', ')}.`, {
        location: { column: name },
      });
    }
    return column;
  }

  /** The values of an `integer`, `float` or `timestamp` column. */
  numeric(name: string): Float64Array {
    const column = this.column(name);
    if (column.type === 'integer' || column.type === 'float' || column.type === 'timestamp') return column.values;
    throw new MlsdError('SCHEMA_MISMATCH', `Column "${name}" is of type ${column.type}, not a numeric column.`, {
      location: { column: name },
    });
  }

  /** The values of a `label` column (0/1). */
  labels(name: string): Uint8Array {
    const column = this.column(name);
    if (column.type === 'label') return column.values;
    throw new MlsdError('SCHEMA_MISMATCH', `Column "${name}" is of type ${column.type}, not a label column.`, {
      location: { column: name },
    });
  }

  /** A new table with the rows at `indices`, in that order (indices may repeat). */
  take(indices: Int32Array): ColumnTable {
    const out = new Map<string, Column>();
    for (const [name, column] of this.byName) out.set(name, takeColumn(column, indices));
    return new ColumnTable(out);
  }

  /** A new table with only the named columns, in that order. */
  select(names: readonly string[]): ColumnTable {
    const out = new Map<string, Column>();
    for (const name of names) out.set(name, this.column(name));
    return new ColumnTable(out);
  }

  /** A new table with `column` added (or replaced) under `name`. */
  withColumn(name: string, column: Column): ColumnTable {
    const out = new Map(this.byName);
    out.set(name, column);
    return new ColumnTable(out);
  }
}

function columnLength(column: Column): number {
  return column.type === 'category' ? column.codes.length : column.values.length;
}

function takeColumn(column: Column, indices: Int32Array): Column {
  switch (column.type) {
    case 'category': {
      const codes = new Int32Array(indices.length);
      for (let i = 0; i < indices.length; i++) codes[i] = column.codes[indices[i]!]!;
      return { type: 'category', codes, dictionary: column.dictionary };
    }
    case 'label': {
      const values = new Uint8Array(indices.length);
      for (let i = 0; i < indices.length; i++) values[i] = column.values[indices[i]!]!;
      return { type: 'label', values };
    }
    default: {
      const values = new Float64Array(indices.length);
      for (let i = 0; i < indices.length; i++) values[i] = column.values[indices[i]!]!;
      return { type: column.type, values };
    }
  }
}
