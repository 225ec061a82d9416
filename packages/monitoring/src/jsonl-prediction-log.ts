import { createReadStream, createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { MlsdError } from '@mlsd/data';
import { silentLogger, type MonitorLogger } from './monitor-logger.js';
import type { PredictionLog, PredictionLogRecord, PredictionLogStats } from './prediction-record.js';

/**
 * The default prediction log: one JSON object per line, appended to `file` (created with its folder) through a
 * buffered write stream, so `append` costs one `JSON.stringify` and never blocks. Write errors are counted and
 * logged once per failure streak.
 */
export class JsonlPredictionLog implements PredictionLog {
  private readonly stream: WriteStream;
  private written = 0;
  private failed = 0;
  private failing = false;
  private closed = false;

  constructor(
    readonly file: string,
    private readonly logger: MonitorLogger = silentLogger,
  ) {
    mkdirSync(dirname(file), { recursive: true });
    this.stream = createWriteStream(file, { flags: 'a' });
    this.stream.on('error', (error) => {
      this.failed++;
      if (!this.failing) this.logger.warn({ file, err: error.message }, `Prediction log: writing ${file} failed; records are being dropped.`);
      this.failing = true;
    });
  }

  append(record: PredictionLogRecord): void {
    if (this.closed) {
      this.failed++;
      return;
    }
    this.stream.write(`${JSON.stringify(record)}\n`);
    this.written++;
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise((resolve) => this.stream.end(() => resolve()));
  }

  stats(): PredictionLogStats {
    return { kind: 'jsonl', target: this.file, written: this.written, failed: this.failed };
  }
}

/** Options of {@link readPredictionLog}. */
export interface ReadPredictionLogOptions {
  /** Where the warning about a skipped torn last line goes. Default `process.emitWarning`. */
  readonly warn?: (message: string) => void;
}

/**
 * Reads a JSON-lines prediction log back, in file order. Blank lines are skipped. A bad *last* line is skipped with a
 * warning naming the file and line: the service appends lines as it goes, so a process killed mid-write leaves a
 * torn last line, and the records before it are good. Throws `NOT_FOUND` when the file does not exist and
 * `INVALID_INPUT` naming the file and line of any other line that is not a score or feedback record.
 */
export async function readPredictionLog(file: string, options: ReadPredictionLogOptions = {}): Promise<PredictionLogRecord[]> {
  const records: PredictionLogRecord[] = [];
  const input = createReadStream(file, { encoding: 'utf8' });
  const opened = new Promise<void>((resolve, reject) => {
    input.once('open', () => resolve());
    input.once('error', reject);
  });
  try {
    await opened;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new MlsdError(
      code === 'ENOENT' ? 'NOT_FOUND' : 'IO_ERROR',
      code === 'ENOENT'
        ? `Prediction log ${file} does not exist; pass the file the service wrote (its predictionLog option).`
        : `Prediction log ${file} could not be read: ${(error as Error).message}.`,
      { cause: error, location: { file } },
    );
  }
  let line = 0;
  // A bad line is an error only once another line follows it; the last one may be torn.
  let bad: MlsdError | undefined;
  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    line++;
    if (text.trim() === '') continue;
    if (bad !== undefined) throw bad;
    try {
      records.push(parseRecord(text, file, line));
    } catch (error) {
      if (!(error instanceof MlsdError)) throw error;
      bad = error;
    }
  }
  if (bad !== undefined) {
    const warn = options.warn ?? ((message: string) => process.emitWarning(message, 'MlsdWarning'));
    warn(`Skipped the torn last line of ${file}: ${bad.message} (a writer stopped mid-line; the ${records.length} records before it are read).`);
  }
  return records;
}

/** Parses one log line; exported for the Redis stream reader, which stores the same JSON. */
export function parseRecord(text: string, file: string, line: number): PredictionLogRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new MlsdError('INVALID_INPUT', `${file}:${line} is not valid JSON (${(error as Error).message}); each line must be one record.`, {
      cause: error,
      location: { file, line },
    });
  }
  const record = value as Partial<PredictionLogRecord> | null;
  const ok =
    record !== null &&
    typeof record === 'object' &&
    (typeof record.transactionId === 'number' || typeof record.transactionId === 'string') &&
    ((record.type === 'score' && typeof record.score === 'number' && typeof record.features === 'object' && record.features !== null) ||
      (record.type === 'feedback' && typeof record.fraud === 'boolean'));
  if (!ok) {
    throw new MlsdError(
      'INVALID_INPUT',
      `${file}:${line} is not a prediction-log record; expected {"type":"score",transactionId,score,features,...} or {"type":"feedback",transactionId,fraud}.`,
      { location: { file, line } },
    );
  }
  return record as PredictionLogRecord;
}
