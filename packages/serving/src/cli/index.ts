/**
 * `@mlsd/serving/cli`: the pieces `mlsd serve` is built from, for a command line of your own on top of the scoring
 * service (the fraud example's `fraud serve` is one): the `--store` flag to a feature backend, a graceful
 * drain on SIGINT/SIGTERM, several worker processes behind one port (`--workers N`), and the flag parsers.
 */
export { featureBackendForStore, logLevelFlag, portFlag, positiveNumberFlag, serveUntilSignal } from './serve-support.js';
export { checkWorkersStore, isServeWorker, serveWithWorkers, shareWorkerMetrics, workersFlag, type ServeWorkersOptions } from './serve-workers.js';
