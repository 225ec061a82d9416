import { MlsdError, type ColumnTable } from '@mlsd/data';
import { entityCodes, timeOrder } from '../offline/entity-order.js';
import { canonicalKey } from './canonical-key.js';
import type { EntitySnapshot, StateLayout, StateSnapshot, StateSource } from './state-store.js';

/** Options of {@link materializeState}. */
export interface MaterializeStateOptions {
  /**
   * The state is taken just before this time (epoch ms): events with an earlier time are in it, and a label is
   * known when its event is at least the label delay before it. Default: 1 ms after the table's latest event.
   */
  readonly until?: number;
  /**
   * Labels are as known at this time (epoch ms): those of events at least the label delay before it. Default
   * `until`. A later time (`Infinity`: every label) changes no feature of events from `until` on — a
   * delayed-label window reads a label only once its delay has passed — but leaves no label to wait for.
   */
  readonly labelsKnownAt?: number;
}

/** What {@link materializeState} needs of an online executor: its state layout and source columns. */
export interface StateTarget {
  readonly stateLayout: StateLayout;
  readonly stateSource: StateSource;
}

/**
 * The entity state an online executor (`target`) would hold just before `until`, had it recorded every event of
 * `table` in time order (ties in row order, as the offline executor sorts them) with each label fed back once its
 * delay had passed: the events within the retention before `until` with their stored values, and their labels as
 * known at `until` — the label of an event at least the shortest label delay before `until` (what the offline
 * executor's delayed windows read for any event from `until` on), 0 for later ones, whose feedback is still to
 * come (they are indexed by id for it). Computed in typed-array passes over the table's columns; write it with
 * `OnlineFeatureExecutor.importState` or a store's `importState`. Throws `INVALID_INPUT` naming the row and column
 * of a missing key, a non-finite time or value, or a label other than 0/1.
 */
export function materializeState(table: ColumnTable, target: StateTarget, options: MaterializeStateOptions = {}): StateSnapshot {
  const { stateLayout: layout, stateSource: source } = target;
  const allTimes = table.numeric(source.time);
  const byTime = timeOrder(allTimes, source.time);
  const n = table.rowCount;
  const until = options.until ?? (n === 0 ? 0 : allTimes[byTime[n - 1]!]! + 1);
  if (!Number.isFinite(until)) {
    throw new MlsdError('INVALID_OPTION', `until is ${until}; give a time in epoch ms.`, { location: { field: 'until' } });
  }
  // Rows in (until - retention, until), in event order: what the store keeps after the last of them.
  const from = firstAfter(allTimes, byTime, until - layout.retentionMs);
  const to = firstAtOrAfter(allTimes, byTime, until);
  const m = Math.max(0, to - from);
  const rows = byTime.subarray(from, from + m);
  const times = new Float64Array(m);
  for (let i = 0; i < m; i++) times[i] = allTimes[rows[i]!]!;

  const labelColumn = sharedLabelColumn(source);
  const labelDelayMs = Math.min(...source.entities.filter((entity) => entity.label !== undefined).map((entity) => entity.labelDelayMs), Infinity);
  const labels = new Uint8Array(m);
  // Events from `known` on happened less than the delay before `until`: their labels are not known yet.
  let known = m;
  if (labelColumn !== undefined) {
    known = firstIndexAfter(times, (options.labelsKnownAt ?? until) - labelDelayMs);
    const column = table.column(labelColumn);
    const values = column.type === 'label' ? column.values : table.numeric(labelColumn);
    for (let i = 0; i < known; i++) {
      const v = values[rows[i]!]!;
      if (v !== 0 && v !== 1) {
        throw new MlsdError('INVALID_INPUT', `Label column "${labelColumn}" row ${rows[i]} is ${v}; labels must be 0 or 1.`, {
          location: { row: rows[i]!, column: labelColumn },
        });
      }
      labels[i] = v;
    }
  }
  const entities = source.entities.map((entity) => entitySnapshot(table, entity.entity, entity.values, rows));
  return {
    layout,
    source,
    until,
    times,
    labels,
    ids: table.has(source.id) ? idColumn(table, source.id, rows) : undefined,
    feedbackFrom: known,
    entities,
  };
}

function entitySnapshot(table: ColumnTable, entity: string, valueColumns: readonly string[], rows: Int32Array): EntitySnapshot {
  const m = rows.length;
  const { codes: allCodes, groupCount } = entityCodes(table, entity);
  const column = table.column(entity);
  const remap = new Int32Array(groupCount).fill(-1);
  const codes = new Int32Array(m);
  const keys: (string | number)[] = [];
  for (let i = 0; i < m; i++) {
    const row = rows[i]!;
    const code = allCodes[row]!;
    let local = remap[code]!;
    if (local < 0) {
      local = remap[code] = keys.length;
      keys.push(column.type === 'category' ? canonicalKey(column.dictionary[code])! : (column as { values: Float64Array }).values[row]!);
    }
    codes[i] = local;
  }
  const values = valueColumns.map((name) => {
    const all = table.numeric(name);
    const out = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      const x = all[rows[i]!]!;
      if (!Number.isFinite(x)) {
        throw new MlsdError('INVALID_INPUT', `Column "${name}" row ${rows[i]} is ${x}; windowed features need finite values (impute or drop the row first).`, {
          location: { row: rows[i]!, column: name },
        });
      }
      out[i] = x;
    }
    return out;
  });
  return { keys, codes, values };
}

/** Transaction ids of `rows`: a Float64Array for a numeric column, canonical keys for a category column. */
function idColumn(table: ColumnTable, name: string, rows: Int32Array): ArrayLike<string | number> {
  const column = table.column(name);
  if (column.type === 'category') {
    const canonical = column.dictionary.map((text) => canonicalKey(text) ?? text);
    return Array.from(rows, (row) => {
      const code = column.codes[row]!;
      return code < 0 ? '' : canonical[code]!;
    });
  }
  const values = table.numeric(name);
  return Float64Array.from(rows, (row) => values[row]!);
}

/** The one label column the entities' delayed-label features read (the online state keeps one label per event). */
function sharedLabelColumn(source: StateSource): string | undefined {
  const columns = [...new Set(source.entities.map((entity) => entity.label).filter((label) => label !== undefined))];
  if (columns.length > 1) {
    throw new MlsdError(
      'INVALID_OPTION',
      `The delayed-label features read several label columns (${columns.join(', ')}); materialized state keeps one label per event: use one label column.`,
    );
  }
  return columns[0];
}

/** The first index k of `order` with `times[order[k]] > bound`. */
function firstAfter(times: Float64Array, order: Int32Array, bound: number): number {
  let lo = 0;
  let hi = order.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[order[mid]!]! <= bound) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first index k of `order` with `times[order[k]] >= bound`. */
function firstAtOrAfter(times: Float64Array, order: Int32Array, bound: number): number {
  let lo = 0;
  let hi = order.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[order[mid]!]! < bound) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first index of ascending `times` with a time > `bound`. */
function firstIndexAfter(times: Float64Array, bound: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! <= bound) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
