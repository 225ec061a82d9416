/**
 * `@mlsd/features/sql`: feature definitions compiled to SQL window functions, and the engines that run them where
 * the data lives (embedded DuckDB, a PostgreSQL server). Values equal the typed executor's to 1e-9.
 */
export { compileFeatureSql } from './sql/compile-sql.js';
export type { FeatureSqlOptions, SqlDialect } from './sql/compile-sql.js';
export { computeFeaturesInDuckDB, writeFeaturesInDuckDB } from './sql/duckdb-engine.js';
export type { FileFeaturesOptions } from './sql/duckdb-engine.js';
export { computeFeaturesInPostgres } from './sql/postgres-engine.js';
export { ROW_COLUMN } from './sql/sql-engine-table.js';
export type { SqlEngineOptions } from './sql/sql-engine-table.js';
