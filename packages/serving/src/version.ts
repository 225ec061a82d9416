import { createRequire } from 'node:module';

/** The version of @mlsd/serving, read from its package.json (reported by `GET /v2`). */
export const LIBRARY_VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version;
