export type { Classifier, FitOptions, ModelArtifact } from './contract/classifier.js';
export { ClassifierBase } from './contract/classifier-base.js';
export { classifierKinds, loadClassifier, registerClassifierKind } from './load-classifier.js';
export type { ClassifierLoader } from './load-classifier.js';
export { LogisticRegression, loadLogisticRegression } from './linear/logistic-regression.js';
export type { ClassWeight, LogisticRegressionFitInfo, LogisticRegressionOptions } from './linear/logistic-regression.js';
export { FileModelRegistry } from './registry/file-model-registry.js';
export type {
  FileModelRegistryOptions,
  LoadedModel,
  RegisterOptions,
  RegistryEntry,
  TrainingDataInfo,
} from './registry/file-model-registry.js';
export { parseModelRef } from './registry/model-ref.js';
export type { ModelRef } from './registry/model-ref.js';
export { GradientBoostingClassifier, loadGradientBoosting } from './trees/gradient-boosting-classifier.js';
export type { GradientBoostingFitInfo, GradientBoostingOptions } from './trees/gradient-boosting-classifier.js';
export type { EarlyStoppingMetric } from './trees/early-stopping-metric.js';
export { RandomForestClassifier, loadRandomForest } from './trees/random-forest-classifier.js';
export type { ForestClassWeight, MaxFeatures, RandomForestOptions } from './trees/random-forest-classifier.js';
export { MlpClassifier, loadMlpClassifier, MLP_DEFAULTS } from './neural/mlp-classifier.js';
export type { MlpFitInfo, MlpOptions } from './neural/mlp-classifier.js';
export type { MlpActivation } from './neural/activation.js';
export type { MlpBackend } from './neural/mlp-backend.js';
export { CalibratedClassifier, loadCalibratedClassifier } from './calibration/calibrated-classifier.js';
export { applyCalibration, CALIBRATION_METHODS, calibrationScores, fitCalibration } from './calibration/calibration.js';
export type { Calibration, CalibrationCandidate, CalibrationChoice, CalibrationMethod } from './calibration/calibration.js';
export { applyIsotonic, fitIsotonicCalibration } from './calibration/isotonic-calibration.js';
export type { IsotonicCalibration } from './calibration/isotonic-calibration.js';
export { applyPlatt, fitPlattScaling } from './calibration/platt-scaling.js';
export type { PlattScaling } from './calibration/platt-scaling.js';
