import type { ColumnTable } from '@mlsd/data';

const DAY_MS = 86_400_000;

/** Counts of a replay: what the service answered, and how. */
export interface ReplaySummary {
  readonly scored: number;
  readonly bySource: { readonly model: number; readonly fallback: number };
  readonly byDecision: Readonly<Record<string, number>>;
  readonly fallbackReasons: Readonly<Record<string, number>>;
  readonly feedbackSent: number;
  readonly errors: number;
  /** Per-transaction scoring latency inside the service, ms. */
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly seconds: number;
}

/** Options of {@link replayThroughService}. */
export interface ReplayOptions {
  /** The running service, e.g. `http://127.0.0.1:8080`. */
  readonly baseUrl: string;
  /** Rows with `fromTime <= TX_DATETIME < toTime` (epoch ms) are replayed, in time order. */
  readonly fromTime: number;
  readonly toTime: number;
  /** A transaction's label is fed back this long after it happened (ms): the time an investigation takes. */
  readonly feedbackDelayMs: number;
  /** Transactions per `POST /v1/score` batch (default 50). */
  readonly batchSize?: number;
  /** Called after each batch with the number of transactions replayed so far. */
  readonly onProgress?: (replayed: number, total: number) => void;
}

/**
 * Replays a period through the running service over HTTP, as production traffic: transactions in time order
 * in `POST /v1/score` batches, and each label through `POST /v1/feedback` once `feedbackDelayMs` has passed on
 * the replay's clock (the rest at the end, as the investigations finish).
 */
export async function replayThroughService(table: ColumnTable, options: ReplayOptions): Promise<ReplaySummary> {
  const started = performance.now();
  const rows = rowsInTimeRange(table, options.fromTime, options.toTime);
  const columns = handbookColumns(table);
  const batchSize = options.batchSize ?? 50;
  const bySource = { model: 0, fallback: 0 };
  const byDecision: Record<string, number> = {};
  const fallbackReasons: Record<string, number> = {};
  const latencies = new Float64Array(rows.length);
  let scored = 0;
  let errors = 0;
  let nextFeedback = 0;
  let feedbackSent = 0;

  const sendFeedbackUntil = async (time: number): Promise<void> => {
    const due: Array<{ transactionId: number; fraud: boolean }> = [];
    while (nextFeedback < scored && columns.time[rows[nextFeedback]!]! + options.feedbackDelayMs <= time) {
      const row = rows[nextFeedback++]!;
      due.push({ transactionId: columns.id[row]!, fraud: columns.label[row] === 1 });
    }
    for (let i = 0; i < due.length; i += batchSize) {
      const response = await post(options.baseUrl, '/v1/feedback', due.slice(i, i + batchSize));
      if (response.ok) feedbackSent += Math.min(batchSize, due.length - i);
      else errors++;
    }
  };

  for (let start = 0; start < rows.length; start += batchSize) {
    const batch = rows.subarray(start, Math.min(start + batchSize, rows.length));
    await sendFeedbackUntil(columns.time[batch[0]!]!);
    const body = Array.from(batch, (row) => ({
      TRANSACTION_ID: columns.id[row]!,
      TX_DATETIME: columns.time[row]!,
      CUSTOMER_ID: columns.customer[row]!,
      TERMINAL_ID: columns.terminal[row]!,
      TX_AMOUNT: columns.amount[row]!,
    }));
    const response = await post(options.baseUrl, '/v1/score', body);
    if (!response.ok) {
      errors++;
      scored += batch.length;
      continue;
    }
    const results = (await response.json()) as Array<{ source: 'model' | 'fallback'; decision: string; fallbackReason?: string; latencyMs: number }>;
    for (const result of results) {
      bySource[result.source]++;
      byDecision[result.decision] = (byDecision[result.decision] ?? 0) + 1;
      if (result.fallbackReason !== undefined) fallbackReasons[result.fallbackReason] = (fallbackReasons[result.fallbackReason] ?? 0) + 1;
      latencies[scored++] = result.latencyMs;
    }
    options.onProgress?.(scored, rows.length);
  }
  await sendFeedbackUntil(Number.POSITIVE_INFINITY);

  const sorted = latencies.subarray(0, scored).sort();
  const quantile = (q: number): number => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);
  return {
    scored,
    bySource,
    byDecision,
    fallbackReasons,
    feedbackSent,
    errors,
    latencyMs: { p50: quantile(0.5), p99: quantile(0.99), max: sorted.length === 0 ? 0 : sorted[sorted.length - 1]! },
    seconds: (performance.now() - started) / 1000,
  };
}

/** Days as milliseconds. */
export function days(n: number): number {
  return n * DAY_MS;
}

async function post(baseUrl: string, path: string, body: unknown): Promise<Response> {
  return fetch(`${baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

function handbookColumns(table: ColumnTable) {
  return {
    id: table.numeric('TRANSACTION_ID'),
    time: table.numeric('TX_DATETIME'),
    customer: table.numeric('CUSTOMER_ID'),
    terminal: table.numeric('TERMINAL_ID'),
    amount: table.numeric('TX_AMOUNT'),
    label: table.labels('TX_FRAUD'),
  };
}

/** Rows with `from <= TX_DATETIME < to` (epoch ms), in time order (stable: ties keep table order). */
export function rowsInTimeRange(table: ColumnTable, from: number, to: number): Int32Array {
  const time = table.numeric('TX_DATETIME');
  const picked: number[] = [];
  for (let row = 0; row < time.length; row++) if (time[row]! >= from && time[row]! < to) picked.push(row);
  const rows = Int32Array.from(picked);
  let sorted = true;
  for (let i = 1; i < rows.length && sorted; i++) sorted = time[rows[i - 1]!]! <= time[rows[i]!]!;
  if (!sorted) {
    const order = Array.from(rows).sort((a, b) => time[a]! - time[b]! || a - b);
    rows.set(order);
  }
  return rows;
}
