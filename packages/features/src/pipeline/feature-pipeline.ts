import { MlsdError, defineSchema, denseMatrix, requireColumn, roleColumn, type ColumnTable, type DenseMatrix, type Schema, LIBRARY_VERSION } from '@mlsd/data';
import type { FeatureDefinition } from '../definitions/feature-definition.js';
import { resolveFeatures, type ResolvedFeature } from '../definitions/resolve-features.js';
import { computeFeatureColumns } from '../offline/compute-features.js';
import { OnlineFeatureExecutor, type FeatureEvent, type OnlineExecutorOptions } from '../online/online-executor.js';
import type { CategoryValues, FeatureFrame } from '../transforms/feature-frame.js';
import {
  applyTransform,
  fitTransform,
  validateTransformSpec,
  validateTransformState,
  type FittedTransform,
  type TransformSpec,
} from '../transforms/fitted-transform.js';
import type { StandardScaleSpec, StandardScaleState } from '../transforms/standard-scale.js';
import { pipelineEventSchema } from './event-schema.js';
import { OnlineFeaturePipeline } from './online-feature-pipeline.js';

/** What a {@link FeaturePipeline} is made of before fitting: plain JSON. */
export interface FeaturePipelineSpec {
  /** The feature definitions, computed first (e.g. `handbookFeatures()`). */
  readonly features: readonly FeatureDefinition[];
  /** Transforms applied in order to the computed features, each fitted on the training rows. Default none. */
  readonly transforms?: readonly TransformSpec[];
  /**
   * The output columns, in order: names of features, `<name>_MISSING` indicators, `<column>=<value>` one-hot and
   * `<column>_FREQUENCY` columns. Default: every column, in the order produced.
   */
  readonly output?: readonly string[];
  /** The event-time column. Default: the `schema`'s `event-time` column, else `TX_DATETIME`. */
  readonly time?: string;
  /** The event-id column (answers and online label feedback). Default: the `schema`'s `id` column, else `TRANSACTION_ID`. */
  readonly id?: string;
  /**
   * The data's schema (e.g. the one given to `ingest`): its `event-time` and `id` columns are the defaults of `time`
   * and `id`, and the specs of the columns the pipeline reads go into its {@link FeaturePipeline.eventSchema}.
   */
  readonly schema?: Schema;
}

/** The saved form of a fitted {@link FeaturePipeline}: plain JSON, stored with the model, loaded by serving. */
export interface FeaturePipelineJSON {
  readonly schemaVersion: 1;
  readonly libraryVersion: string;
  readonly kind: 'feature-pipeline';
  readonly time: string;
  readonly id: string;
  /**
   * The raw event schema the pipeline needs (see {@link FeaturePipeline.eventSchema}): what a scoring service
   * accepts. Absent in pipelines saved before it existed; `fromJSON` then derives it with default types.
   */
  readonly eventSchema?: Schema;
  readonly features: readonly FeatureDefinition[];
  readonly transforms: readonly FittedTransform[];
  readonly output: readonly string[];
}

/** Options of {@link FeaturePipeline.fit} and {@link FeaturePipeline.transform}. */
export interface PipelineRowsOptions {
  /**
   * The rows to fit on / to output (e.g. a `Fold`'s `train`). Features are still computed over the whole table, so
   * windows see the history before these rows. Default: every row.
   */
  readonly rows?: Int32Array;
}

const SPEC_KEYS = ['features', 'transforms', 'output', 'time', 'id', 'schema'];
const JSON_KEYS = ['schemaVersion', 'libraryVersion', 'kind', 'time', 'id', 'eventSchema', 'features', 'transforms', 'output'];

/**
 * Feature definitions + fitted transforms + output column order: the one object training and serving share.
 * `fit(table)` learns the transforms on training rows; `transform(table)` gives the model matrix;
 * `createOnline()` gives the per-event path for serving, which yields the same vectors; `toJSON`/`fromJSON`
 * round-trip it as versioned plain JSON.
 */
