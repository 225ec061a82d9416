import cluster from 'node:cluster';
import { pino, type DestinationStream, type Logger } from 'pino';
import { REDACTED_LOG_PATHS } from './redacted-paths.js';
import { StdoutLog } from './stdout-log.js';

/**
 * Creates the service's pino logger at `level`, writing to `stream`, with redaction on. In a `node:cluster` worker
 * (`serve --workers N`) every line carries `worker`, the worker's id (1, 2, …).
 *
 * Without `stream` it writes to stdout through a {@link StdoutLog}: a thread of its own writes the lines, in batches
 * every 50 ms, and builds the decision lines from their numbers. Error and fatal lines wake it at once, and what is
 * left is written synchronously when the process exits (`logger.flush()` waits for it on demand), so a crash's last
 * words are not lost.
 */
export function createServiceLogger(level: string, stream?: DestinationStream): Logger {
  const base = cluster.isWorker && cluster.worker !== undefined ? { service: 'mlsd-serving', worker: cluster.worker.id } : { service: 'mlsd-serving' };
  const options = { level, base, redact: { paths: [...REDACTED_LOG_PATHS], censor: '[redacted]' } };
  if (stream !== undefined) return pino(options, stream);
  const stdout = new StdoutLog();
  const errorLevel = pino.levels.values['error']!;
  return pino(
    {
      ...options,
      hooks: {
        logMethod(args, method, lineLevel) {
          method.apply(this, args);
          if (lineLevel >= errorLevel) stdout.wake();
        },
      },
    },
    stdout,
  );
}

/**
 * Writes out what a logger of {@link createServiceLogger} holds; on stdout it also ends the writer thread (lines
 * logged after that are written synchronously).
 */
export async function closeServiceLogger(logger: Logger): Promise<void> {
  const stream = (logger as unknown as Record<symbol, unknown>)[pino.symbols.streamSym];
  if (stream instanceof StdoutLog) await stream.close();
  else logger.flush();
}
