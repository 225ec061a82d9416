/**
 * `@mlsd/models/trees`: the building blocks of the tree models, for those who build tree learners of their own or
 * study them: quantile bins, the histogram tree learner, compact and packed trees, and TreeSHAP. Users of the
 * models need only `@mlsd/models`.
 */
export { HistogramTreeLearner } from './histogram-tree-learner.js';
export type { GrowPolicy, TreeGrowthOptions } from './histogram-tree-learner.js';
export { binMatrix, binOf, fitQuantileBins, MAX_VALUE_BINS, MISSING_BIN } from './quantile-bins.js';
export { fitLabelAwareBins } from './label-aware-bins.js';
export type { BinnedMatrix, QuantileBins } from './quantile-bins.js';
export { addTreeOutputs, leafOf } from './compact-tree.js';
export type { CompactTree } from './compact-tree.js';
export { treeExpectation, treeShapContributions } from './tree-shap.js';
export { addPackedOutputs, packForest } from './packed-forest.js';
export type { PackedForest } from './packed-forest.js';
