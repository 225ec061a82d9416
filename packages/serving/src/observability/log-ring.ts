/**
 * The memory shared by the service thread and its log writer thread (`stdout-log.ts`): a ring of 128-byte slots in a
 * SharedArrayBuffer, written by one thread and read by the other, and a few control words. A record is either a
 * decision (the numbers of one decision line, formatted by the reader) or a line of text; text takes as many slots
 * as its UTF-16 code units need. Both threads use these functions, so the layout lives in one place.
 */

/** Bytes per slot (16 doubles). */
export const SLOT_BYTES = 128;
const SLOT_DOUBLES = SLOT_BYTES / 8;
/** Where a text record's code units start inside its first slot, in bytes. */
const TEXT_OFFSET = 16;

/** Record kinds (the first double of a record). */
export const RECORD = { decision: 1, text: 2, padding: 3 } as const;

/** Control words (Int32 indices). `head`/`tail` count slots written/consumed since the start, modulo 2^32. */
export const CONTROL = {
  head: 0,
  tail: 1,
  /** Set by the writer to wake the reader before its timed wait ends; cleared by the reader before it sleeps. */
  wake: 2,
  /** Set by the writer when the reader must write what is left and stop. */
  stop: 3,
  /** Set by the reader once it has stopped, everything up to `tail` written. */
  stopped: 4,
  /** Set by the reader when it starts reading (a thread takes some time to start). */
  started: 5,
} as const;
const CONTROL_WORDS = 8;

/** The shared memory of one ring, as views. */
export interface LogRing {
  readonly buffer: SharedArrayBuffer;
  readonly control: Int32Array;
  readonly numbers: Float64Array;
  readonly units: Uint16Array;
  /** Slots in the ring (a power of two). */
  readonly capacity: number;
}

/** Allocates a ring of `capacity` slots (rounded up to a power of two, at least 64). */
export function allocateLogRing(capacity: number): LogRing {
  let slots = 64;
  while (slots < capacity) slots *= 2;
  return viewLogRing(new SharedArrayBuffer(CONTROL_WORDS * 4 + slots * SLOT_BYTES), slots);
}

/** The views of a ring allocated by {@link allocateLogRing} (in the other thread). */
export function viewLogRing(buffer: SharedArrayBuffer, capacity: number): LogRing {
  const data = CONTROL_WORDS * 4;
  return {
    buffer,
    control: new Int32Array(buffer, 0, CONTROL_WORDS),
    numbers: new Float64Array(buffer, data, capacity * SLOT_DOUBLES),
    units: new Uint16Array(buffer, data, capacity * (SLOT_BYTES / 2)),
    capacity,
  };
}

/** Slots used, from the control words. */
export function usedSlots(ring: LogRing): number {
  return (Atomics.load(ring.control, CONTROL.head) - Atomics.load(ring.control, CONTROL.tail)) >>> 0;
}

/** Slots a text of `length` UTF-16 code units takes. */
export function textSlots(length: number): number {
  return Math.ceil((TEXT_OFFSET + 2 * length) / SLOT_BYTES);
}

/** The first double of slot `slot`, in `numbers`. */
export function slotBase(slot: number): number {
  return slot * SLOT_DOUBLES;
}

/** Writes `text` as a text record at slot `slot` (room for {@link textSlots} slots checked by the caller). */
export function writeText(ring: LogRing, slot: number, text: string): void {
  const base = slot * SLOT_DOUBLES;
  ring.numbers[base] = RECORD.text;
  ring.numbers[base + 1] = text.length;
  const units = ring.units;
  const first = (slot * SLOT_BYTES + TEXT_OFFSET) / 2;
  for (let i = 0; i < text.length; i++) units[first + i] = text.charCodeAt(i);
}

/** The text of the text record at slot `slot`. */
export function readText(ring: LogRing, slot: number): string {
  const length = ring.numbers[slot * SLOT_DOUBLES + 1]!;
  const first = (slot * SLOT_BYTES + TEXT_OFFSET) / 2;
  const units = ring.units;
  // In pieces: String.fromCharCode takes its code units as arguments, and a long line would overflow the stack.
  let text = '';
  for (let at = 0; at < length; at += 4096) text += String.fromCharCode(...units.subarray(first + at, first + Math.min(length, at + 4096)));
  return text;
}

/** Writes a padding record filling slots `slot` to the end of the ring (a record never wraps around). */
export function writePadding(ring: LogRing, slot: number): void {
  const base = slot * SLOT_DOUBLES;
  ring.numbers[base] = RECORD.padding;
  ring.numbers[base + 1] = ring.capacity - slot;
}

/** Slots the record at slot `slot` takes. */
export function recordSlots(ring: LogRing, slot: number): number {
  const base = slot * SLOT_DOUBLES;
  const kind = ring.numbers[base];
  if (kind === RECORD.decision) return 1;
  if (kind === RECORD.text) return textSlots(ring.numbers[base + 1]!);
  return ring.numbers[base + 1]!;
}
