export { FEATURES_VERSION } from './version.js';
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