export class FeaturePipeline {
  /** The feature definitions, validated. */
  readonly features: readonly FeatureDefinition[];
  /** The event-time column (see {@link FeaturePipelineSpec.time}). */
  readonly time: string;
  /** The event-id column (see {@link FeaturePipelineSpec.id}). */
  readonly id: string;
  private readonly dataSchema: Schema | undefined;
  private recordedSchema: Schema;
  private readonly resolved: ResolvedFeature[];
  private readonly transformSpecs: readonly TransformSpec[];
  private readonly requestedOutput: readonly string[] | undefined;
  private fitted: FittedTransform[] | undefined;
  private output: { names: string[]; indices: number[] } | undefined;
  /**
   * Computed feature columns per table. Tables are immutable, so `fit`, `transform` and `rawFeatures` on the same
   * table compute the features once; the entry goes when the table does.
   */
  private readonly computed = new WeakMap<ColumnTable, Float64Array[]>();
  /** The per-event shortcut of `transformEvent` (see {@link scalingPlan}); built on first use after fitting. */
  private eventPlan: ScalingPlan | null | undefined;

  /** Stores and validates the spec (definitions, transform specs, options); fits nothing. */
  constructor(spec: FeaturePipelineSpec) {
    if (typeof spec !== 'object' || spec === null) throw new MlsdError('INVALID_OPTION', 'A feature pipeline needs a spec object with "features".');
    for (const key of Object.keys(spec)) {
      if (!SPEC_KEYS.includes(key)) throw new MlsdError('INVALID_OPTION', `Unknown feature pipeline option "${key}"; valid: ${SPEC_KEYS.join(', ')}.`);
    }
    this.resolved = resolveFeatures(spec.features);
    this.features = spec.features;
    this.transformSpecs = (spec.transforms ?? []).map((transform, t) => validateTransformSpec(transform, `transforms[${t}]`));
    if (spec.output !== undefined && (!Array.isArray(spec.output) || !spec.output.every((name) => typeof name === 'string'))) {
      throw new MlsdError('INVALID_OPTION', 'Feature pipeline "output" must be an array of column names.', { location: { field: 'output' } });
    }
    this.requestedOutput = spec.output;
    this.dataSchema = spec.schema;
    this.time = roleColumn(spec.time, spec.schema, 'event-time', 'TX_DATETIME');
    this.id = roleColumn(spec.id, spec.schema, 'id', 'TRANSACTION_ID');
    this.recordedSchema = this.deriveEventSchema(undefined);
  }

  /**
   * The raw event schema this pipeline needs, with roles: the id, the event time, the entity keys, the columns
   * features and encoders read, the labels of delayed-label features (see `pipelineEventSchema`). Types come from
   * the `schema` option, else from the training table once fitted. Saved in the JSON, so a scoring service can
   * build its request schema from the model it serves.
   */
  get eventSchema(): Schema {
    return this.recordedSchema;
  }

  /** True once `fit` has run or the pipeline was loaded with `fromJSON`. */
  get isFitted(): boolean {
    return this.fitted !== undefined;
  }

  /** The output column names, in order; throws `NOT_FITTED` before `fit` (one-hot columns depend on the data). */
  get featureNames(): readonly string[] {
    return this.requireOutput().names;
  }

  /** The names of the computed features, before transforms, in definition order. */
  get rawFeatureNames(): readonly string[] {
    return this.resolved.map((feature) => feature.name);
  }

  /**
   * Computes the features over the whole table, then fits each transform in order on the rows `options.rows`
   * (default all) after the transforms before it. Returns `this`.
   */
  fit(table: ColumnTable, options: PipelineRowsOptions = {}): this {
    for (const [t, transform] of this.transformSpecs.entries()) {
      if (transform.kind === 'one-hot' || transform.kind === 'frequency-encode') requireColumn(table, transform.column, `transforms[${t}].column`, 'feature');
    }
    const frame = this.frame(table, options.rows);
    this.fitted = this.transformSpecs.map((spec) => fitTransform(spec, frame, undefined));
    this.output = selectOutput(frame.names, this.requestedOutput);
    this.eventPlan = undefined;
    this.recordedSchema = this.deriveEventSchema(table);
    return this;
  }

