import type { DecisionLineBuilder } from './decision-line.js';
import { readDecisionRecord } from './decision-record.js';
import { readText, RECORD, recordSlots, slotBase, type LogRing } from './log-ring.js';

/** How the decision records of one channel become lines: its number of fields and its line builder. */
export interface DecisionChannelLines {
  readonly fieldCount: number;
  readonly build: DecisionLineBuilder;
}

/**
 * The lines of the ring's records from slot count `from` up to `to` (both counted since the start, modulo 2^32),
 * stopping after the record that brings the text to `maxChars` characters: text records as they are, decision
 * records built by their channel (`channel(index)`). Returns the text and the count where it stopped. The one
 * reader of the ring, used by the writer thread and, when it is gone, by the serving thread.
 */
export function ringText(
  ring: LogRing,
  from: number,
  to: number,
  maxChars: number,
  channel: (index: number) => DecisionChannelLines,
): { readonly text: string; readonly next: number } {
  let text = '';
  let at = from;
  while (((to - at) | 0) > 0 && text.length < maxChars) {
    const slot = at & (ring.capacity - 1);
    const kind = ring.numbers[slotBase(slot)];
    if (kind === RECORD.text) text += readText(ring, slot);
    else if (kind === RECORD.decision) {
      const record = readDecisionRecord(ring, slot, (c) => channel(c).fieldCount);
      text += channel(record.channel).build(record.time, record.reqId, record.id, record.values, record.result);
    }
    at = (at + recordSlots(ring, slot)) | 0;
  }
  return { text, next: at };
}
