/**
 * The mlsd features library version written into every serialised pipeline (`libraryVersion`). Kept equal to the
 * `version` in `packages/features/package.json` (a test checks it); a constant rather than a JSON import so the
 * compiled package does not reach outside `src/`.
 */
export const FEATURES_VERSION = '0.1.0';
