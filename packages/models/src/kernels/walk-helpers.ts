import { availableParallelism } from 'node:os';
import { MlsdError } from '@mlsd/data';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { forestWalkKernel } from './kernel-modules.js';

/**
 * Helper threads for the forest walk: each holds an instance of the forest-walk kernel on every forest
 * kernel's (shared) memory and walks the rows it is given, so a large batch is split across the cores.
 *
 * The calling thread hands a helper its part through a small control block in a SharedArrayBuffer and wakes
 * it with `Atomics.notify`, walks its own part, then waits (`Atomics.wait`, which Node allows on the main
 * thread) for the helpers: `predictProba` stays synchronous. Helpers start in the background on first use;
 * until one reports ready, or if one fails, the calling thread walks every row itself (same sums: each row's
 * trees are added in the same order, whichever thread walks it).
 *
 * `MLSD_WALK_THREADS` sets the number of helpers (default: cores − 1, at most 7; `0` turns them off).
 */

// Int32 slots of a helper's control block.
const SEQ = 0;
const DONE = 1;
const READY = 2;
const STATUS = 3;
const KERNEL = 4;
/** Ten slots from here: the arguments of `setForest`. */
const FOREST = 5;
const DATA = 15;
const COLS = 16;
const ROWS = 17;
const OUT = 18;
/** Float64 slot (bytes 80..88) of the scale. */
const SCALE = 10;
const CONTROL_BYTES = 88;
/** A part smaller than this is not worth a helper's wake-up (~20-50 µs). */
const MIN_ROWS_PER_PART = 1024;
/** Fewer rows than this are walked by the calling thread alone (and do not start the helpers). */
export const MIN_ROWS_TO_SHARE = 2 * MIN_ROWS_PER_PART;
/** Checks of a flag before sleeping on it (~0.1 ms): the next chunk or the helper's result is often that close. */
const SPIN_CHECKS = 20_000;
/** How long the caller waits for a helper before walking its part itself and retiring it. */
const HELPER_TIMEOUT_MS = 30_000;

const NO_FOREST = new Int32Array(10);

/** The helper's code (CommonJS, run with `eval`: no file to find, whether the package runs from source or dist). */
const HELPER_SOURCE = `
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const { control, port, module } = workerData;
const ctl = new Int32Array(control);
const f64 = new Float64Array(control);
const kernels = new Map();
const drain = () => {
  for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) {
    const { id, memory } = m.message;
    if (memory === undefined) kernels.delete(id);
    else kernels.set(id, new WebAssembly.Instance(module, { env: { memory } }).exports);
  }
};
Atomics.store(ctl, ${READY}, 1);
let seq = 0;
for (;;) {
  for (let spin = 0; spin < ${SPIN_CHECKS} && Atomics.load(ctl, ${SEQ}) === seq; spin++);
  while (Atomics.load(ctl, ${SEQ}) === seq) Atomics.wait(ctl, ${SEQ}, seq);
  seq = Atomics.load(ctl, ${SEQ});
  let status = 0;
  try {
    drain();
    const id = ctl[${KERNEL}];
    // Kernel 0: only take the messages (a kernel was dropped).
    if (id !== 0) {
      const k = kernels.get(id);
      const f = ${FOREST};
      k.setForest(ctl[f], ctl[f + 1], ctl[f + 2], ctl[f + 3], ctl[f + 4], ctl[f + 5], ctl[f + 6], ctl[f + 7], ctl[f + 8], ctl[f + 9]);
      k.addForestOutputs(ctl[${DATA}], ctl[${COLS}], ctl[${ROWS}], ctl[${OUT}], f64[${SCALE}]);
    }
  } catch {
    status = 1;
  }
  Atomics.store(ctl, ${STATUS}, status);
  Atomics.store(ctl, ${DONE}, seq);
  Atomics.notify(ctl, ${DONE});
}
`;

/** One helper thread and its control block. */
class Helper {
  readonly control = new Int32Array(new SharedArrayBuffer(CONTROL_BYTES));
  readonly scale = new Float64Array(this.control.buffer);
  readonly port: MessagePort;
  private readonly worker: Worker;
  private seq = 0;
  alive = true;

  constructor(module: WebAssembly.Module) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(HELPER_SOURCE, {
      eval: true,
      workerData: { control: this.control.buffer, port: port2, module },
      transferList: [port2],
    });
    // A helper must never keep the process alive, and its failure only means the caller walks all rows.
    this.worker.unref();
    this.port.unref();
    this.worker.on('error', () => this.retire());
    this.worker.on('exit', () => {
      this.alive = false;
    });
  }

  isReady(): boolean {
    return this.alive && Atomics.load(this.control, READY) === 1;
  }

  /** Starts a walk (the forest arguments, then the rows' data and out pointers, count and scale). */
  start(kernelId: number, forest: Int32Array, data: number, cols: number, rows: number, out: number, scale: number): void {
    const c = this.control;
    c[KERNEL] = kernelId;
    c.set(forest, FOREST);
    c[DATA] = data;
    c[COLS] = cols;
    c[ROWS] = rows;
    c[OUT] = out;
    this.scale[SCALE] = scale;
    this.seq++;
    Atomics.store(c, SEQ, this.seq);
    Atomics.notify(c, SEQ);
  }

  /** Waits for the walk started last; false if it failed or timed out (the helper is then retired: a helper that failed once is not trusted again). */
  finish(): boolean {
    const c = this.control;
    // The helper usually finishes about when the caller does: spin a little before sleeping.
    for (let spin = 0; spin < SPIN_CHECKS && Atomics.load(c, DONE) !== this.seq; spin++);
    const deadline = performance.now() + HELPER_TIMEOUT_MS;
    for (;;) {
      // Wait on the value just read: re-reading it for the wait could miss a wake-up that came in between.
      const done = Atomics.load(c, DONE);
      if (done === this.seq) break;
      const left = deadline - performance.now();
      if (left <= 0) {
        this.retire();
        return false;
      }
      Atomics.wait(c, DONE, done, left);
    }
    if (Atomics.load(c, STATUS) === 0) return true;
    this.retire();
    return false;
  }

  retire(): void {
    if (!this.alive) return;
    this.alive = false;
    void this.worker.terminate();
  }
}

