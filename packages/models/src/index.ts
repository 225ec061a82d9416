export type { Classifier, FitOptions, ModelArtifact } from './contract/classifier.js';
export { ClassifierBase } from './contract/classifier-base.js';
export { encodeTypedArray, decodeTypedArray } from './artifact/typed-array-codec.js';
export type { EncodedTypedArray, StorableTypedArray, TypedArrayDtype, TypedArrayOfDtype } from './artifact/typed-array-codec.js';
export { checkArtifact } from './artifact/check-artifact.js';
export { canonicalJson, checksumOf, sha256Hex } from './artifact/checksum.js';
export { checkFinite, checkFitInput, checkPredictInput } from './artifact/check-input.js';
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
export { RandomForestClassifier, loadRandomForest } from './trees/random-forest-classifier.js';
export type { ForestClassWeight, MaxFeatures, RandomForestOptions } from './trees/random-forest-classifier.js';
export { HistogramTreeLearner } from './trees/histogram-tree-learner.js';
export type { GrowPolicy, TreeGrowthOptions } from './trees/histogram-tree-learner.js';
export { binMatrix, binOf, fitQuantileBins, MAX_VALUE_BINS, MISSING_BIN } from './trees/quantile-bins.js';
export type { BinnedMatrix, QuantileBins } from './trees/quantile-bins.js';
export { addTreeOutputs, leafOf } from './trees/compact-tree.js';
export type { CompactTree } from './trees/compact-tree.js';
export { treeExpectation, treeShapContributions } from './trees/tree-shap.js';
export type { EarlyStoppingMetric } from './trees/early-stopping-metric.js';
export { MlpClassifier, loadMlpClassifier, MLP_DEFAULTS } from './neural/mlp-classifier.js';
export type { MlpFitInfo, MlpOptions } from './neural/mlp-classifier.js';
export type { MlpActivation } from './neural/activation.js';
export type { MlpBackend } from './neural/tensorflow-runtime.js';
export { addPackedOutputs, packForest } from './trees/packed-forest.js';
export type { PackedForest } from './trees/packed-forest.js';
