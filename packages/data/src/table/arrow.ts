import {
  Dictionary,
  Field,
  Float64,
  Int32,
  makeData,
  Precision,
  RecordBatch,
  Schema as ArrowSchema,
  Struct,
  Table,
  TimestampMillisecond,
  Type,
  Uint8,
  Utf8,
  vectorFromArray,
  type Data,
  type DataType,
  type Vector,
} from 'apache-arrow';
import { MlsdError } from '../errors/mlsd-error.js';
import { ColumnTable, type Column } from './column-table.js';

/** Field metadata key recording the mlsd column type, so integer and label columns survive a round trip. */
export const ARROW_TYPE_METADATA = 'mlsd.type';

/**
 * Converts a {@link ColumnTable} to an apache-arrow `Table` (one record batch), sharing memory where the layouts
 * match: integer and float columns become Float64 over the same Float64Array, labels Uint8 over the same
 * Uint8Array, categories Dictionary<Utf8, Int32> over the same codes. Timestamps are copied into
 * Timestamp(ms, UTC) (Arrow stores them as 64-bit integers). NaN / code -1 become Arrow nulls (a validity bitmap
 * is added; the values buffer is still shared). Each field carries `mlsd.type` metadata for {@link fromArrow}.
 */
export function toArrow(table: ColumnTable): Table {
  const fields: Field[] = [];
  const children: Data[] = [];
  for (const name of table.columnNames) {
    const column = table.column(name);
    const data = columnToArrow(column);
    fields.push(new Field(name, data.type, data.nullCount > 0, new Map([[ARROW_TYPE_METADATA, column.type]])));
    children.push(data);
  }
  const schema = new ArrowSchema(fields);
  const struct = makeData({ type: new Struct(fields), length: table.rowCount, children, nullCount: 0 });
  return new Table(schema, [new RecordBatch(schema, struct)]);
}

/**
 * Converts an apache-arrow `Table` to a {@link ColumnTable}. Zero-copy for single-chunk Float64 (integer/float),
 * Uint8 label and Int32-indexed dictionary columns without nulls; otherwise values are copied: other integer
 * types become `integer`, Float32 `float`, Bool `label`, Timestamp/Date `timestamp` (epoch ms), Utf8 and
 * dictionaries `category`; nulls become NaN (category: -1). `mlsd.type` metadata from {@link toArrow} is honoured.
 * Throws `SCHEMA_MISMATCH` naming the column for any other Arrow type.
 */
export function fromArrow(arrow: Table): ColumnTable {
  const columns = new Map<string, Column>();
  arrow.schema.fields.forEach((field, index) => {
    const vector = arrow.getChildAt(index);
    if (vector === null) return;
    columns.set(field.name, columnFromArrow(field, vector));
  });
  return new ColumnTable(columns);
}

function columnToArrow(column: Column): Data {
  switch (column.type) {
    case 'integer':
    case 'float': {
      const nullBitmap = validity(column.values.length, (i) => !Number.isNaN(column.values[i]!));
      return makeData({ type: new Float64(), data: column.values, length: column.values.length, ...nullBitmap });
    }
    case 'timestamp': {
      const values = new BigInt64Array(column.values.length);
      for (let i = 0; i < values.length; i++) {
        const v = column.values[i]!;
        values[i] = Number.isFinite(v) ? BigInt(Math.round(v)) : 0n;
      }
      const nullBitmap = validity(column.values.length, (i) => Number.isFinite(column.values[i]!));
      return makeData({ type: new TimestampMillisecond('UTC'), data: values, length: values.length, ...nullBitmap });
    }
    case 'label':
      return makeData({ type: new Uint8(), data: column.values, length: column.values.length, nullCount: 0 });
    case 'category': {
      const dictionary = vectorFromArray([...column.dictionary], new Utf8());
      const nullBitmap = validity(column.codes.length, (i) => column.codes[i]! >= 0);
      return makeData({
        type: new Dictionary(new Utf8(), new Int32()),
        data: column.codes,
        dictionary,
        length: column.codes.length,
        ...nullBitmap,
      });
    }
  }
}

/** A validity bitmap (LSB first, 1 = valid) when some value is missing; nothing when all are valid. */
function validity(length: number, valid: (i: number) => boolean): { nullBitmap?: Uint8Array; nullCount: number } {
  let nulls = 0;
  for (let i = 0; i < length; i++) if (!valid(i)) nulls++;
  if (nulls === 0) return { nullCount: 0 };
  const bitmap = new Uint8Array((length + 7) >> 3);
  for (let i = 0; i < length; i++) if (valid(i)) bitmap[i >> 3]! |= 1 << (i & 7);
  return { nullBitmap: bitmap, nullCount: nulls };
}

