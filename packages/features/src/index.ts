export type { Duration } from './definitions/duration.js';
export type {
  CalendarFeature,
  ColumnFeature,
  DelayedLabelFeature,
  FeatureDefinition,
  FeatureKind,
  Log1pFeature,
  RatioToWindowMeanFeature,
  WindowAggregate,
  WindowFeature,
} from './definitions/feature-definition.js';
export { featureNames } from './definitions/resolve-features.js';
export { handbookFeatures } from './definitions/handbook-features.js';
export { computeFeatureMatrix, computeFeatures } from './offline/compute-features.js';
export type { ComputeFeaturesOptions } from './offline/compute-features.js';
export { computeFeaturesInParallel } from './offline/compute-features-parallel.js';
export type { ParallelFeaturesOptions } from './offline/compute-features-parallel.js';
export { FeatureWorkers } from './offline/feature-workers.js';
export { MAX_WINDOW_VALUE, OnlineFeatureExecutor } from './online/online-executor.js';
export type { FeatureEvent, LabelFeedback, ObservedEvent, OnlineExecutorOptions } from './online/online-executor.js';
export { admitByTime } from './online/admission-rules.js';
export type { TimeAdmission } from './online/admission-rules.js';
export { materializeState } from './online/materialize-state.js';
export type { MaterializeStateOptions, StateTarget } from './online/materialize-state.js';
export {
  STATE_SNAPSHOT_VERSION,
  decodeStateSnapshot,
  encodeStateSnapshot,
  readStateSnapshotFile,
  writeStateSnapshotFile,
} from './online/state-snapshot-file.js';
export { MemoryStateStore } from './online/memory-state-store.js';
export type { MemoryStateStoreOptions } from './online/memory-state-store.js';
export { RedisStateStore } from './online/redis-state-store.js';
export type { RedisStateStoreOptions } from './online/redis-state-store.js';
export { RedisClusterStateStore } from './online/redis-cluster-state-store.js';
export type { RedisClusterStateStoreOptions } from './online/redis-cluster-state-store.js';
export type {
  EntityHistory,
  EntitySnapshot,
  FeatureStateStore,
  ImportStateOptions,
  LabelTarget,
  ObserveStatus,
  StateLayout,
  StateSnapshot,
  StateSource,
  StoreEvent,
} from './online/state-store.js';
export { FeaturePipeline } from './pipeline/feature-pipeline.js';
export type { FeaturePipelineJSON, FeaturePipelineSpec, PipelineRowsOptions } from './pipeline/feature-pipeline.js';
export { OnlineFeaturePipeline } from './pipeline/online-feature-pipeline.js';
export type { ObservedFeatures } from './pipeline/online-feature-pipeline.js';
export type { FittedTransform, TransformSpec } from './transforms/fitted-transform.js';
export type { FrequencyEncodeSpec, FrequencyEncodeState } from './transforms/frequency-encode.js';
export type { MedianImputeSpec, MedianImputeState } from './transforms/median-impute.js';
export type { OneHotSpec, OneHotState } from './transforms/one-hot.js';
export type { StandardScaleSpec, StandardScaleState } from './transforms/standard-scale.js';
