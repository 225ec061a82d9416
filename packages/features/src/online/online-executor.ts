import { checkEventTime, checkNumber, MlsdError, roleColumn, type NumericBounds, type Schema } from '@mlsd/data';
import { durationMs, type Duration } from '../definitions/duration.js';
import type { FeatureDefinition } from '../definitions/feature-definition.js';
import { resolveFeatures, stateHorizonMs, type ResolvedFeature } from '../definitions/resolve-features.js';
import { canonicalKey } from './canonical-key.js';
import { historyFeatures, planSteps, type FeaturePlan, type PlanSteps } from './history-features.js';
import { MemoryStateStore } from './memory-state-store.js';
import type {
  EntityHistory,
  FeatureStateStore,
  ImportStateOptions,
  ObserveStatus,
  StateLayout,
  StateSnapshot,
  StateSource,
  StoreEvent,
} from './state-store.js';

/**
 * One event as serving receives it: column name → value. It needs the time column (epoch ms UTC), every entity
 * key column (a finite number or a non-empty string, matched to offline keys by `String(key)`), every column a
 * feature reads, and optionally the transaction id (for label feedback). Extra fields are ignored.
 */
export type FeatureEvent = Readonly<Record<string, unknown>>;

/**
 * A label that became known: for one transaction (by the id it was observed with), or for every event of the
 * given entity keys at exactly `time` (epoch ms). `label` is 1/true for fraud.
 */
export type LabelFeedback =
  | { readonly transactionId: string | number; readonly label: 0 | 1 | boolean }
  | { readonly keys: Readonly<Record<string, string | number>>; readonly time: number; readonly label: 0 | 1 | boolean };

/** Options of {@link OnlineFeatureExecutor}. */
export interface OnlineExecutorOptions {
  /** Where entity state lives. Default: a new {@link MemoryStateStore} private to this executor. */
  readonly store?: FeatureStateStore;
  /** The event-time field (epoch ms UTC). Default: the `schema`'s `event-time` column, else `TX_DATETIME`. */
  readonly time?: string;
  /** The event-id field used by label feedback. Default: the `schema`'s `id` column, else `TRANSACTION_ID`. */
  readonly id?: string;
  /** The events' schema: its `event-time` and `id` columns are the defaults of `time` and `id`. */
  readonly schema?: Schema;
  /**
   * How much earlier than its entity's latest event an event may be and still be recorded (in time order); a later
   * one is scored from the state as it is and not recorded (`late: true, recorded: false`). Default `'5m'`.
   */
  readonly lateness?: Duration;
  /**
   * How far an event may be ahead of the latest event time this executor has seen, or of the clock when that is
   * later; a later one is refused with `INVALID_INPUT` (see `checkEventTime` of @mlsd/data). Default `'1d'`.
   */
  readonly horizon?: Duration;
  /** How long (wall-clock) a recorded event id is remembered: the same id again is a duplicate. Default `'24h'`. */
  readonly idempotency?: Duration;
  /** How long (wall-clock) a label for an unknown id is held in case its event arrives late. Default `'1h'`. */
  readonly pendingLabels?: Duration;
  /** The wall clock, epoch ms (the horizon's reference when no later event was seen). Default `Date.now`. */
  readonly clock?: () => number;
}

const OPTIONS = ['store', 'time', 'id', 'lateness', 'schema', 'horizon', 'idempotency', 'pendingLabels', 'clock'];

/**
 * Windowed values beyond ±1e15 are refused: sums and means of such values over a window could overflow to
 * Infinity (1e308 twice does), which no model can score.
 */
export const MAX_WINDOW_VALUE = 1e15;

/** What {@link OnlineFeatureExecutor.observeEvent} resolves to: the features and what the store did with the event. */
export interface ObservedEvent {
  /** The feature vector, in `featureNames` order (a view into a shared buffer: copy it to keep it for long). */
  readonly features: Float64Array;
  /** The event is older than the latest event of one of its entities. */
  readonly late: boolean;
  /** The event was added to the state (false: a duplicate id, or later than the lateness bound). */
  readonly recorded: boolean;
  /** The event's id was recorded before (within `idempotency`): nothing changed; `answer` is what was saved for it. */
  readonly duplicate: boolean;
  /** For a duplicate, the answer saved with {@link OnlineFeatureExecutor.saveAnswer} for the first event, if any. */
  readonly answer: string | undefined;
}

