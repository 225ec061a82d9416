const WASM_PAGE_BYTES = 65536;

// The WebAssembly JavaScript API as used here: Node has it, but this project's `lib` (ES2023, no DOM) and
// @types/node 20 do not declare these classes.
declare global {
  namespace WebAssembly {
    class Module {
      constructor(bytes: Uint8Array);
    }
    class Instance {
      constructor(module: Module, imports: Record<string, Record<string, unknown>>);
      readonly exports: Record<string, unknown>;
    }
    class Memory {
      constructor(descriptor: { initial: number; maximum?: number; shared?: boolean });
      readonly buffer: ArrayBuffer | SharedArrayBuffer;
      grow(pages: number): number;
    }
  }
}

/** Pages of 64 KiB a shared memory may grow to (it must declare a maximum): 4 GiB, reserved, not used. */
export const SHARED_MEMORY_MAX_PAGES = 65536;

/** A compiled kernel: its WebAssembly module and whether it imports a shared memory (`Exports` types its functions). */
export interface KernelModule<Exports> {
  readonly module: WebAssembly.Module;
  readonly shared: boolean;
  /** Never set: only ties the module to the type of its exported functions, so a kernel cannot be mistyped. */
  readonly exportsType?: Exports;
}

/** A kernel instance on its memory. */
interface Instantiated {
  readonly memory: WebAssembly.Memory;
  readonly kernels: unknown;
}

/**
 * The memory {@link KernelMemory.release} handed back, per kernel module (at most one each, the largest), for the
 * next `KernelMemory` of that kernel on this thread.
 */
const spare = new WeakMap<WebAssembly.Module, Instantiated>();

/**
 * A WebAssembly instance of a kernel with a memory of its own, and a bump allocator over that memory.
 * Typed-array views of the memory go stale when it grows: take them with {@link f64} / {@link i32} / {@link u8}
 * after the last {@link reserve}, and do not keep them.
 *
 * A fit that is done with its memory calls {@link release}: the next `KernelMemory` of the same kernel on this
 * thread starts on it instead of on fresh pages. Fresh memory costs a page fault per 4 KiB on first touch, which
 * measured ~25 ms per 8 MiB on this project's (virtual) machines: more than a fit's passes over the same bytes.
 * Kept: one memory per kernel (the largest released), until the thread ends. Shared memories are never reused.
 */
export class KernelMemory<Exports> {
  /** The kernel functions, bound to this memory. */
  readonly kernels: Exports;
  /** The memory itself (helper threads of a shared memory instantiate the kernel on it too). */
  readonly memory: WebAssembly.Memory;
  private readonly module: WebAssembly.Module;
  /** End of the memory handed out by {@link allocate}. */
  private top = 0;
  /** Bytes at the start of a reused memory that may hold an earlier user's data ({@link allocate} zeroes them). */
  private dirty = 0;
  private released = false;

  constructor(kernel: KernelModule<Exports>) {
    this.module = kernel.module;
    const reused = kernel.shared ? undefined : spare.get(kernel.module);
    if (reused !== undefined) {
      spare.delete(kernel.module);
      this.memory = reused.memory;
      this.kernels = reused.kernels as Exports;
      this.dirty = reused.memory.buffer.byteLength;
      return;
    }
    this.memory = kernel.shared
      ? new WebAssembly.Memory({ initial: 1, maximum: SHARED_MEMORY_MAX_PAGES, shared: true })
      : new WebAssembly.Memory({ initial: 1 });
    const instance = new WebAssembly.Instance(kernel.module, { env: { memory: this.memory } });
    this.kernels = instance.exports as unknown as Exports;
  }

  /**
   * Hands the memory back for the next `KernelMemory` of this kernel on this thread (kept if it is the largest
   * handed back). Nothing may use this object or its views afterwards. Does nothing for a shared memory.
   */
  release(): void {
    if (this.released || this.memory.buffer instanceof SharedArrayBuffer) return;
    this.released = true;
    const kept = spare.get(this.module);
    if (kept === undefined || kept.memory.buffer.byteLength < this.memory.buffer.byteLength) {
      spare.set(this.module, { memory: this.memory, kernels: this.kernels });
    }
  }

  /**
   * Grows the memory (never shrinks it) so that it holds at least `bytes` bytes. A memory of its own grows to at
   * least twice its size: each grow costs V8 an external-memory report, and a learner that grew by one histogram
   * at a time (beside the binning kernel's memories) set off a garbage collection per grow (over 100 in a fit).
   * Pages never touched cost nothing.
   */
  reserve(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes <= have) return;
    const want = this.memory.buffer instanceof SharedArrayBuffer ? bytes : Math.max(bytes, 2 * have);
    this.memory.grow(Math.ceil((want - have) / WASM_PAGE_BYTES));
  }

  /** Hands out `bytes` bytes (rounded up to a multiple of 8, zero-filled) after the last allocation; returns their offset. */
  allocate(bytes: number): number {
    const pointer = this.top;
    this.top += align8(bytes);
    this.reserve(this.top);
    if (pointer < this.dirty) new Uint8Array(this.memory.buffer).fill(0, pointer, Math.min(this.top, this.dirty));
    return pointer;
  }

  /** A float64 view of `length` values at byte offset `pointer` (a multiple of 8). */
  f64(pointer: number, length: number): Float64Array {
    return new Float64Array(this.memory.buffer, pointer, length);
  }

  /** An int32 view of `length` values at byte offset `pointer` (a multiple of 4). */
  i32(pointer: number, length: number): Int32Array {
    return new Int32Array(this.memory.buffer, pointer, length);
  }

  /** A uint32 view of `length` values at byte offset `pointer` (a multiple of 4). */
  u32(pointer: number, length: number): Uint32Array {
    return new Uint32Array(this.memory.buffer, pointer, length);
  }

  /** A uint8 view of `length` bytes at byte offset `pointer`. */
  u8(pointer: number, length: number): Uint8Array {
    return new Uint8Array(this.memory.buffer, pointer, length);
  }

  /** Whether `view` is a view of this memory (as it is now: views taken before it grew are not). */
  owns(view: ArrayBufferView): boolean {
    return view.buffer === this.memory.buffer;
  }

  /** The whole memory as bytes (to move a region with `copyWithin`). */
  bytes(): Uint8Array {
    return new Uint8Array(this.memory.buffer);
  }
}

/** Rounds a byte count up to a multiple of 8, so every region starts aligned for float64. */
export function align8(bytes: number): number {
  return (bytes + 7) & ~7;
}
