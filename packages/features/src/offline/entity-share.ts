import type { Column, ColumnTable, MlsdErrorCode, MlsdErrorLocation } from '@mlsd/data';
import type { ResolvedFeature } from '../definitions/resolve-features.js';

/** What a worker thread of `computeFeaturesInParallel` is asked to compute: features of one or more entities. */
export interface EntityShareRequest {
  /** The columns the features read, on SharedArrayBuffers (read only). */
  readonly columns: readonly { readonly name: string; readonly column: Column }[];
  readonly features: readonly ResolvedFeature[];
  /** The event-time column. */
  readonly time: string;
}

/** A worker's answer: one column per requested feature, in request order, or the error that stopped it. */
export type EntityShareReply =
  | { readonly values: Float64Array[] }
  | { readonly error: { readonly code: MlsdErrorCode; readonly message: string; readonly location?: MlsdErrorLocation | undefined } };

/**
 * Feature indices split by where they run: `rowWise` (pass-through, log1p and calendar features: one pass over
 * the rows each) and one group per entity column of the windowed features, in order of first appearance (the order
 * the single-thread executor computes them in).
 */
export function splitByEntity(features: readonly ResolvedFeature[]): { rowWise: number[]; groups: number[][] } {
  const rowWise: number[] = [];
  const groups = new Map<string, number[]>();
  features.forEach((feature, f) => {
    if (feature.kind === 'column' || feature.kind === 'log1p' || feature.kind === 'calendar') {
      rowWise.push(f);
      return;
    }
    let group = groups.get(feature.entity);
    if (group === undefined) groups.set(feature.entity, (group = []));
    group.push(f);
  });
  return { rowWise, groups: [...groups.values()] };
}

/** The names of the columns `features` read besides the event time (entities, values, labels), without repeats. */
export function columnsRead(features: readonly ResolvedFeature[]): string[] {
  const names = new Set<string>();
  for (const feature of features) {
    if (feature.kind === 'calendar') continue;
    if (feature.kind === 'column' || feature.kind === 'log1p') {
      names.add(feature.column);
      continue;
    }
    names.add(feature.entity);
    if (feature.kind === 'delayed-label') names.add(feature.label);
    else if (feature.column !== undefined) names.add(feature.column);
  }
  return [...names];
}

/**
 * Copies the named columns of `table` onto SharedArrayBuffers, so that every worker thread reads the same memory
 * (one copy of each column, however many workers).
 */
export function sharedColumns(table: ColumnTable, names: readonly string[]): { name: string; column: Column }[] {
  return names.map((name) => ({ name, column: sharedColumn(table.column(name)) }));
}

function sharedColumn(column: Column): Column {
  switch (column.type) {
    case 'category':
      return { type: 'category', codes: shared(column.codes, Int32Array), dictionary: column.dictionary };
    case 'label':
      return { type: 'label', values: shared(column.values, Uint8Array) };
    default:
      return { type: column.type, values: shared(column.values, Float64Array) };
  }
}

function shared<T extends Float64Array | Int32Array | Uint8Array>(
  source: T,
  Type: { new (buffer: SharedArrayBuffer): T; readonly BYTES_PER_ELEMENT: number },
): T {
  const out = new Type(new SharedArrayBuffer(source.length * Type.BYTES_PER_ELEMENT));
  out.set(source);
  return out;
}
