/** Entry point of the tree kernels compiled to WebAssembly (`scripts/compile-kernels.ts`). */
export { addForestOutputs, setForest } from './forest-walk';
export { buildHistogram, findBestSplit, partitionRows, subtractHistogram } from './tree-growth';
