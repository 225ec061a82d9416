/**
 * The mlsd models library version written into every artifact (`libraryVersion`). Kept equal to the `version`
 * in `packages/models/package.json` (a test checks it); a constant rather than a JSON import so the compiled
 * package does not reach outside `src/`.
 */
export const LIBRARY_VERSION = '0.1.0';
