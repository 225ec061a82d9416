/**
 * `@mlsd/data/duckdb`: the embedded DuckDB helpers other stages build on (the SQL feature engine): a connection per
 * job, SQL quoting, and typed-array columns in and out of DuckDB without per-value JavaScript.
 */
export { sqlIdentifier, sqlString, withDuckDB } from './ingest/duckdb-session.js';
export { appendDoubleColumns, readDoubleColumns, registerDoubleColumnsScan } from './ingest/duckdb-columns.js';
