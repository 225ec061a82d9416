import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { MlsdError, startModuleWorker } from '@mlsd/data';
import type { EntityShareReply, EntityShareRequest } from './entity-share.js';

/**
 * Worker threads for `computeFeaturesInParallel`, started ahead of time so that their start (a new JavaScript
 * context loading the executor, about 0.05–0.1 s) overlaps other work, e.g. reading the input:
 * `const workers = FeatureWorkers.start(); … await computeFeaturesInParallel(table, defs, { workers }); await workers.close();`.
 * Idle workers do not keep the process alive. A worker answers one request at a time; requests beyond the number of
 * workers wait for a free one.
 */
export class FeatureWorkers {
  private readonly idle: Worker[];
  private readonly waiting: ((worker: Worker) => void)[] = [];
  private closed = false;

  private constructor(private readonly workers: Worker[]) {
    this.idle = [...workers];
  }

  /**
   * Starts `count` workers (default: `MLSD_FEATURE_THREADS` − 1 when set, else the available cores − 1, so that
   * with the calling thread every core has one thread; may be 0).
   */
  static start(count?: number): FeatureWorkers {
    const workers = Array.from({ length: count ?? featureThreads(undefined) - 1 }, () => {
      const worker = startWorker();
      worker.unref();
      return worker;
    });
    return new FeatureWorkers(workers);
  }

  /** The number of worker threads. */
  get size(): number {
    return this.workers.length;
  }

  /** Runs one share on the next free worker and resolves to its reply. */
  async run(request: EntityShareRequest): Promise<EntityShareReply> {
    if (this.closed) throw new MlsdError('INVALID_INPUT', 'These feature workers were closed; start new ones with FeatureWorkers.start().');
    const worker = this.idle.pop() ?? (await new Promise<Worker>((resolve) => this.waiting.push(resolve)));
    worker.ref();
    let answered = false;
    try {
      const reply = await answer(worker, request);
      answered = true;
      return reply;
    } finally {
      worker.unref();
      this.release(answered ? worker : this.replace(worker));
    }
  }

  private release(worker: Worker): void {
    const next = this.waiting.shift();
    if (next === undefined) this.idle.push(worker);
    else next(worker);
  }

  /** A fresh worker in place of one that failed or exited (it is ended), so waiting requests still get one. */
  private replace(failed: Worker): Worker {
    void failed.terminate();
    const worker = startWorker();
    worker.unref();
    this.workers[this.workers.indexOf(failed)] = worker;
    return worker;
  }

  /** Ends every worker. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}

/**
 * The number of threads computing features, the calling one included: `requested`, else `MLSD_FEATURE_THREADS`
 * when set, else the available cores. Throws `INVALID_OPTION` for anything but a whole number >= 1.
 */
export function featureThreads(requested: number | undefined): number {
  const fromEnv = process.env['MLSD_FEATURE_THREADS'];
  const threads = requested ?? (fromEnv === undefined || fromEnv === '' ? availableParallelism() : Number(fromEnv));
  if (!Number.isInteger(threads) || threads < 1) {
    throw new MlsdError(
      'INVALID_OPTION',
      `threads must be a whole number >= 1 (got ${requested ?? `MLSD_FEATURE_THREADS=${fromEnv}`}); use 1 to compute on the calling thread alone.`,
      { location: { field: requested === undefined ? 'MLSD_FEATURE_THREADS' : 'threads' } },
    );
  }
  return threads;
}

function answer(worker: Worker, request: EntityShareRequest): Promise<EntityShareReply> {
  return new Promise<EntityShareReply>((resolve, reject) => {
    const onMessage = (reply: EntityShareReply) => {
      settle();
      resolve(reply);
    };
    const onError = (error: Error) => {
      settle();
      reject(new MlsdError('INTERNAL', `A feature worker thread failed: ${error.message}`, { cause: error }));
    };
    const onExit = (code: number) => {
      settle();
      reject(new MlsdError('INTERNAL', `A feature worker thread exited (code ${code}) before answering.`));
    };
    const settle = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.postMessage(request);
  });
}

/** A worker running `entity-worker` (compiled, or from the sources through tsx: see `startModuleWorker`). */
function startWorker(): Worker {
  return startModuleWorker(import.meta.url, 'entity-worker');
}
