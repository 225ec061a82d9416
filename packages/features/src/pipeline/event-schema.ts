import { defineSchema, type ColumnRole, type ColumnSpec, type ColumnTable, type ColumnType, type Schema } from '@mlsd/data';
import type { ResolvedFeature } from '../definitions/resolve-features.js';
import type { TransformSpec } from '../transforms/fitted-transform.js';

/** What {@link pipelineEventSchema} derives the raw event schema from. */
export interface EventSchemaSources {
  readonly features: readonly ResolvedFeature[];
  readonly transforms: readonly TransformSpec[];
  /** The event-time and id columns of the pipeline. */
  readonly time: string;
  readonly id: string;
  /** The user's data schema, when given: its specs (type, required, min) win over everything else. */
  readonly schema?: Schema;
  /** The training table, when fitted: the types of columns the schema does not describe. */
  readonly table?: ColumnTable;
}

/**
 * The raw event schema a feature pipeline needs, one spec per input column, in the order id, event time, entity
 * keys, feature inputs, labels: what a scoring service must accept to compute the pipeline's features online.
 *
 * - the id column (role `id`) and the event-time column (`event-time`) always, required;
 * - every entity of a window, ratio or delayed-label feature (`entity-key`, required);
 * - the value column of a window or ratio feature (`feature`, required: windows need finite values);
 * - the column of a `column` or `log1p` feature and of a one-hot or frequency encoder (`feature`, optional: a
 *   missing value is allowed there);
 * - the label of a delayed-label feature (`label`, optional: labels arrive later as feedback, never with the event).
 *
 * A column the user's `schema` describes keeps its spec (minus `unique`, which is a property of a data set); the
 * others take their type from the training `table`, else a default by role (id and entity key `integer`, time
 * `timestamp`, values `float`, encoder inputs `category`, labels `label`).
 */
export function pipelineEventSchema(sources: EventSchemaSources): Schema {
  const specs = new Map<string, ColumnSpec>();
  const add = (name: string, role: ColumnRole, fallback: ColumnType, required: boolean): void => {
    if (specs.has(name)) {
      // A column needed twice keeps its first role; it becomes required when any use needs it.
      const known = specs.get(name)!;
      if (required && known.required === false && sources.schema?.columns.find((c) => c.name === name) === undefined) {
        specs.set(name, withoutOptional(known));
      }
      return;
    }
    const described = sources.schema?.columns.find((c) => c.name === name);
    if (described !== undefined) {
      const { unique: _unique, ...spec } = described;
      specs.set(name, spec);
      return;
    }
    const type = sources.table?.has(name) === true ? sources.table.column(name).type : fallback;
    specs.set(name, required ? { name, type, role } : { name, type, role, required: false });
  };
  add(sources.id, 'id', 'integer', true);
  add(sources.time, 'event-time', 'timestamp', true);
  for (const feature of sources.features) {
    if (feature.kind === 'window' || feature.kind === 'ratio-to-window-mean' || feature.kind === 'delayed-label') {
      add(feature.entity, 'entity-key', 'integer', true);
    }
  }
  for (const feature of sources.features) {
    if (feature.kind === 'window' || feature.kind === 'ratio-to-window-mean') {
      if (feature.column !== undefined && !(feature.kind === 'window' && feature.agg === 'count')) add(feature.column, 'feature', 'float', true);
    } else if (feature.kind === 'column' || feature.kind === 'log1p') {
      add(feature.column, 'feature', 'float', false);
    }
  }
  for (const transform of sources.transforms) {
    if (transform.kind === 'one-hot' || transform.kind === 'frequency-encode') add(transform.column, 'feature', 'category', false);
  }
  for (const feature of sources.features) {
    if (feature.kind === 'delayed-label') add(feature.label, 'label', 'label', false);
  }
  return defineSchema(sources.schema?.name ?? 'events', [...specs.values()]);
}

function withoutOptional(spec: ColumnSpec): ColumnSpec {
  const { required: _required, ...rest } = spec;
  return rest;
}