/**
 * The online executor: features of one event at a time, for serving. `observe(event)` computes the event's
 * features from the state *before* it and then adds it to the state, atomically in the store (one Redis round
 * trip); labels arrive later through `feedback`. For events replayed in time order (ties in the same order as the
 * offline table's rows) with each label fed back once its delay has passed, the values equal `computeFeatures`
 * on the whole table. A late event sees only what was recorded before it arrived; within `lateness` it is
 * recorded in time order, beyond it not at all. An event id seen before (within `idempotency`) is a duplicate and
 * changes nothing. Events are checked before they reach the store: the time by `checkEventTime` (Date range, not
 * epoch seconds, within `horizon` of the latest event or the clock), values by the `schema`'s `min`/`max` and
 * windowed values within ±{@link MAX_WINDOW_VALUE}.
 */
export class OnlineFeatureExecutor {
  /** Output names, in definition order: the layout of every returned vector. */
  readonly featureNames: readonly string[];
  /** The state store in use. */
  readonly store: FeatureStateStore;
  /** The layout of the state this executor keeps (attached to the store). */
  readonly stateLayout: StateLayout;
  /** Which event columns the state holds per entity (what a snapshot for this executor is computed from). */
  readonly stateSource: StateSource;
  private readonly timeField: string;
  private readonly idField: string;
  private readonly steps: PlanSteps;
  private readonly vectors: VectorPool;
  private readonly entityNames: string[];
  private readonly entityColumns: string[][];
  private readonly fieldNames: string[];
  private readonly log1pFields = new Set<number>();
  private readonly labelColumns = new Map<number, string>();
  /** Inclusive bounds of the columns the schema bounds, by field name (entity values and pass-through fields). */
  private readonly bounds = new Map<string, NumericBounds>();
  private readonly horizonMs: number;
  private readonly clock: () => number;
  /** The latest event time accepted by `observe` (the horizon's reference). */
  private latest = -Infinity;

  constructor(definitions: readonly FeatureDefinition[], options: OnlineExecutorOptions = {}) {
    for (const key of Object.keys(options)) {
      if (!OPTIONS.includes(key)) throw new MlsdError('INVALID_OPTION', `Unknown online executor option "${key}"; valid: ${OPTIONS.join(', ')}.`);
    }
    const features = resolveFeatures(definitions);
    this.featureNames = features.map((feature) => feature.name);
    this.timeField = roleColumn(options.time, options.schema, 'event-time', 'TX_DATETIME');
    this.idField = roleColumn(options.id, options.schema, 'id', 'TRANSACTION_ID');
    const latenessMs = durationMs(options.lateness ?? '5m', 'lateness', true);
    this.horizonMs = durationMs(options.horizon ?? '1d', 'horizon');
    this.clock = options.clock ?? Date.now;
    for (const spec of options.schema?.columns ?? []) {
      if (spec.min !== undefined || spec.max !== undefined) this.bounds.set(spec.name, { min: spec.min, max: spec.max });
    }
    this.entityNames = [];
    this.entityColumns = [];
    this.fieldNames = [];
    this.steps = planSteps(features.map((feature) => this.plan(feature)));
    this.vectors = new VectorPool(this.steps.steps.length);
    const layout: StateLayout = {
      entities: this.entityNames.map((entity, e) => ({ entity, valueCount: this.entityColumns[e]!.length })),
      retentionMs: stateHorizonMs(features) + latenessMs,
      latenessMs,
      idempotencyMs: durationMs(options.idempotency ?? '24h', 'idempotency'),
      pendingLabelMs: durationMs(options.pendingLabels ?? '1h', 'pendingLabels'),
    };
    this.stateLayout = layout;
    this.stateSource = {
      time: this.timeField,
      id: this.idField,
      entities: this.entityNames.map((entity, e) => {
        let labelDelayMs = Infinity;
        for (const feature of features)
          if (feature.kind === 'delayed-label' && feature.entity === entity) labelDelayMs = Math.min(labelDelayMs, feature.delayMs);
        return { entity, values: [...this.entityColumns[e]!], label: this.labelColumns.get(e), labelDelayMs: labelDelayMs === Infinity ? 0 : labelDelayMs };
      }),
    };
    this.store = options.store ?? new MemoryStateStore();
    this.store.attach(layout);
  }

