/**
 * `@mlsd/models/artifact`: what a new model needs to follow the `Classifier` contract as the library's models do:
 * checks of fit and predict inputs, typed arrays in JSON, artifact checks and checksums. Users of the models need
 * only `@mlsd/models`.
 */
export { encodeTypedArray, decodeTypedArray } from './typed-array-codec.js';
export type { EncodedTypedArray, StorableTypedArray, TypedArrayDtype, TypedArrayOfDtype } from './typed-array-codec.js';
export { checkArtifact } from './check-artifact.js';
export { canonicalJson, checksumOf, sha256Hex } from './checksum.js';
export { checkFinite, checkFitInput, checkPredictInput } from './check-input.js';