  /** The model input of the rows `options.rows` (default all) of `table`: features, transformed, in output order. */
  transform(table: ColumnTable, options: PipelineRowsOptions = {}): DenseMatrix {
    const output = this.requireOutput();
    const frame = this.frame(table, options.rows);
    for (const fitted of this.fitted!) applyTransform(fitted, frame);
    const cols = output.indices.length;
    const data = new Float64Array(frame.rows * cols);
    output.indices.forEach((index, c) => {
      const column = frame.columns[index]!;
      for (let r = 0; r < frame.rows; r++) data[r * cols + c] = column[r]!;
    });
    return denseMatrix(data, frame.rows, cols, output.names);
  }

  /**
   * The computed features of the rows `options.rows` (default all) before any transform, in `rawFeatureNames`
   * order: what monitoring profiles and what a person reads (amounts in currency, counts as counts).
   */
  rawFeatures(table: ColumnTable, options: PipelineRowsOptions = {}): DenseMatrix {
    const frame = this.frame(table, options.rows);
    const cols = frame.columns.length;
    const data = new Float64Array(frame.rows * cols);
    frame.columns.forEach((column, c) => {
      for (let r = 0; r < frame.rows; r++) data[r * cols + c] = column[r]!;
    });
    return denseMatrix(data, frame.rows, cols, frame.names);
  }

  /**
   * The model input of one event from its computed features `raw` (in `rawFeatureNames` order, e.g. from an
   * `OnlineFeatureExecutor`) and the event's own fields (for categorical encoders). Same arithmetic as `transform`.
   */
  transformEvent(raw: Float64Array, event: FeatureEvent): Float64Array {
    const output = this.requireOutput();
    if (raw.length !== this.resolved.length) {
      throw new MlsdError(
        'INVALID_INPUT',
        `transformEvent got ${raw.length} feature values; this pipeline computes ${this.resolved.length} (${this.rawFeatureNames.join(', ')}).`,
      );
    }
    if (this.eventPlan === undefined) this.eventPlan = scalingPlan(this.fitted!, this.rawFeatureNames, output);
    if (this.eventPlan !== null) return applyScalingPlan(this.eventPlan, raw);
    const frame: FeatureFrame = {
      rows: 1,
      names: this.resolved.map((feature) => feature.name),
      columns: Array.from(raw, (x) => Float64Array.of(x)),
      category: (column) => eventCategory(event, column),
    };
    for (const fitted of this.fitted!) applyTransform(fitted, frame);
    const out = new Float64Array(output.indices.length);
    output.indices.forEach((index, c) => (out[c] = frame.columns[index]![0]!));
    return out;
  }

  /**
   * The per-event path for serving: an online executor over this pipeline's definitions (state in `options.store`,
   * in memory by default) whose `observe(event)` resolves to the model vector. Throws `NOT_FITTED` before `fit`.
   */
  createOnline(options: Omit<OnlineExecutorOptions, 'time' | 'id' | 'schema'> = {}): OnlineFeaturePipeline {
    this.requireOutput();
    // The event schema's `min`/`max` bound the values the executor accepts (e.g. an amount in [0, 1e9]).
    return new OnlineFeaturePipeline(this, new OnlineFeatureExecutor(this.features, { ...options, time: this.time, id: this.id, schema: this.recordedSchema }));
  }

  /** The fitted pipeline as versioned plain JSON; throws `NOT_FITTED` before `fit`. */
  toJSON(): FeaturePipelineJSON {
    const output = this.requireOutput();
    return {
      schemaVersion: 1,
      libraryVersion: LIBRARY_VERSION,
      kind: 'feature-pipeline',
      time: this.time,
      id: this.id,
      eventSchema: this.recordedSchema,
      features: this.features,
      transforms: this.fitted!,
      output: output.names,
    };
  }