  /**
   * Writes a snapshot of entity state (from `materializeState` or a snapshot file) into the store, so that the
   * next events are computed as if this executor had recorded the snapshot's events; resolves to the events
   * written per entity, summed. Rejects with `INVALID_INPUT` when the snapshot was computed for other feature
   * definitions (its columns or layout differ from this executor's).
   */
  importState(snapshot: StateSnapshot, options: ImportStateOptions = {}): Promise<number> {
    const given = JSON.stringify(snapshot.source);
    const expected = JSON.stringify(this.stateSource);
    if (given !== expected) {
      return Promise.reject(
        new MlsdError(
          'INVALID_INPUT',
          `The state snapshot holds columns ${given}; these feature definitions keep ${expected}. Materialize the snapshot again with these definitions.`,
          { location: { field: 'source' } },
        ),
      );
    }
    const last = snapshot.times.length === 0 ? -Infinity : snapshot.times[snapshot.times.length - 1]!;
    if (last > this.latest) this.latest = last;
    return this.store.importState(snapshot, options);
  }

  /**
   * The feature vector of `event` from the state before it, then records the event (unless it is a duplicate id or
   * later than the lateness bound: see {@link observeEvent} to know which). Rejects with `INVALID_INPUT` naming the
   * field for an invalid or out-of-bounds event, which never touches the state.
   */
  observe(event: FeatureEvent): Promise<Float64Array> {
    return this.run(event, true, featuresOnly);
  }

  /** Like {@link observe}, resolving to the features and what the store did: late, recorded, duplicate. */
  observeEvent(event: FeatureEvent): Promise<ObservedEvent> {
    return this.run(event, true, withStatus);
  }

  /** True when the store lives in this process: {@link observeEventSync} can be used. */
  get synchronous(): boolean {
    return this.store.observeSync !== undefined;
  }

  /**
   * {@link observeEvent} without a promise, for a store that lives in this process ({@link synchronous}): returns
   * the same, throws what it would reject with. Throws `INVALID_OPTION` for a store that has no synchronous form.
   */
  observeEventSync(event: FeatureEvent): ObservedEvent {
    const store = this.store;
    if (store.observeSync === undefined) {
      throw new MlsdError('INVALID_OPTION', 'observeEventSync needs a store in this process (the memory store); use observeEvent with a remote store.');
    }
    const { storeEvent, compute } = this.prepare(event, true, withStatus);
    return store.observeSync(storeEvent, true, compute);
  }

  /** The feature vector of `event` from the current state, without recording it (what-if, debugging). */
  peek(event: FeatureEvent): Promise<Float64Array> {
    return this.run(event, false, featuresOnly);
  }

  /**
   * Keeps `answer` (opaque text) with the recorded event `transactionId`, in the store: a duplicate of that id
   * within `idempotency` resolves with it (`ObservedEvent.answer`).
   */
  saveAnswer(transactionId: string | number, answer: string): Promise<void> {
    const id = canonicalKey(transactionId);
    if (id === undefined) return Promise.resolve();
    return this.store.saveAnswer(id, answer);
  }

  /**
   * Records a label that became known; resolves to how many stored entity events it set (0 when the transaction is
   * unknown or already evicted). Labels count in delayed-label features of later events whose delayed window
   * covers the labelled event.
   */
  async feedback(feedback: LabelFeedback): Promise<number> {
    const label = feedback.label === true || feedback.label === 1 ? 1 : feedback.label === false || feedback.label === 0 ? 0 : -1;
    if (label === -1) {
      throw new MlsdError('INVALID_INPUT', `Feedback label is ${JSON.stringify(feedback.label)}; give 0, 1, true or false.`, {
        location: { field: 'label' },
      });
    }
    if ('transactionId' in feedback) {
      const id = canonicalKey(feedback.transactionId);
      if (id === undefined) {
        throw new MlsdError('INVALID_INPUT', `Feedback transactionId is ${show(feedback.transactionId)}; give the id the transaction was observed with.`, {
          location: { field: 'transactionId' },
        });
      }
      return this.store.label({ transactionId: id }, label);
    }
    if (!Number.isFinite(feedback.time)) {
      throw new MlsdError('INVALID_INPUT', `Feedback time is ${feedback.time}; give the event time in epoch ms.`, { location: { field: 'time' } });
    }
    const keys = Object.entries(feedback.keys).map(([entity, key]) => {
      const index = this.entityNames.indexOf(entity);
      if (index < 0) {
        throw new MlsdError('INVALID_INPUT', `Feedback names entity "${entity}"; the features keep state for: ${this.entityNames.join(', ')}.`, {
          location: { field: entity },
        });
      }
      const canonical = canonicalKey(key);
      if (canonical === undefined) {
        throw new MlsdError('INVALID_INPUT', `Feedback key of "${entity}" is ${show(key)}; give a number or a non-empty string.`, {
          location: { field: entity },
        });
      }
      return { entity: index, key: canonical };
    });
    return this.store.label({ keys, time: feedback.time }, label);
  }

