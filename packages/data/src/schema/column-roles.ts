import { MlsdError } from '../errors/mlsd-error.js';
import type { ColumnTable } from '../table/column-table.js';
import { isRequired, type ColumnRole, type ColumnSpec, type Schema } from './schema.js';

/**
 * The column of `schema` playing `role`: the first required one, else the first optional one; undefined when none
 * has it. A schema may hold several `label` columns (e.g. the label and a scenario tag): the required one wins.
 */
export function columnWithRole(schema: Schema, role: ColumnRole): ColumnSpec | undefined {
  return schema.columns.find((c) => c.role === role && isRequired(c)) ?? schema.columns.find((c) => c.role === role);
}

/** Every column of `schema` playing `role`, in schema order. */
export function columnsWithRole(schema: Schema, role: ColumnRole): ColumnSpec[] {
  return schema.columns.filter((c) => c.role === role);
}

/**
 * The column an option names, resolved the one way every stage does: the explicit option when given, else the
 * `schema`'s column with `role` (see {@link columnWithRole}), else `fallback` (the Handbook's name, kept so the
 * fraud example's defaults still work).
 */
export function roleColumn(explicit: string | undefined, schema: Schema | undefined, role: ColumnRole, fallback: string): string {
  if (explicit !== undefined) return explicit;
  const fromSchema = schema === undefined ? undefined : columnWithRole(schema, role);
  return fromSchema?.name ?? fallback;
}

/**
 * Throws `SCHEMA_MISMATCH` when `table` has no column `name`, saying which option chose it and how to fix it:
 * `Column "TX_DATETIME" not found; the table has columns: a, b. Set option "timeColumn" to your event-time column,
 * or pass "schema" with a column of role "event-time".`
 */
export function requireColumn(table: ColumnTable, name: string, option: string, role: ColumnRole): void {
  if (table.has(name)) return;
  throw new MlsdError(
    'SCHEMA_MISMATCH',
    `Column "${name}" not found; the table has columns: ${table.columnNames.join(', ')}. ` +
      `Set option "${option}" to your ${role} column, or pass "schema" with a column of role "${role}".`,
    { location: { column: name, field: option } },
  );
}
