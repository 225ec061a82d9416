/**
 * `@mlsd/models/explain`: explanations of scores beyond each model's own `contributions` — integrated gradients
 * of a network's logit (exact for ReLU networks) and exact Shapley values by enumeration, for offline checks.
 */
export { EXACT_SHAPLEY_MAX_INPUTS, exactShapley } from './exact-shapley.js';
export { INTEGRATED_GRADIENTS_STEPS, integratedGradients } from '../neural/integrated-gradients.js';
export type { IntegratedGradients, IntegratedGradientsOptions } from '../neural/integrated-gradients.js';
