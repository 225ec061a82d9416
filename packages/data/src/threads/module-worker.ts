import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker thread on the module `name` (no extension) in the folder of `moduleUrl` (the caller's
 * `import.meta.url`): the compiled `name.js`, or, when the caller itself runs from its TypeScript sources (tests,
 * `--conditions=@mlsd/source`), `name.ts` through tsx's loader, registered in the worker itself: a loader registered
 * in the calling thread does not reach worker threads.
 */
export function startModuleWorker(moduleUrl: string, name: string, options: WorkerOptions = {}): Worker {
  if (!moduleUrl.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, moduleUrl), options);
  const source = new URL(`./${name}.ts`, moduleUrl).href;
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(source)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}
