/**
 * The version of the mlsd packages, which are released together: written into every serialised artifact (models,
 * feature pipelines, registry entries as `libraryVersion`) and reported by the service (`GET /v2`). Kept equal to
 * the `version` of every package's package.json (a test checks it); a constant rather than a JSON import so the
 * compiled package does not reach outside `src/`.
 */
export const LIBRARY_VERSION = '0.1.0';
