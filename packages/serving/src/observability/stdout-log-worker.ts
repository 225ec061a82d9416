/**
 * The writer thread of a `StdoutLog` (`stdout-log.ts`): reads the ring from `tail` to `head`, builds the decision
 * lines from their numbers, writes the batch to the descriptor (`writeAll`: whole lines, at most 4 KiB per write to
 * a pipe) and moves `tail` on. It sleeps up to
 * `everyMs` between batches, or until woken; on `stop` it writes what is left and says it has stopped.
 */
import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import { cardHasher } from './card-hasher.js';
import { decisionLineBuilder, type DecisionLineFormat } from './decision-line.js';
import { CONTROL, viewLogRing } from './log-ring.js';
import { ringText, type DecisionChannelLines } from './ring-text.js';
import { writeAll, type WriterData } from './stdout-log.js';

/** Characters gathered before a write, at most: large enough to batch, small enough not to hold much memory. */
const BATCH_CHARS = 1 << 16;

const data = workerData as WriterData;
const ring = viewLogRing(data.buffer, data.capacity);
const control = ring.control;
const channels: DecisionChannelLines[] = [];

/** The channel's builder; its format was posted before its first record, so it is waiting on the port if not here. */
function channel(index: number): DecisionChannelLines {
  while (channels[index] === undefined) {
    const message = receiveMessageOnPort(data.port);
    if (message === undefined) throw new Error(`stdout log: no format for decision channel ${index}`);
    const { channel: at, format, hashSalt } = message.message as { channel: number; format: DecisionLineFormat; hashSalt: string | undefined };
    channels[at] = { fieldCount: format.fields.length, build: decisionLineBuilder(format, cardHasher(hashSalt)) };
  }
  return channels[index]!;
}

/** Writes the records from `tail` up to `head` (in batches); returns the new tail. */
function writeUpTo(tail: number, head: number): number {
  let at = tail;
  while (((head - at) | 0) > 0) {
    const batch = ringText(ring, at, head, BATCH_CHARS, channel);
    writeAll(data.fd, batch.text);
    at = batch.next;
    Atomics.store(control, CONTROL.tail, at);
    Atomics.notify(control, CONTROL.tail);
  }
  return at;
}

let tail = Atomics.load(control, CONTROL.tail);
Atomics.store(control, CONTROL.started, 1);
for (;;) {
  const stopping = Atomics.load(control, CONTROL.stop) === 1;
  tail = writeUpTo(tail, Atomics.load(control, CONTROL.head));
  if (stopping) break;
  if (Atomics.load(control, CONTROL.wake) === 0) Atomics.wait(control, CONTROL.wake, 0, data.everyMs);
  Atomics.store(control, CONTROL.wake, 0);
}
Atomics.store(control, CONTROL.stopped, 1);
Atomics.notify(control, CONTROL.stopped);
