/**
 * The floor under `fraud ingest`: what DuckDB itself takes, inside one process, to read the transactions CSV
 * (a) with typed columns and (b) as text then parsed with TRY_CAST and checked (the way ingest reads it), each
 * aggregated to one row so nothing is materialised or passed to JavaScript. Prints one JSON document with the
 * seconds of each query (best of 2) and of process start to the first query. Run by whole-process.bench.ts:
 * `node --import tsx examples/fraud-detection/bench/duckdb-floor.ts FILE.csv`.
 */
import { withDuckDB } from '@mlsd/data/duckdb';

const started = performance.now();
const file = process.argv[2];
if (file === undefined) throw new Error('usage: duckdb-floor.ts FILE.csv');
const path = `'${file.replaceAll("'", "''")}'`;

const typed =
  `SELECT count(*), max(TRANSACTION_ID), max(TX_DATETIME), max(CUSTOMER_ID), max(TERMINAL_ID), sum(TX_AMOUNT), sum(TX_FRAUD), sum(TX_FRAUD_SCENARIO) ` +
  `FROM read_csv(${path}, header = true, auto_detect = false, columns = {'TRANSACTION_ID': 'BIGINT', 'TX_DATETIME': 'TIMESTAMP', ` +
  `'CUSTOMER_ID': 'BIGINT', 'TERMINAL_ID': 'BIGINT', 'TX_AMOUNT': 'DOUBLE', 'TX_FRAUD': 'INTEGER', 'TX_FRAUD_SCENARIO': 'INTEGER'})`;
const names = ['TRANSACTION_ID', 'TX_DATETIME', 'CUSTOMER_ID', 'TERMINAL_ID', 'TX_AMOUNT', 'TX_FRAUD', 'TX_FRAUD_SCENARIO'];
const parsed = names.map((n) => (n === 'TX_DATETIME' ? `epoch_ms(TRY_CAST(${n} AS TIMESTAMP))::DOUBLE AS p_${n}` : `TRY_CAST(${n} AS DOUBLE) AS p_${n}`));
const textThenParsed =
  `SELECT count(*), count(*) FILTER (WHERE NOT (${names.map((n) => `isfinite(p_${n})`).join(' AND ')})) ` +
  `FROM (SELECT ${parsed.join(', ')} FROM read_csv(${path}, header = true, auto_detect = false, ` +
  `columns = {${names.map((n) => `'${n}': 'VARCHAR'`).join(', ')}}))`;

type Connection = Parameters<Parameters<typeof withDuckDB>[0]>[0];

async function bestSeconds(connection: Connection, sql: string): Promise<number> {
  let best = Number.POSITIVE_INFINITY;
  for (let run = 0; run < 2; run++) {
    const start = performance.now();
    await connection.runAndReadAll(sql);
    best = Math.min(best, (performance.now() - start) / 1000);
  }
  return best;
}

const result = await withDuckDB(async (connection) => {
  const ready = performance.now();
  return {
    startSeconds: (ready - started) / 1000,
    typedReadSeconds: await bestSeconds(connection, typed),
    textReadParseCheckSeconds: await bestSeconds(connection, textThenParsed),
  };
});
process.stdout.write(`${JSON.stringify(result)}\n`);
