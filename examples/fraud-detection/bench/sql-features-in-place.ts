/**
 * A child of features-10x.bench.ts: the 15 Handbook features of a transactions file (Parquet or CSV, read in place)
 * computed by the compiled SQL inside DuckDB and written to Parquet, with nothing in JavaScript memory. Prints one
 * JSON line: rows and seconds.
 *
 * usage: tsx --conditions=@mlsd/source sql-features-in-place.ts <input> <out.parquet> [memoryLimit, e.g. 4GB]
 */
import { handbookFeatures } from '@mlsd/features';
import { writeFeaturesInDuckDB } from '@mlsd/features/sql';

const [input, out, memoryLimit] = process.argv.slice(2);
if (input === undefined || out === undefined) throw new Error('usage: sql-features-in-place.ts <input> <out.parquet> [memoryLimit]');
const started = performance.now();
const rows = await writeFeaturesInDuckDB(input, out, handbookFeatures(), {
  time: 'TX_DATETIME',
  order: 'TRANSACTION_ID',
  keep: ['TRANSACTION_ID', 'TX_DATETIME', 'CUSTOMER_ID', 'TERMINAL_ID', 'TX_FRAUD'],
  ...(memoryLimit === undefined ? {} : { memoryLimit }),
});
process.stdout.write(`${JSON.stringify({ rows, seconds: (performance.now() - started) / 1000 })}\n`);
