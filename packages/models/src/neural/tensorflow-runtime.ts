import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { MlsdError } from '@mlsd/data';
import type * as TensorFlow from '@tensorflow/tfjs';
import type { MlpBackend } from './mlp-backend.js';

/** The TensorFlow.js namespace, as `@tensorflow/tfjs` (or `@tensorflow/tfjs-node`) exports it. */
export type TensorFlowModule = typeof TensorFlow;

export type { MlpBackend } from './mlp-backend.js';
export { MLP_BACKENDS } from './mlp-backend.js';

/** A loaded TensorFlow.js and the backend it actually runs on (from `tf.getBackend()`). */
export interface TensorFlowRuntime {
  readonly tf: TensorFlowModule;
  readonly backend: string;
}

const NODE_PACKAGE = '@tensorflow/tfjs-node';
const requireHere = createRequire(import.meta.url);
let nodeModule: Promise<TensorFlowModule | undefined> | undefined;
let plainModule: Promise<TensorFlowModule> | undefined;
let wasmRegistered: Promise<boolean> | undefined;

/**
 * Loads TensorFlow.js on first use (never at import time, so importing `@mlsd/models` stays light) and switches
 * it to the requested backend. Throws `UNAVAILABLE` when an explicitly requested backend cannot start; with
 * `auto` it falls back along tensorflow → wasm → cpu. TensorFlow.js keeps one active backend per process.
 */
export async function loadTensorFlow(requested: MlpBackend): Promise<TensorFlowRuntime> {
  if (requested === 'auto' || requested === 'tensorflow') {
    const native = await importNodeBinding();
    if (native !== undefined && (await activate(native, 'tensorflow'))) return { tf: native, backend: 'tensorflow' };
    if (requested === 'tensorflow') {
      throw new MlsdError(
        'UNAVAILABLE',
        `MLP backend "tensorflow" needs the optional package ${NODE_PACKAGE}, which is not installed or did not ` +
          `start. Install it in your application, or use backend "wasm" or "auto".`,
        { location: { field: 'backend' } },
      );
    }
  }
  const tf = await importPlain();
  if (requested === 'auto' || requested === 'wasm') {
    if ((await registerWasm(tf)) && (await activate(tf, 'wasm'))) return { tf, backend: 'wasm' };
    if (requested === 'wasm') {
      throw new MlsdError(
        'UNAVAILABLE',
        'MLP backend "wasm" did not start (tf.getBackend() is not "wasm" after setBackend). ' +
          'Check that @tensorflow/tfjs-backend-wasm is installed beside @tensorflow/tfjs, or use backend "cpu".',
        { location: { field: 'backend' } },
      );
    }
  }
  if (await activate(tf, 'cpu')) return { tf, backend: 'cpu' };
  throw new MlsdError('UNAVAILABLE', 'TensorFlow.js could not start its "cpu" backend.', { location: { field: 'backend' } });
}

async function activate(tf: TensorFlowModule, backend: string): Promise<boolean> {
  if (tf.getBackend() === backend) return true;
  const before = processErrorListeners();
  try {
    await tf.setBackend(backend);
    await tf.ready();
  } catch {
    return false;
  } finally {
    restoreProcessErrorListeners(before);
  }
  // setBackend can report success and still leave another backend active; trust only getBackend().
  return tf.getBackend() === backend;
}

function importNodeBinding(): Promise<TensorFlowModule | undefined> {
  nodeModule ??= (async () => {
    // Look beside mlsd first, then in the application (under pnpm the two do not see each other's packages).
    const candidates = [requireHere, createRequire(path.join(process.cwd(), 'package.json'))];
    for (const resolver of candidates) {
      let resolved: string;
      try {
        resolved = resolver.resolve(NODE_PACKAGE);
      } catch {
        continue;
      }
      try {
        const loaded = (await import(pathToFileURL(resolved).href)) as TensorFlowModule & { default?: TensorFlowModule };
        // A CommonJS module whose exports Node cannot list statically arrives as `default` only.
        return typeof loaded.getBackend === 'function' ? loaded : loaded.default;
      } catch {
        return undefined; // installed but its native binary does not load: fall back
      }
    }
    return undefined;
  })();
  return nodeModule;
}

function importPlain(): Promise<TensorFlowModule> {
  plainModule ??= import('@tensorflow/tfjs').catch((error: unknown) => {
    plainModule = undefined;
    throw new MlsdError(
      'UNAVAILABLE',
      'Training the neural network (MlpClassifier.fit) needs TensorFlow.js, an optional peer dependency of ' +
        '@mlsd/models: install @tensorflow/tfjs and @tensorflow/tfjs-backend-wasm in your application ' +
        '(predicting with a trained or loaded network needs neither).',
      { location: { field: 'backend' }, cause: error },
    );
  });
  return plainModule;
}

function registerWasm(tf: TensorFlowModule): Promise<boolean> {
  wasmRegistered ??= (async () => {
    try {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      // Read the .wasm files from the installed package: nothing is fetched from the network.
      const binary = requireHere.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm');
      wasm.setWasmPaths(`${path.dirname(binary)}${path.sep}`);
      // Threads under Node fail at start-up and tfjs then silently falls back to cpu: ask for none.
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
      return true;
    } catch {
      return false;
    }
  })();
  return wasmRegistered;
}

type ErrorEvent = 'uncaughtException' | 'unhandledRejection';
const ERROR_EVENTS: readonly ErrorEvent[] = ['uncaughtException', 'unhandledRejection'];

type Listener = (...args: unknown[]) => void;
const processEvents: NodeJS.EventEmitter = process;

function processErrorListeners(): Map<ErrorEvent, Listener[]> {
  const listeners = new Map<ErrorEvent, Listener[]>();
  for (const event of ERROR_EVENTS) listeners.set(event, processEvents.listeners(event) as Listener[]);
  return listeners;
}

/**
 * The wasm backend's Emscripten start-up adds process-wide handlers that re-throw every uncaught error and
 * unhandled rejection (printing the whole minified wasm glue): a library must not change how the host process
 * handles errors, so the handlers added while a backend starts are removed again.
 */
function restoreProcessErrorListeners(before: Map<ErrorEvent, Listener[]>): void {
  for (const event of ERROR_EVENTS) {
    const kept = before.get(event) ?? [];
    for (const listener of processEvents.listeners(event) as Listener[]) {
      if (!kept.includes(listener)) processEvents.removeListener(event, listener);
    }
  }
}
