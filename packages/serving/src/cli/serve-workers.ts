import cluster, { type Worker } from 'node:cluster';
import { createServer, type Server } from 'node:http';
import { InvalidArgumentError } from 'commander';
import { AggregatorRegistry, type Registry } from 'prom-client';
import { MlsdError } from '@mlsd/data';

/** Messages between the primary and its workers (IPC), tagged so that no other message is mistaken for one. */
interface WorkerMessage {
  readonly mlsdServe: 'ready' | 'stop';
  readonly signal?: string;
}

/** Restarts of workers that die after start allowed within {@link RESTART_WINDOW_MS}; past it the primary stops. */
const MAX_RESTARTS_PER_WINDOW = 5;
const RESTART_WINDOW_MS = 60_000;

/** Parses `--workers`: a whole number 1–64 of processes serving one port; commander prints the message and exits. */
export function workersFlag(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > 64) throw new InvalidArgumentError('expected a whole number of processes 1-64');
  return parsed;
}

/**
 * Refuses `--workers N > 1` on the memory store: each process would keep its own windows and its own idempotency
 * ids, so the same card's features (and a repeated event id) would depend on which worker answers. Throws
 * `INVALID_OPTION` naming `--workers` and the stores that are shared.
 */
export function checkWorkersStore(workers: number, store: string): void {
  if (workers > 1 && !store.startsWith('redis')) {
    throw new MlsdError(
      'INVALID_OPTION',
      `--workers ${workers} needs a store the workers share, and --store is "${store}" (one process's memory): use --store redis://host:port or redis-cluster://host:port[,host:port…], or --workers 1.`,
      { location: { field: 'workers' } },
    );
  }
}

/** True in a process forked by {@link serveWithWorkers}'s primary. */
export function isServeWorker(): boolean {
  return cluster.isWorker;
}

/**
 * Runs `serveOne` (one service from start to its drain, e.g. a command's whole `serve`) in `workers` processes
 * behind one port with `node:cluster`: with 1 it just runs it here. Otherwise this process becomes the primary: it
 * forks the workers (each runs the same command line, so each calls `serveOne`; the listening socket is shared, and
 * connections are handed out round-robin), prints one line once all are listening, forwards SIGINT/SIGTERM to them
 * (each drains through {@link serveUntilSignal}) and resolves when all have exited, with exit code 1 if any failed.
 * A worker that exits before it listens stops them all (exit code 1: the error it printed says why); a worker that
 * dies later is replaced, at most 5 times a minute (each logged on stderr), then the primary stops them all.
 * In a worker, `serveOne`'s failure is rethrown for the command to report.
 */
export async function serveWithWorkers(workers: number, serveOne: () => Promise<void>, options: ServeWorkersOptions = {}): Promise<void> {
  if (workers === 1) return serveOne();
  if (cluster.isWorker) {
    try {
      await serveOne();
    } finally {
      // Once the service has stopped (or failed to start, and the command has printed why) nothing is left to do:
      // a handle left open (a store client still reconnecting) must not keep a worker the primary waits for alive.
      setTimeout(() => process.exit(), 1000).unref();
    }
    return;
  }
  await runPrimary(workers, options);
}

/** Options of {@link serveWithWorkers}. */
export interface ServeWorkersOptions {
  /**
   * When set (and workers > 1), the primary answers `GET /metrics` on this port (0: any free one) with the metrics of
   * every worker merged by prom-client's `AggregatorRegistry`: counters and histograms summed, each gauge by its own
   * rule. Default: none (each worker's `/metrics` on the service port reports that worker only).
   */
  readonly metricsPort?: number;
  /** Interface of the merged metrics endpoint. Default `127.0.0.1`. */
  readonly metricsHost?: string;
}

/**
 * In a worker, lets the primary collect `registry` for its merged `/metrics` ({@link ServeWorkersOptions.metricsPort});
 * does nothing outside a cluster worker.
 */
export function shareWorkerMetrics(registry: Registry): void {
  if (!cluster.isWorker) return;
  // The constructor installs prom-client's listener for the primary's requests (once per process).
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([registry]);
}