  /** Closes the store (and the Redis connection when the store owns it). */
  async close(): Promise<void> {
    await this.store.close();
  }

  /**
   * Not an async function: the store's promise is returned as is (an async wrapper costs extra promise jobs per
   * event); invalid events still reject rather than throw.
   */
  private run<R>(event: FeatureEvent, record: boolean, result: (features: Float64Array, status: ObserveStatus) => R): Promise<R> {
    try {
      const { storeEvent, compute } = this.prepare(event, record, result);
      return this.store.observe(storeEvent, record, compute);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * What the store needs to observe `event` (validated; throws `INVALID_INPUT` otherwise): its store event, and the
   * computation turning the state before it into `result` of its features. Advances the latest time when recorded.
   */
  private prepare<R>(
    event: FeatureEvent,
    record: boolean,
    result: (features: Float64Array, status: ObserveStatus) => R,
  ): { storeEvent: StoreEvent; compute: (histories: readonly EntityHistory[], status: ObserveStatus) => R } {
    const { storeEvent, fields } = this.toStoreEvent(event);
    if (record && storeEvent.time > this.latest) this.latest = storeEvent.time;
    const out = this.vectors.next();
    return {
      storeEvent,
      compute: (histories, status) => result(historyFeatures(this.steps, storeEvent.time, fields, storeEvent.values, histories, out), status),
    };
  }

  private toStoreEvent(event: FeatureEvent): { storeEvent: StoreEvent; fields: number[] } {
    if (typeof event !== 'object' || event === null) {
      throw new MlsdError('INVALID_INPUT', `An event must be an object of field values, got ${JSON.stringify(event)}.`);
    }
    const transactionId = canonicalKey(event[this.idField]);
    const time = event[this.timeField];
    if (typeof time !== 'number' || !Number.isFinite(time)) {
      const hint = time === undefined ? ` (the executor's "time" option, or the event-time column of its "schema", names another field)` : '';
      throw new MlsdError(
        'INVALID_INPUT',
        `${where(transactionId)}: field "${this.timeField}" is ${show(time)}; give the event time as epoch milliseconds (UTC)${hint}.`,
        {
          location: { field: this.timeField },
        },
      );
    }
    const timeProblem = checkEventTime(time, { latest: this.latest, now: this.clock(), horizonMs: this.horizonMs });
    if (timeProblem !== undefined) {
      throw new MlsdError('INVALID_INPUT', `${where(transactionId)}: field "${this.timeField}" ${timeProblem}.`, { location: { field: this.timeField } });
    }
    const keys: (string | number)[] = [];
    const values: number[][] = [];
    for (let e = 0; e < this.entityNames.length; e++) {
      const name = this.entityNames[e]!;
      const key = event[name];
      if (!((typeof key === 'number' && Number.isFinite(key)) || (typeof key === 'string' && key.length > 0))) {
        throw new MlsdError(
          'INVALID_INPUT',
          `${where(transactionId)}: entity key "${name}" is ${show(key)}; every event needs a number or non-empty string key.`,
          {
            location: { field: name },
          },
        );
      }
      keys.push(canonicalKey(key)!);
      const columns = this.entityColumns[e]!;
      const own: number[] = [];
      for (let c = 0; c < columns.length; c++) own.push(this.boundedField(finiteField(event, columns[c]!, transactionId), columns[c]!, transactionId, true));
      values.push(own);
    }
    const fields: number[] = [];
    for (let f = 0; f < this.fieldNames.length; f++) {
      const value = passThroughField(event, this.fieldNames[f]!, transactionId);
      fields.push(Number.isNaN(value) ? value : this.boundedField(value, this.fieldNames[f]!, transactionId, false));
    }
    for (const field of this.log1pFields) {
      if (fields[field]! <= -1) {
        throw new MlsdError('INVALID_INPUT', `${where(transactionId)}: field "${this.fieldNames[field]}" is ${fields[field]}; log1p needs values > -1.`, {
          location: { field: this.fieldNames[field]! },
        });
      }
    }
    return { storeEvent: { keys, time, values, transactionId }, fields };
  }

  /** `value` when it is within the schema's bounds of `column` (and ±{@link MAX_WINDOW_VALUE} for windowed values). */
  private boundedField(value: number, column: string, transactionId: string | number | undefined, windowed: boolean): number {
    if (this.bounds.size === 0 && (!windowed || Math.abs(value) <= MAX_WINDOW_VALUE)) return value;
    const bounds = this.bounds.get(column);
    const problem =
      (bounds === undefined ? undefined : checkNumber(value, bounds)) ??
      (windowed && Math.abs(value) > MAX_WINDOW_VALUE ? `is ${value}, beyond ±${MAX_WINDOW_VALUE}, the bound of windowed values` : undefined);
    if (problem === undefined) return value;
    throw new MlsdError('INVALID_INPUT', `${where(transactionId)}: field "${column}" ${problem}.`, { location: { field: column } });
  }

  private plan(feature: ResolvedFeature): FeaturePlan {
    switch (feature.kind) {
      case 'column':
      case 'log1p': {
        const field = indexOrAdd(this.fieldNames, feature.column);
        if (feature.kind === 'log1p') this.log1pFields.add(field);
        return { feature, field };
      }
      case 'calendar':
        return { feature };
      case 'window':
      case 'ratio-to-window-mean': {
        const entity = this.entityIndex(feature.entity);
        const value =
          feature.column === undefined || (feature.kind === 'window' && feature.agg === 'count') ? -1 : indexOrAdd(this.entityColumns[entity]!, feature.column);
        return { feature, entity, value };
      }
      case 'delayed-label': {
        const entity = this.entityIndex(feature.entity);
        const label = this.labelColumns.get(entity) ?? feature.label;
        if (label !== feature.label) {
          throw new MlsdError(
            'INVALID_OPTION',
            `Feature "${feature.name}" reads label "${feature.label}" but another feature of entity "${feature.entity}" reads "${label}"; ` +
              'the online executor keeps one label per entity event: use one label column per entity.',
            { location: { field: feature.name } },
          );
        }
        this.labelColumns.set(entity, label);
        return { feature, entity };
      }
    }
  }

  private entityIndex(entity: string): number {
    let index = this.entityNames.indexOf(entity);
    if (index < 0) {
      index = this.entityNames.push(entity) - 1;
      this.entityColumns.push([]);
    }
    return index;
  }
}

/**
 * Hands out result vectors as views into shared 256-vector buffers: a fresh `Float64Array` per event would get a
 * buffer of its own, whose allocation and release cost more than computing the features. A buffer stays alive
 * while any of its vectors does (at most 256 × the vector size).
 */
function featuresOnly(features: Float64Array): Float64Array {
  return features;
}

function withStatus(features: Float64Array, status: ObserveStatus): ObservedEvent {
  return { features, late: status.late, recorded: status.recorded, duplicate: status.duplicate, answer: status.answer };
}

class VectorPool {
  private buffer: ArrayBuffer;
  private used = 0;
  private readonly bytes: number;

  constructor(private readonly length: number) {
    this.bytes = Math.max(1, length) * Float64Array.BYTES_PER_ELEMENT;
    this.buffer = new ArrayBuffer(this.bytes * 256);
  }

  /** A zeroed vector no one else holds. */
  next(): Float64Array {
    if (this.used + this.bytes > this.buffer.byteLength) {
      this.buffer = new ArrayBuffer(this.bytes * 256);
      this.used = 0;
    }
    const vector = new Float64Array(this.buffer, this.used, this.length);
    this.used += this.bytes;
    return vector;
  }
}

function indexOrAdd(list: string[], name: string): number {
  const index = list.indexOf(name);
  return index >= 0 ? index : list.push(name) - 1;
}

function show(value: unknown): string {
  return typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? 'missing');
}

/** How error messages name an event (built only on error: no string work per event). */
function where(transactionId: string | number | undefined): string {
  return transactionId === undefined ? 'Event' : `Event ${transactionId}`;
}

function finiteField(event: FeatureEvent, column: string, transactionId: string | number | undefined): number {
  const value = event[column];
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new MlsdError('INVALID_INPUT', `${where(transactionId)}: field "${column}" is ${show(value)}; windowed features need a finite number.`, {
      location: { field: column },
    });
  }
  return value;
}

function passThroughField(event: FeatureEvent, column: string, transactionId: string | number | undefined): number {
  const value = event[column];
  if (value === undefined || value === null) return Number.NaN;
  if (typeof value !== 'number' || value === Infinity || value === -Infinity) {
    throw new MlsdError('INVALID_INPUT', `${where(transactionId)}: field "${column}" is ${show(value)}; give a finite number, or null when missing.`, {
      location: { field: column },
    });
  }
  return value;
}
