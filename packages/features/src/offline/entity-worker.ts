/**
 * The worker thread of {@link computeFeaturesInParallel}: receives the columns one share of the windowed features
 * reads (on SharedArrayBuffers, read only) and those features, computes them with the same offline executor as the
 * calling thread, and sends the feature columns back, transferred (no copy). A failure is sent back as the error's
 * code, message and location, so the caller throws the same `MlsdError` the single-thread path throws.
 */
import { parentPort } from 'node:worker_threads';
import { ColumnTable, MlsdError, type Column } from '@mlsd/data';
import { computeFeatureColumns } from './compute-features.js';
import type { EntityShareReply, EntityShareRequest } from './entity-share.js';

const port = parentPort;
if (port === null) throw new Error('entity-worker.js runs as a worker thread of computeFeaturesInParallel; do not run it directly.');

port.on('message', (request: EntityShareRequest) => {
  let reply: EntityShareReply;
  try {
    const columns = new Map<string, Column>();
    for (const column of request.columns) columns.set(column.name, column.column);
    const values = computeFeatureColumns(new ColumnTable(columns), request.features, request.time);
    reply = { values };
    port.postMessage(
      reply,
      values.map((column) => column.buffer as ArrayBuffer),
    );
  } catch (error) {
    reply =
      error instanceof MlsdError
        ? { error: { code: error.code, message: error.message, location: error.location } }
        : { error: { code: 'INTERNAL', message: `Computing features in a worker thread failed: ${(error as Error).message}` } };
    port.postMessage(reply);
  }
});
