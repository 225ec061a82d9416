import type { Schema } from '@mlsd/data';
import type { ImportStateOptions, StateSnapshot } from '@mlsd/features';
import type { Classifier } from '@mlsd/models';
import type { ScoringEvent } from './scoring-event.js';

/**
 * A model as the service serves it: the registry entry's name and version, the fitted classifier, and what was
 * stored with it (the feature pipeline as opaque JSON, the monitoring reference profile).
 */
export interface ServedModel {
  readonly name: string;
  readonly version: number;
  readonly classifier: Classifier;
  /** The `FeaturePipeline` JSON stored with the model; the {@link FeatureBackend} turns it into online features. */
  readonly featurePipeline: unknown;
  /** The reference profile stored with the model for drift monitoring, when there is one. */
  readonly profile?: unknown;
}

/** Where the service gets models from (the model registry). */
export interface ModelSource {
  /**
   * Loads `ref`: `name@alias` (e.g. `fraud@champion`) or `name/version` (e.g. `fraud/3`). Rejects with a
   * `NOT_FOUND` MlsdError when the alias or version does not exist.
   */
  load(ref: string): Promise<ServedModel>;
}

/** The feature values of one event: the raw online features and the model's input vector. */
export interface FeatureValues {
  /** Raw feature values, in {@link OnlineFeatures.rawNames} order (e.g. the 15 Handbook features). */
  readonly raw: Float64Array;
  /** The model input after the pipeline's fitted transforms, in {@link OnlineFeatures.inputNames} order. */
  readonly input: Float64Array;
  /** The event is older than the latest event of one of its entities. Default false. */
  readonly late?: boolean;
  /** The store recorded the event (false: a duplicate id, or later than the lateness bound). Default true. */
  readonly recorded?: boolean;
  /** The store recorded this id before (within its idempotency window): nothing changed. Default false. */
  readonly duplicate?: boolean;
  /** For a duplicate, the answer kept with {@link OnlineFeatures.saveAnswer} for the first event, if any. */
  readonly answer?: string;
}

/** The online features of one feature pipeline, backed by the service's store. */
export interface OnlineFeatures {
  /** Names of the raw feature values. */
  readonly rawNames: readonly string[];
  /** Names of the model input columns, in order. */
  readonly inputNames: readonly string[];
  /**
   * The raw event schema the pipeline needs (`FeaturePipeline.eventSchema`: columns, types, roles): the service
   * takes its request schema from it, or checks an explicit request schema against it.
   */
  readonly eventSchema: Schema;
  /**
   * True when the store lives in this process (the memory store): its work is CPU, like the model's, and cannot
   * hang on I/O, so the request path does not race it against a timer; its time counts in the deadline check made
   * after the model. Default false: the call is raced against the remaining deadline.
   */
  readonly inProcess?: boolean;
  /**
   * Computes the features of `event` from the store's state before it, then records it in the store. Async because
   * the store may be remote; rejects when the store fails (`UNAVAILABLE`, `TIMEOUT`), or with `INVALID_INPUT` when
   * the event's values are refused. A duplicate id or a late event resolves, with `duplicate` / `late` set.
   */
  computeAndRecord(event: ScoringEvent): Promise<FeatureValues>;
  /**
   * {@link computeAndRecord} without a promise (throwing instead of rejecting), offered by a store in this process
   * (`inProcess`): the request path then pays no promise or microtask for the features.
   */
  computeAndRecordSync?(event: ScoringEvent): FeatureValues;
  /** Keeps the answer given for the recorded event `id` with it in the store, for duplicates of that id. */
  saveAnswer(id: string | number, answer: string): Promise<void>;
  /**
   * Records a label (true = positive) that arrived after the event with id `id`; it feeds the delayed label-rate
   * features. Resolves to how many stored events it labelled (0 when the id is unknown to the store or evicted).
   */
  feedback(id: string | number, label: boolean): Promise<number>;
}

/** The online feature store behind the service (in memory or Redis), shared by every loaded pipeline. */
export interface FeatureBackend {
  /** Online features for a pipeline stored with a model; throws an MlsdError when the JSON is not a pipeline. */
  forPipeline(pipeline: unknown): OnlineFeatures;
  /**
   * Writes entity state in bulk into the store of a pipeline's feature definitions (e.g. a snapshot from
   * `materializeState` or a snapshot file), before the service takes traffic; resolves to the events written.
   * Rejects with `INVALID_INPUT` when the snapshot was computed for other definitions. Optional: a backend without
   * it cannot be warmed.
   */
  importState?(pipeline: unknown, snapshot: StateSnapshot, options?: ImportStateOptions): Promise<number>;
  /** Resolves when the store answers (e.g. a Redis PING); rejects otherwise. */
  ping(): Promise<void>;
  /** Releases the store's connections. */
  close(): Promise<void>;
}
