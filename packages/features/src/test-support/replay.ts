import type { ColumnTable } from '@mlsd/data';
import type { OnlineFeatureExecutor } from '@mlsd/features';
import { eventOrder } from './random-transactions.js';

/**
 * Replays `table` through `executor` in event order (time, ties by row), feeding each TX_FRAUD label back as soon
 * as `labelDelayMs` has passed since its event (before the first event at or after that time). Resolves to the
 * observed feature vectors, indexed by row. With `fromTime`, events before it are not observed (a materialized state
 * holds them) and only the labels not known at `fromTime` (events less than the delay before it) are fed back.
 */
export async function replay(executor: OnlineFeatureExecutor, table: ColumnTable, labelDelayMs: number, fromTime = -Infinity): Promise<Float64Array[]> {
  const times = table.numeric('TX_DATETIME');
  const fraud = table.labels('TX_FRAUD');
  const out: Float64Array[] = new Array<Float64Array>(table.rowCount);
  const pending: number[] = [];
  let next = 0;
  for (const row of eventOrder(table)) {
    if (times[row]! < fromTime) {
      if (times[row]! + labelDelayMs > fromTime) pending.push(row);
      continue;
    }
    while (next < pending.length && times[pending[next]!]! + labelDelayMs <= times[row]!) {
      const due = pending[next++]!;
      await executor.feedback({ transactionId: due, label: fraud[due] === 1 });
    }
    const event: Record<string, number> = {};
    for (const name of table.columnNames) if (name !== 'TX_FRAUD') event[name] = table.numeric(name)[row]!;
    out[row] = await executor.observe(event);
    pending.push(row);
  }
  return out;
}