  /**
   * A fitted pipeline from {@link FeaturePipeline.toJSON} output (parsed JSON). Throws `CORRUPT_ARTIFACT` naming the
   * field when it is not a pipeline, has an unknown `schemaVersion`, or its parts do not fit together.
   */
  static fromJSON(json: unknown): FeaturePipeline {
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw corrupt('', 'is not an object');
    const raw = json as Record<string, unknown>;
    if (raw['kind'] !== 'feature-pipeline') throw corrupt('kind', `is ${JSON.stringify(raw['kind'])}, expected "feature-pipeline"`);
    if (raw['schemaVersion'] !== 1)
      throw corrupt('schemaVersion', `is ${JSON.stringify(raw['schemaVersion'])}; this version of @mlsd/features reads schema version 1`);
    for (const key of Object.keys(raw))
      if (!JSON_KEYS.includes(key)) throw corrupt(key, `is not a field of a feature pipeline; valid: ${JSON_KEYS.join(', ')}`);
    if (typeof raw['libraryVersion'] !== 'string') throw corrupt('libraryVersion', 'must be a string');
    if (typeof raw['time'] !== 'string' || typeof raw['id'] !== 'string') throw corrupt('time', 'and id must be column names');
    const transforms = raw['transforms'];
    const output = raw['output'];
    if (!Array.isArray(transforms)) throw corrupt('transforms', 'must be an array');
    if (!Array.isArray(output) || !output.every((name) => typeof name === 'string')) throw corrupt('output', 'must be an array of column names');
    const savedSchema = raw['eventSchema'];
    if (savedSchema !== undefined && (typeof savedSchema !== 'object' || savedSchema === null || !Array.isArray((savedSchema as Schema).columns))) {
      throw corrupt('eventSchema', 'must be a schema object { name, columns }');
    }
    let pipeline: FeaturePipeline;
    let fitted: FittedTransform[];
    try {
      fitted = transforms.map((entry: unknown, t) => {
        const spec = validateTransformSpec((entry as { spec?: unknown } | null)?.spec, `transforms[${t}].spec`);
        return validateTransformState(spec, (entry as { state?: unknown }).state, `transforms[${t}]`);
      });
      pipeline = new FeaturePipeline({
        features: raw['features'] as FeatureDefinition[],
        transforms: fitted.map((entry) => entry.spec),
        output: output as string[],
        time: raw['time'],
        id: raw['id'],
      });
      if (savedSchema !== undefined) {
        const { name, columns } = savedSchema as Schema;
        pipeline.recordedSchema = defineSchema(name, columns);
      }
    } catch (error) {
      if (error instanceof MlsdError && error.code === 'INVALID_OPTION') {
        throw new MlsdError('CORRUPT_ARTIFACT', `Feature pipeline JSON is invalid: ${error.message}`, { cause: error, location: error.location });
      }
      throw error;
    }
    // Replaying the transforms on an empty frame yields the column names they produce.
    const frame: FeatureFrame = {
      rows: 0,
      names: [...pipeline.rawFeatureNames],
      columns: pipeline.resolved.map(() => new Float64Array(0)),
      category: () => ({ value: () => null }),
    };
    try {
      for (const entry of fitted) applyTransform(entry, frame);
      pipeline.output = selectOutput(frame.names, output as string[]);
    } catch (error) {
      throw new MlsdError('CORRUPT_ARTIFACT', `Feature pipeline JSON does not fit together: ${(error as Error).message}`, { cause: error });
    }
    pipeline.fitted = fitted;
    return pipeline;
  }

  private deriveEventSchema(table: ColumnTable | undefined): Schema {
    return pipelineEventSchema({
      features: this.resolved,
      transforms: this.transformSpecs,
      time: this.time,
      id: this.id,
      ...(this.dataSchema === undefined ? {} : { schema: this.dataSchema }),
      ...(table === undefined ? {} : { table }),
    });
  }

  private requireOutput(): { names: string[]; indices: number[] } {
    if (this.output === undefined || this.fitted === undefined) {
      throw new MlsdError('NOT_FITTED', 'This feature pipeline is not fitted; call fit(trainingTable) or load one with FeaturePipeline.fromJSON.');
    }
    return this.output;
  }

  private frame(table: ColumnTable, rows: Int32Array | undefined): FeatureFrame {
    let columns = this.computed.get(table);
    if (columns === undefined) {
      columns = computeFeatureColumns(table, this.resolved, this.time);
      this.computed.set(table, columns);
    }
    if (rows !== undefined) {
      for (let k = 0; k < rows.length; k++) {
        if (!(rows[k]! >= 0 && rows[k]! < table.rowCount)) {
          throw new MlsdError('INVALID_INPUT', `rows[${k}] is ${rows[k]}; row indices must lie in [0, ${table.rowCount}).`, { location: { field: 'rows' } });
        }
      }
    }
    return {
      rows: rows === undefined ? table.rowCount : rows.length,
      names: this.resolved.map((feature) => feature.name),
      // Copies: transforms work in place, and the computed columns are cached.
      columns: rows === undefined ? columns.map((column) => column.slice()) : columns.map((column) => gatherRows(column, rows)),
      category: (column) => tableCategory(table, column, rows),
    };
  }
}

