import { fstatSync, writeSync } from 'node:fs';
import { MessageChannel, type Worker } from 'node:worker_threads';
import { startModuleWorker } from '@mlsd/data';
import type { DestinationStream } from 'pino';
import { decisionLineBuilder, type DecisionLineFormat, type DecisionLineResult, type DecisionStream } from './decision-line.js';
import { writeDecisionRecord } from './decision-record.js';
import { cardHasher } from './card-hasher.js';
import { allocateLogRing, CONTROL, textSlots, usedSlots, writePadding, writeText, type LogRing } from './log-ring.js';
import { ringText, type DecisionChannelLines } from './ring-text.js';

/** Slots of the ring: 2 MiB, about 16,000 decision lines. */
const RING_SLOTS = 1 << 14;
/** Longest a line waits in the ring before the writer thread writes it, ms. */
const WRITE_EVERY_MS = 50;
/** Longest the service thread waits for the writer to write everything (flushSync) or to stop, ms. */
const WRITER_PATIENCE_MS = 2000;
/**
 * Longest a line waits for room in a full ring while the writer thread writes nothing, ms: then it is dropped and
 * counted (and the lines after it at once, until there is room), so a stalled log destination (a full pipe nobody
 * reads) costs the service one such wait instead of stopping it. Long enough that a writer merely starved of CPU on
 * a loaded machine (100 ms was seen under a parallel test run) is waited for.
 */
const ROOM_WAIT_MS = 1000;

/** Logs not yet written when the process exits; written synchronously by one `exit` listener. */
const open = new Set<StdoutLog>();
let exitListener = false;

/**
 * The service's log on a file descriptor (stdout by default), written by a thread of its own: pino's lines and the
 * decision lines go into a ring in shared memory (`log-ring.ts`) and a worker thread (`stdout-log-worker.ts`) writes
 * them out in order, every 50 ms or sooner when the ring fills or an error is logged. A decision line crosses as its
 * numbers (`decision-record.ts`) and is built on the writer thread, so the thread serving requests neither builds
 * log text nor calls the operating system for it (under `fraud serve` at 10 connections its CPU per request fell by
 * ~5 %; `--log-level silent` had read ~10 % faster than info). Lines keep their order.
 *
 * Nothing is lost at exit: the ring is written out synchronously by an `exit` listener; if the writer thread fails,
 * this thread writes what it left, and every line after it. A destination that stops taking lines (a full pipe
 * nobody reads) never stops the service: a line that finds the ring full while the writer has written nothing for
 * a second is dropped, and how many were is logged once there is room again (a warn line of its own, without the
 * logger's bindings). A writer that is merely
 * behind (a burst) is waited for.
 */
export class StdoutLog implements DestinationStream, DecisionStream {
  private readonly ring: LogRing;
  private readonly worker: Worker;
  /** The decision-line channels opened so far (the writer thread gets their formats as messages). */
  private readonly channels: DecisionChannelLines[] = [];
  private readonly port: MessageChannel['port1'];
  /** Slots written, as this thread counts them (the ring's `head`). */
  private head = 0;
  /** True once the writer thread is gone: lines are then written here, synchronously. */
  private direct = false;
  /** Lines dropped because the ring stayed full, not yet reported. */
  private dropped = 0;

  /**
   * @param fd where the lines go (stdout by default)
   * @param roomWaitMs how long a line waits for room in a full ring while the writer writes nothing before it is
   *   dropped (`ROOM_WAIT_MS`, a second, by default): longer where losing lines is worse than stalling the service
   */
  constructor(
    private readonly fd = 1,
    private readonly roomWaitMs = ROOM_WAIT_MS,
  ) {
    this.ring = allocateLogRing(RING_SLOTS);
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = startWriter({ buffer: this.ring.buffer, capacity: this.ring.capacity, fd, port: port2, everyMs: WRITE_EVERY_MS });
    this.worker.unref();
    // The writer thread failed: what it left is written here, and every line after it.
    this.worker.on('error', () => this.takeOver());
    open.add(this);
    if (!exitListener) {
      exitListener = true;
      process.once('exit', () => {
        for (const log of open) log.stopSync();
      });
    }
  }

  /** Adds one line (pino calls this); dropped and counted when the ring is full and the writer stalled (`roomWaitMs`). */
  write(line: string): void {
    if (this.direct) {
      writeAll(this.fd, line);
      return;
    }
    const slots = textSlots(line.length);
    if (slots > this.ring.capacity / 2) {
      // A line too long for the ring: written here, after everything before it.
      this.flushSync();
      writeAll(this.fd, line);
      return;
    }
    const slot = this.reserve(slots);
    if (slot < 0) return;
    writeText(this.ring, slot, line);
    this.commit(slots);
  }

