/**
 * The writer thread of a `StdoutLog` (`stdout-log.ts`): reads the ring from `tail` to `head`, builds the decision
 * lines from their numbers, writes the batch to the descriptor in one call and moves `tail` on. It sleeps up to
 * `everyMs` between batches, or until woken; on `stop` it writes what is left and says it has stopped.
 */
import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import { cardHasher } from './card-hasher.js';
import { decisionLineBuilder, type DecisionLineBuilder, type DecisionLineFormat } from './decision-line.js';
import { readDecisionRecord } from './decision-record.js';
import { CONTROL, readText, RECORD, recordSlots, slotBase, viewLogRing } from './log-ring.js';
import { writeAll, type WriterData } from './stdout-log.js';

/** Characters gathered before a write, at most: large enough to batch, small enough not to hold much memory. */
const BATCH_CHARS = 1 << 16;

const data = workerData as WriterData;
const ring = viewLogRing(data.buffer, data.capacity);
const control = ring.control;
const channels: { fields: number; build: DecisionLineBuilder }[] = [];

/** The channel's builder; its format was posted before its first record, so it is waiting on the port if not here. */
function channel(index: number): { fields: number; build: DecisionLineBuilder } {
  while (channels[index] === undefined) {
    const message = receiveMessageOnPort(data.port);
    if (message === undefined) throw new Error(`stdout log: no format for decision channel ${index}`);
    const { channel: at, format, hashSalt } = message.message as { channel: number; format: DecisionLineFormat; hashSalt: string | undefined };
    channels[at] = { fields: format.fields.length, build: decisionLineBuilder(format, cardHasher(hashSalt)) };
  }
  return channels[index]!;
}

/** Writes the records from `tail` up to `head` (in batches); returns the new tail. */
function writeUpTo(tail: number, head: number): number {
  let at = tail;
  while (((head - at) | 0) > 0) {
    let text = '';
    while (((head - at) | 0) > 0 && text.length < BATCH_CHARS) {
      const slot = at & (ring.capacity - 1);
      const kind = ring.numbers[slotBase(slot)];
      if (kind === RECORD.text) text += readText(ring, slot);
      else if (kind === RECORD.decision) {
        const record = readDecisionRecord(ring, slot, (c) => channel(c).fields);
        text += channel(record.channel).build(record.time, record.reqId, record.id, record.values, record.result);
      }
      at = (at + recordSlots(ring, slot)) | 0;
    }
    writeAll(data.fd, text);
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
