import type { Redis } from 'ioredis';
import { silentLogger, type MonitorLogger } from './monitor-logger.js';
import { parseRecord } from './jsonl-prediction-log.js';
import type { PredictionLog, PredictionLogRecord, PredictionLogStats } from './prediction-record.js';

/** Settings of a {@link RedisStreamPredictionLog}. */
export interface RedisStreamLogOptions {
  /** Stream key (default `mlsd:predictions`). */
  readonly stream?: string;
  /** Approximate cap on the stream length, `XADD ... MAXLEN ~ maxLength` (default 1,000,000). */
  readonly maxLength?: number;
}

/**
 * A prediction log on a Redis stream, for several replicas: each record is one entry `XADD stream MAXLEN ~ N *
 * record <json>` (the same JSON as a JSON-lines line). `append` does not wait for Redis; failures are counted and
 * logged once per failure streak. The caller owns the connection (`close` does not quit it).
 */
export class RedisStreamPredictionLog implements PredictionLog {
  readonly stream: string;
  readonly maxLength: number;
  private written = 0;
  private failed = 0;
  private failing = false;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly redis: Redis,
    options: RedisStreamLogOptions = {},
    private readonly logger: MonitorLogger = silentLogger,
  ) {
    this.stream = options.stream ?? 'mlsd:predictions';
    this.maxLength = options.maxLength ?? 1_000_000;
  }

  append(record: PredictionLogRecord): void {
    const pending = this.redis.xadd(this.stream, 'MAXLEN', '~', String(this.maxLength), '*', 'record', JSON.stringify(record)).then(
      () => {
        this.written++;
        this.failing = false;
      },
      (error: Error) => {
        this.failed++;
        if (!this.failing)
          this.logger.warn({ stream: this.stream, err: error.message }, `Prediction log: XADD to ${this.stream} failed; records are being dropped.`);
        this.failing = true;
      },
    );
    this.inFlight.add(pending);
    void pending.finally(() => this.inFlight.delete(pending));
  }

  /** Waits for the pending writes. */
  async close(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  stats(): PredictionLogStats {
    return { kind: 'redis-stream', target: this.stream, written: this.written, failed: this.failed };
  }
}

/** Reads a Redis-stream prediction log back in stream order (`XRANGE` in pages of `pageSize`, default 10,000). */
export async function readRedisPredictionLog(redis: Redis, stream = 'mlsd:predictions', pageSize = 10_000): Promise<PredictionLogRecord[]> {
  const records: PredictionLogRecord[] = [];
  let start = '-';
  for (;;) {
    const page = await redis.xrange(stream, start, '+', 'COUNT', pageSize);
    for (const [id, fields] of page) {
      const at = fields.indexOf('record');
      if (at >= 0 && fields[at + 1] !== undefined) records.push(parseRecord(fields[at + 1]!, `redis stream ${stream}`, records.length + 1));
      start = `(${id}`;
    }
    if (page.length < pageSize) return records;
  }
}