/** Starts the primary's merged metrics endpoint; resolves to its URL. */
async function startMergedMetrics(port: number, host: string): Promise<{ server: Server; url: string }> {
  const aggregator = new AggregatorRegistry();
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Only GET /metrics is served here.\n');
      return;
    }
    aggregator.clusterMetrics().then(
      (text) => response.writeHead(200, { 'content-type': aggregator.contentType }).end(text),
      (error: Error) => response.writeHead(503, { 'content-type': 'text/plain' }).end(`Workers did not all answer: ${error.message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address();
  return { server, url: `http://${host}:${typeof address === 'object' && address !== null ? address.port : port}/metrics` };
}

/** Tells the primary (when there is one) that this worker's service is listening. */
export function reportWorkerReady(): void {
  if (cluster.isWorker) process.send?.({ mlsdServe: 'ready' } satisfies WorkerMessage);
}

/**
 * In a worker, calls `stop(signal)` when the primary forwards a signal; the listener is removed by the returned
 * function, so the IPC channel no longer keeps the process alive once the service has stopped.
 */
export function onPrimaryStop(stop: (signal: string) => void): () => void {
  if (!cluster.isWorker) return () => undefined;
  const listener = (message: unknown) => {
    if (isWorkerMessage(message) && message.mlsdServe === 'stop') stop(message.signal ?? 'SIGTERM');
  };
  process.on('message', listener);
  return () => process.off('message', listener);
}

function isWorkerMessage(message: unknown): message is WorkerMessage {
  return typeof message === 'object' && message !== null && 'mlsdServe' in message;
}

async function runPrimary(count: number, options: ServeWorkersOptions): Promise<void> {
  let metrics: { server: Server; url: string } | undefined;
  const ready = new Set<Worker>();
  const live = new Set<Worker>();
  const restarts: number[] = [];
  let starting = true;
  let stopping = false;
  let failed = false;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));

  const stopAll = (signal: string) => {
    stopping = true;
    metrics?.server.close();
    metrics?.server.closeAllConnections();
    for (const worker of live) {
      if (ready.has(worker)) worker.send({ mlsdServe: 'stop', signal } satisfies WorkerMessage);
      else worker.process.kill('SIGKILL');
    }
  };

  const fork = () => {
    const worker = cluster.fork();
    live.add(worker);
    worker.on('message', (message: unknown) => {
      if (!isWorkerMessage(message) || message.mlsdServe !== 'ready') return;
      ready.add(worker);
      if (stopping) worker.send({ mlsdServe: 'stop', signal: 'SIGTERM' } satisfies WorkerMessage);
      else if (!starting) process.stderr.write(`serve: worker ${worker.id} (pid ${worker.process.pid}) listening, replacing a worker that died\n`);
      else if (ready.size === count) {
        starting = false;
        const pids = [...ready].map((w) => w.process.pid).join(', ');
        process.stderr.write(`serve: ${count} workers listening (pids ${pids}); SIGTERM or SIGINT drains them all\n`);
        if (options.metricsPort !== undefined) {
          startMergedMetrics(options.metricsPort, options.metricsHost ?? '127.0.0.1').then(
            (started) => {
              metrics = started;
              if (stopping) {
                started.server.close();
                started.server.closeAllConnections();
              } else process.stderr.write(`serve: metrics of all workers merged on ${started.url}\n`);
            },
            (error: Error) => {
              process.stderr.write(`serve: the merged metrics endpoint failed to start (${error.message}); stopping the workers\n`);
              failed = true;
              stopAll('SIGTERM');
            },
          );
        }
      }
    });
    worker.on('exit', (code, signal) => {
      live.delete(worker);
      const wasReady = ready.delete(worker);
      const how = signal === null ? `exit code ${code}` : `signal ${signal}`;
      if (!stopping && (starting || !wasReady)) {
        // A worker that cannot start (bad model, store unreachable) would fail the same way again: stop everything.
        process.stderr.write(`serve: worker ${worker.id} (pid ${worker.process.pid}) failed to start (${how}); stopping the others\n`);
        failed = true;
        stopAll('SIGTERM');
      } else if (!stopping) {
        const now = Date.now();
        while (restarts.length > 0 && restarts[0]! < now - RESTART_WINDOW_MS) restarts.shift();
        if (restarts.length >= MAX_RESTARTS_PER_WINDOW) {
          process.stderr.write(
            `serve: worker ${worker.id} (pid ${worker.process.pid}) died (${how}), the ${MAX_RESTARTS_PER_WINDOW + 1}th death within a minute; stopping the others\n`,
          );
          failed = true;
          stopAll('SIGTERM');
        } else {
          restarts.push(now);
          process.stderr.write(
            `serve: worker ${worker.id} (pid ${worker.process.pid}) died (${how}); starting a replacement (${restarts.length} of at most ${MAX_RESTARTS_PER_WINDOW} a minute)\n`,
          );
          fork();
        }
      } else if (code !== 0) {
        failed = true;
      }
      if (live.size === 0 && stopping) finish();
    });
  };

  let signals = 0;
  const onSignal = (signal: string) => {
    signals += 1;
    if (signals > 1) {
      process.stderr.write(`serve: ${signal} again, stopping the workers now\n`);
      for (const worker of live) worker.process.kill('SIGKILL');
      failed = true;
      return;
    }
    process.stderr.write(`serve: ${signal}, draining ${live.size} workers\n`);
    stopAll(signal);
    if (live.size === 0) finish();
  };
  const onSigint = () => onSignal('SIGINT');
  const onSigterm = () => onSignal('SIGTERM');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);

  for (let i = 0; i < count; i++) fork();
  await finished;
  process.off('SIGINT', onSigint);
  process.off('SIGTERM', onSigterm);
  if (failed) process.exitCode = 1;
  process.stderr.write(failed ? 'serve: stopped, a worker failed\n' : 'serve: all workers stopped\n');
}