/** The helper threads of the calling thread, started on first use. */
export class WalkHelpers {
  private static pool: WalkHelpers | null | undefined;
  private readonly helpers: Helper[];
  private nextId = 1;
  private readonly finalizer = new FinalizationRegistry<number>((id) => this.detach(id));

  private constructor(count: number) {
    const { module } = forestWalkKernel();
    this.helpers = Array.from({ length: count }, () => new Helper(module));
  }

  /** The pool of this thread (started on the first call), or null when helpers are turned off or there is one core. */
  static shared(): WalkHelpers | null {
    if (WalkHelpers.pool === undefined) {
      const count = helperCount();
      WalkHelpers.pool = count > 0 ? new WalkHelpers(count) : null;
    }
    return WalkHelpers.pool;
  }

  /** How many helpers are started and well. */
  readyCount(): number {
    return this.helpers.filter((h) => h.isReady()).length;
  }

  /**
   * Gives every helper an instance on `memory` (a shared kernel memory); returns the id to run walks with.
   * The instances are dropped when `owner` is garbage-collected.
   */
  attach(memory: WebAssembly.Memory, owner: object): number {
    const id = this.nextId++;
    for (const helper of this.helpers) if (helper.alive) helper.port.postMessage({ id, memory });
    this.finalizer.register(owner, id);
    return id;
  }

  /** Drops the helpers' instances of kernel `id` (they hold its memory): a message, then a wake-up to read it. */
  private detach(id: number): void {
    for (const helper of this.helpers) {
      if (!helper.alive) continue;
      helper.port.postMessage({ id });
      // A helper still starting reads the message with its first walk.
      if (!helper.isReady()) continue;
      helper.start(0, NO_FOREST, 0, 0, 0, 0, 0);
      helper.finish();
    }
  }

  /**
   * Walks rows `0..rows` (row-major float64 at `data`, outputs added at `out`) with the forest whose
   * `setForest` arguments are `forest`: parts go to the ready helpers, the first part to `walkOwn(start,
   * end)` on the calling thread, and the part of a helper that fails too. Returns the number of threads that
   * walked; 1 means none was ready or there were too few rows to share, and nothing was walked.
   */
  walk(
    kernelId: number,
    forest: Int32Array,
    data: number,
    cols: number,
    rows: number,
    out: number,
    scale: number,
    walkOwn: (start: number, end: number) => void,
  ): number {
    const ready = this.helpers.filter((h) => h.isReady());
    const parts = Math.min(ready.length + 1, Math.floor(rows / MIN_ROWS_PER_PART));
    if (parts < 2) return 1;
    // Parts of whole groups of 8 rows (the kernel walks 8 rows at a time).
    const size = Math.ceil(rows / parts / 8) * 8;
    const started: { helper: Helper; start: number; end: number }[] = [];
    for (let p = 1; p < parts; p++) {
      const start = p * size;
      const end = Math.min(rows, start + size);
      if (start >= end) break;
      const helper = ready[p - 1]!;
      helper.start(kernelId, forest, data + start * cols * 8, cols, end - start, out + start * 8, scale);
      started.push({ helper, start, end });
    }
    walkOwn(0, Math.min(rows, size));
    for (const { helper, start, end } of started) if (!helper.finish()) walkOwn(start, end);
    return started.length + 1;
  }
}

/**
 * Starts the helper threads of the forest walk in the background, if they are not started yet. Tree models call
 * it when they fit, so the helpers (a few tens of milliseconds to start) are ready for the first prediction;
 * otherwise they start with the first batch of at least {@link MIN_ROWS_TO_SHARE} rows (a service scoring one
 * transaction at a time never starts them).
 */
export function startWalkHelpers(): void {
  WalkHelpers.shared();
}

/** The number of helper threads: `MLSD_WALK_THREADS` if set, else cores − 1 (at most 7). */
export function helperCount(env: Record<string, string | undefined> = process.env): number {
  const configured = env['MLSD_WALK_THREADS'];
  if (configured !== undefined && configured !== '') {
    const n = Number(configured);
    if (!Number.isInteger(n) || n < 0) {
      throw new MlsdError(
        'INVALID_OPTION',
        `MLSD_WALK_THREADS must be a whole number >= 0 (helper threads for tree prediction; 0 turns them off), got '${configured}'.`,
        { location: { field: 'MLSD_WALK_THREADS' } },
      );
    }
    return n;
  }
  return Math.min(7, availableParallelism() - 1);
}