function selectOutput(names: readonly string[], requested: readonly string[] | undefined): { names: string[]; indices: number[] } {
  if (requested === undefined) return { names: [...names], indices: names.map((_, i) => i) };
  const indices = requested.map((name) => {
    const index = names.indexOf(name);
    if (index < 0) {
      throw new MlsdError('INVALID_OPTION', `Output column "${name}" is not produced by this pipeline; it produces: ${names.join(', ')}.`, {
        location: { field: 'output' },
      });
    }
    return index;
  });
  return { names: [...requested], indices };
}

function tableCategory(table: ColumnTable, name: string, rows: Int32Array | undefined): CategoryValues {
  const column = table.column(name);
  const at = (r: number): number => (rows === undefined ? r : rows[r]!);
  if (column.type === 'category') {
    return { value: (r) => (column.codes[at(r)]! < 0 ? null : column.dictionary[column.codes[at(r)]!]!) };
  }
  return { value: (r) => (Number.isNaN(column.values[at(r)]!) ? null : String(column.values[at(r)])) };
}

function eventCategory(event: FeatureEvent, column: string): CategoryValues {
  const value = event[column];
  let text: string | null;
  if (value === undefined || value === null || (typeof value === 'number' && Number.isNaN(value))) text = null;
  else if (typeof value === 'string' || typeof value === 'number') text = String(value);
  else {
    throw new MlsdError('INVALID_INPUT', `Event field "${column}" is ${JSON.stringify(value)}; a categorical field must be a string, a number or null.`, {
      location: { field: column },
    });
  }
  return { value: () => text };
}

function corrupt(field: string, detail: string): MlsdError {
  return new MlsdError('CORRUPT_ARTIFACT', `Feature pipeline JSON${field === '' ? '' : ` field "${field}"`} ${detail}.`, { location: { field } });
}

function gatherRows(column: Float64Array, rows: Int32Array): Float64Array {
  const out = new Float64Array(rows.length);
  for (let k = 0; k < rows.length; k++) out[k] = column[rows[k]!]!;
  return out;
}

/**
 * `transformEvent` for the common pipeline whose transforms are all standard scalings: for output column `c`, the raw
 * feature `source[c]` goes through `steps[c]` (mean, std) pairs in transform order — the same arithmetic as the frame
 * path, without building a one-row frame per event (the hot path of a scoring service).
 */
interface ScalingPlan {
  readonly source: Int32Array;
  readonly steps: ReadonlyArray<readonly (readonly [number, number])[]>;
}

/** The {@link ScalingPlan} of a fitted pipeline, or `null` when a transform other than standard scaling is present. */
function scalingPlan(fitted: readonly FittedTransform[], rawNames: readonly string[], output: { names: string[]; indices: number[] }): ScalingPlan | null {
  if (!fitted.every((transform) => transform.spec.kind === 'standard-scale')) return null;
  const perRaw: Array<Array<readonly [number, number]>> = rawNames.map(() => []);
  for (const transform of fitted) {
    const spec = transform.spec as StandardScaleSpec;
    const state = transform.state as StandardScaleState;
    spec.columns.forEach((name, k) => perRaw[rawNames.indexOf(name)]!.push([state.means[k]!, state.stds[k]!]));
  }
  return { source: Int32Array.from(output.indices), steps: output.indices.map((index) => perRaw[index]!) };
}

function applyScalingPlan(plan: ScalingPlan, raw: Float64Array): Float64Array {
  const out = new Float64Array(plan.source.length);
  for (let c = 0; c < out.length; c++) {
    let x = raw[plan.source[c]!]!;
    for (const [mean, std] of plan.steps[c]!) x = (x - mean) / std;
    out[c] = x;
  }
  return out;
}