  /**
   * A channel for the decision lines of `format` (see `decisionLineWriter`): `push` hands one line's values to the
   * writer thread, which builds the line, hashing fields with `hashSalt` as `cardHasher(hashSalt)` does.
   */
  decisionChannel(format: DecisionLineFormat, hashSalt: string | undefined) {
    const channel = this.channels.length;
    const fields = format.fields.map((f) => f.field);
    this.channels.push({ fieldCount: fields.length, build: decisionLineBuilder(format, cardHasher(hashSalt)) });
    this.port.postMessage({ channel, format, hashSalt });
    return {
      push: (time: number, reqId: string, id: string | number, eventFields: Readonly<Record<string, unknown>>, result: DecisionLineResult): boolean => {
        if (this.direct) return false;
        const slot = this.reserve(1);
        // A full ring dropped the line (counted): handled, not to be written as text.
        if (slot < 0) return true;
        if (!writeDecisionRecord(this.ring, slot, channel, fields, time, reqId, id, eventFields, result)) return false;
        this.commit(1);
        return true;
      },
    };
  }

  /** Wakes the writer thread now (an error line should not wait). */
  wake(): void {
    Atomics.store(this.ring.control, CONTROL.wake, 1);
    Atomics.notify(this.ring.control, CONTROL.wake);
  }

  /** Calls `callback` once every line written so far is written out (pino's `logger.flush`). */
  flush(callback?: (error?: Error | null) => void): void {
    const target = this.head;
    this.wake();
    if (callback === undefined) return;
    const check = (): void => {
      if (this.direct || ((Atomics.load(this.ring.control, CONTROL.tail) - target) | 0) >= 0) callback();
      else setTimeout(check, 5).unref();
    };
    check();
  }

  /**
   * Waits until the writer thread has written every line logged so far, for 2 s at most (a destination that does
   * not take lines must not stop the service; at exit {@link stopSync} writes what is left).
   */
  flushSync(): void {
    if (this.direct) return;
    const target = this.head;
    this.wake();
    const deadline = Date.now() + WRITER_PATIENCE_MS;
    const control = this.ring.control;
    for (;;) {
      const tail = Atomics.load(control, CONTROL.tail);
      if (((tail - target) | 0) >= 0 || Date.now() > deadline) return;
      Atomics.wait(control, CONTROL.tail, tail, 10);
    }
  }

  /** Writes everything and stops the writer thread; the log then writes synchronously. */
  stopSync(): void {
    if (this.direct) return;
    open.delete(this);
    const control = this.ring.control;
    Atomics.store(control, CONTROL.stop, 1);
    this.wake();
    Atomics.wait(control, CONTROL.stopped, 0, WRITER_PATIENCE_MS);
    this.takeOver();
  }

  /** Writes everything, then ends the writer thread. */
  async close(): Promise<void> {
    this.stopSync();
    this.port.close();
    await this.worker.terminate();
  }

  /**
   * From now on this thread writes: what the writer thread left in the ring (from its `tail`) first. Used when it
   * stopped or does not answer.
   */
  private takeOver(): void {
    this.direct = true;
    const ring = this.ring;
    const { text } = ringText(ring, Atomics.load(ring.control, CONTROL.tail), this.head, Number.POSITIVE_INFINITY, (c) => this.channels[c]!);
    Atomics.store(ring.control, CONTROL.tail, this.head);
    if (text.length > 0) writeAll(this.fd, text);
  }

  /**
   * The first slot of `slots` free consecutive slots (a padding record fills the end of the ring first), or -1 when
   * the ring stayed full (the line is dropped and counted; the count is logged once there is room again).
   */
  private reserve(slots: number): number {
    if (this.dropped > 0 && !this.reportDropped()) return this.drop();
    return this.reserveSlots(slots) ?? this.drop();
  }

  /** Waits for room up to `roomWaitMs`, except while dropping (then a full ring drops the line at once). */
  private reserveSlots(slots: number): number | undefined {
    const ring = this.ring;
    let slot = this.head & (ring.capacity - 1);
    const padding = slot + slots > ring.capacity ? ring.capacity - slot : 0;
    if (!this.waitForRoom(padding + slots, this.dropped > 0 ? 0 : this.roomWaitMs)) return undefined;
    if (padding > 0) {
      writePadding(ring, slot);
      this.commit(padding);
      slot = 0;
    }
    return slot;
  }

