import { createRequire } from 'node:module';
import type * as IORedis from 'ioredis';

const require = createRequire(import.meta.url);
let loaded: typeof IORedis | undefined;

/**
 * `ioredis`, loaded with `require` when a Redis store first connects. Importing it at the top of the store modules
 * cost every process that imports `@mlsd/features` about 0.17 s at start (0.1 s of it loading, the rest Node lexing
 * its CommonJS files for an ES import), although only serving and materialisation talk to Redis.
 */
export function ioredis(): typeof IORedis {
  loaded ??= require('ioredis') as typeof IORedis;
  return loaded;
}
