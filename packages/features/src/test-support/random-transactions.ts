import { ColumnTable, SeededRandom } from '@mlsd/data';

/**
 * A small random transaction table for tests: `rows` events over `days` days from 2018-04-01 UTC, rows NOT in time
 * order, with many ties in time (a third of the events reuse an earlier timestamp), integer CUSTOMER_ID and
 * TERMINAL_ID, positive TX_AMOUNT with 2 decimals, a TX_FRAUD label and a TRANSACTION_ID equal to the row index.
 */
export function randomTransactions(rows: number, seed: number, options: { customers?: number; terminals?: number; days?: number } = {}): ColumnTable {
  const rng = new SeededRandom(seed);
  const customers = options.customers ?? 12;
  const terminals = options.terminals ?? 9;
  const spanMs = (options.days ?? 50) * 86_400_000;
  const start = Date.UTC(2018, 3, 1);
  const time = new Float64Array(rows);
  const customer = new Float64Array(rows);
  const terminal = new Float64Array(rows);
  const amount = new Float64Array(rows);
  const fraud = new Uint8Array(rows);
  const id = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    // Whole seconds, and often an exact copy of an earlier time: ties within and across entities.
    time[i] = i > 0 && rng.nextFloat() < 0.33 ? time[rng.nextInt(i)]! : start + Math.floor(rng.nextFloat() * (spanMs / 1000)) * 1000;
    customer[i] = rng.nextInt(customers) * 7 + 3;
    terminal[i] = rng.nextInt(terminals) + 100;
    amount[i] = Math.round(rng.uniform(1, 300) * 100) / 100;
    fraud[i] = rng.nextFloat() < 0.15 ? 1 : 0;
    id[i] = i;
  }
  return new ColumnTable({
    TRANSACTION_ID: { type: 'integer', values: id },
    TX_DATETIME: { type: 'timestamp', values: time },
    CUSTOMER_ID: { type: 'integer', values: customer },
    TERMINAL_ID: { type: 'integer', values: terminal },
    TX_AMOUNT: { type: 'float', values: amount },
    TX_FRAUD: { type: 'label', values: fraud },
  });
}

/** Row indices in event order: by time, ties by row index. */
export function eventOrder(table: ColumnTable, time = 'TX_DATETIME'): number[] {
  const times = table.numeric(time);
  return Array.from({ length: table.rowCount }, (_, i) => i).sort((a, b) => times[a]! - times[b]! || a - b);
}
