export type { Classifier, FitOptions, ModelArtifact } from './contract/classifier.js';