function columnFromArrow(field: Field, vector: Vector): Column {
  const declared = field.metadata.get(ARROW_TYPE_METADATA);
  const type = vector.type as DataType;
  const single = vector.data.length === 1 && vector.nullCount === 0 ? vector.data[0] : undefined;

  if (type.typeId === Type.Float && (type as Float64).precision === Precision.DOUBLE) {
    const kind = declared === 'integer' ? 'integer' : 'float';
    if (single !== undefined) return { type: kind, values: (single.values as Float64Array).subarray(single.offset, single.offset + single.length) };
    return { type: kind, values: numbers(vector) };
  }
  if (type.typeId === Type.Float) return { type: 'float', values: numbers(vector) };
  if (type.typeId === Type.Int) {
    if (declared === 'label' && single !== undefined && single.values instanceof Uint8Array) {
      return { type: 'label', values: single.values.subarray(single.offset, single.offset + single.length) };
    }
    if (declared === 'label') return { type: 'label', values: labels(vector, field.name) };
    return { type: 'integer', values: numbers(vector) };
  }
  if (type.typeId === Type.Bool) return { type: 'label', values: labels(vector, field.name) };
  if (type.typeId === Type.Timestamp || type.typeId === Type.Date) {
    const values = new Float64Array(vector.length);
    for (let i = 0; i < values.length; i++) {
      const v = vector.get(i) as number | Date | bigint | null;
      values[i] = v === null ? Number.NaN : v instanceof Date ? v.getTime() : Number(v);
    }
    return { type: 'timestamp', values };
  }
  if (type.typeId === Type.Dictionary && single !== undefined && single.values instanceof Int32Array && single.dictionary !== undefined) {
    return {
      type: 'category',
      codes: single.values.subarray(single.offset, single.offset + single.length),
      dictionary: single.dictionary.toArray().map(String),
    };
  }
  if (type.typeId === Type.Dictionary && vector.data.length === 1 && vector.data[0]!.dictionary !== undefined) {
    // One chunk with nulls: keep its dictionary, copy the codes with -1 for nulls.
    const data = vector.data[0]!;
    const codes = new Int32Array(vector.length);
    for (let i = 0; i < codes.length; i++) codes[i] = vector.isValid(i) ? Number(data.values[data.offset + i]) : -1;
    return { type: 'category', codes, dictionary: data.dictionary!.toArray().map(String) };
  }
  if (type.typeId === Type.Dictionary || type.typeId === Type.Utf8 || type.typeId === Type.LargeUtf8) {
    const codes = new Int32Array(vector.length);
    const dictionary: string[] = [];
    const seen = new Map<string, number>();
    for (let i = 0; i < codes.length; i++) {
      const value = vector.get(i) as string | null;
      if (value === null) {
        codes[i] = -1;
        continue;
      }
      let code = seen.get(value);
      if (code === undefined) {
        code = dictionary.length;
        seen.set(value, code);
        dictionary.push(value);
      }
      codes[i] = code;
    }
    return { type: 'category', codes, dictionary };
  }
  throw new MlsdError(
    'SCHEMA_MISMATCH',
    `Arrow column "${field.name}" has type ${String(type)}, which mlsd cannot hold; convert it to a number, timestamp, boolean or string column.`,
    { location: { column: field.name } },
  );
}

function numbers(vector: Vector): Float64Array {
  const values = new Float64Array(vector.length);
  for (let i = 0; i < values.length; i++) {
    const v = vector.get(i) as number | bigint | null;
    values[i] = v === null ? Number.NaN : Number(v);
  }
  return values;
}

function labels(vector: Vector, name: string): Uint8Array {
  const values = new Uint8Array(vector.length);
  for (let i = 0; i < values.length; i++) {
    const v = vector.get(i) as number | boolean | null;
    const n = v === true ? 1 : v === false ? 0 : v;
    if (n !== 0 && n !== 1) {
      throw new MlsdError('INVALID_INPUT', `Arrow label column "${name}" has ${String(v)} at row ${i}; labels must be 0 or 1.`, {
        location: { column: name, row: i },
      });
    }
    values[i] = n;
  }
  return values;
}