  private drop(): number {
    this.dropped++;
    return -1;
  }

  /** Logs how many lines were dropped, once there is room again; false while the ring is still full. */
  private reportDropped(): boolean {
    const line = `{"level":40,"time":${Date.now()},"dropped":${this.dropped},"msg":"log lines dropped: the log destination did not keep up"}\n`;
    const slot = this.reserveSlots(textSlots(line.length));
    if (slot === undefined) return false;
    writeText(this.ring, slot, line);
    this.commit(textSlots(line.length));
    this.dropped = 0;
    return true;
  }

  private commit(slots: number): void {
    this.head = (this.head + slots) | 0;
    const control = this.ring.control;
    Atomics.store(control, CONTROL.head, this.head);
    // The writer wakes by itself every 50 ms; it is woken early only when the ring is a quarter full.
    if (usedSlots(this.ring) > this.ring.capacity / 4 && Atomics.load(control, CONTROL.wake) === 0) this.wake();
  }

  /**
   * True once `slots` slots are free; false when the writer thread wrote nothing for `waitMs` (a writer that keeps
   * writing is waited for: a burst of lines slows this thread down rather than losing lines).
   */
  private waitForRoom(slots: number, waitMs: number): boolean {
    const ring = this.ring;
    if (ring.capacity - usedSlots(ring) >= slots) return true;
    let tail = Atomics.load(ring.control, CONTROL.tail);
    let deadline = Date.now() + waitMs;
    while (ring.capacity - usedSlots(ring) < slots) {
      const now = Date.now();
      const moved = Atomics.load(ring.control, CONTROL.tail);
      if (moved !== tail) {
        tail = moved;
        deadline = now + waitMs;
      } else if (now >= deadline) {
        // A writer still starting is given the time a stuck one gets at exit.
        if (Atomics.load(ring.control, CONTROL.started) === 1 || now >= deadline - waitMs + WRITER_PATIENCE_MS) return false;
      }
      this.wake();
      Atomics.wait(ring.control, CONTROL.tail, tail, 5);
    }
    return true;
  }
}

/** What the writer thread is given. */
export interface WriterData {
  readonly buffer: SharedArrayBuffer;
  readonly capacity: number;
  readonly fd: number;
  readonly port: MessageChannel['port2'];
  readonly everyMs: number;
}

/** The writer thread, `stdout-log-worker` (compiled, or from the sources through tsx: see `startModuleWorker`). */
function startWriter(data: WriterData): Worker {
  return startModuleWorker(import.meta.url, 'stdout-log-worker', { workerData: data, transferList: [data.port] });
}

/** Bytes a pipe writes whole (Linux's PIPE_BUF): another process's write never lands inside such a write. */
const PIPE_ATOMIC_BYTES = 4096;

/**
 * Writes all of `text` (whole lines) to `fd`, waiting out a descriptor that is not ready (a full non-blocking pipe).
 * Unless `fd` is a regular file, each write is whole lines of at most 4,096 bytes (a longer line goes alone): a pipe
 * writes that much at once, so processes sharing one stdout pipe (`fraud serve --workers N`) never split each
 * other's lines. Larger writes to a shared pipe did, a few lines in 60,000.
 */
export function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text);
  // Asked at every call (one system call per batch): a descriptor number can be closed and reused for another kind.
  if (bytes.length <= PIPE_ATOMIC_BYTES || fstatSync(fd).isFile()) {
    writeRange(fd, bytes, 0, bytes.length);
    return;
  }
  let start = 0;
  while (start < bytes.length) {
    let end = bytes.length;
    if (end - start > PIPE_ATOMIC_BYTES) {
      const lastNewline = bytes.lastIndexOf(0x0a, start + PIPE_ATOMIC_BYTES - 1);
      if (lastNewline >= start) end = lastNewline + 1;
      else {
        const lineEnd = bytes.indexOf(0x0a, start + PIPE_ATOMIC_BYTES);
        end = lineEnd < 0 ? bytes.length : lineEnd + 1;
      }
    }
    writeRange(fd, bytes, start, end);
    start = end;
  }
}

/** Writes `bytes[start..end)` to `fd`, retrying partial writes and EAGAIN. */
function writeRange(fd: number, bytes: Buffer, start: number, end: number): void {
  let offset = start;
  while (offset < end) {
    try {
      offset += writeSync(fd, bytes, offset, end - offset);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
}
