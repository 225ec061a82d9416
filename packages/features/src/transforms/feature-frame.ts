/**
 * Named numeric columns of equal length that fitted transforms read and extend: the computed features of a whole
 * table, or of a single event (columns of length 1) — the same code, so batch and per-event vectors are equal.
 */
export interface FeatureFrame {
  readonly rows: number;
  readonly names: string[];
  readonly columns: Float64Array[];
  /** Category values of the input (table or event) by column name; `null` marks a missing value. */
  readonly category: (column: string) => CategoryValues;
}

/** The values of one categorical input column, read by row. */
export interface CategoryValues {
  value(row: number): string | null;
}

/** The column called `name`, or an error message listing the valid names. */
export function frameColumn(frame: FeatureFrame, name: string): Float64Array | string {
  const index = frame.names.indexOf(name);
  if (index < 0) return `"${name}" is not a feature column; the columns are: ${frame.names.join(', ')}`;
  return frame.columns[index]!;
}
