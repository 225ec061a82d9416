export type { Classifier, FitOptions, ModelArtifact } from './contract/classifier.js';
export { validateOptions } from './artifact/validate-options.js';
export type { OptionRule, OptionRules } from './artifact/validate-options.js';
