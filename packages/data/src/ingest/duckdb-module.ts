import { createRequire } from 'node:module';
import type * as DuckDBApi from '@duckdb/node-api';
import type DuckDBBindings from '@duckdb/node-bindings';

const require = createRequire(import.meta.url);
let api: typeof DuckDBApi | undefined;
let bindings: typeof DuckDBBindings | undefined;

/**
 * `@duckdb/node-api`, loaded on first use with `require`. It is CommonJS: importing it from an ES module makes Node
 * lex each of its ~120 files for their named exports, which doubled its load (0.30 → 0.14 s wall, 0.41 → 0.23 s
 * process CPU, measured alternating at load 2). Every DuckDB job pays that load, so it is taken once, here.
 */
export function duckdbApi(): typeof DuckDBApi {
  api ??= require('@duckdb/node-api') as typeof DuckDBApi;
  return api;
}

/** `@duckdb/node-bindings` (the C API functions under `@duckdb/node-api`), loaded on first use like {@link duckdbApi}. */
export function duckdbBindings(): typeof DuckDBBindings {
  bindings ??= require('@duckdb/node-bindings') as typeof DuckDBBindings;
  return bindings;
}
