import { ShardedMap } from '@mlsd/data';
import type { Arm } from './arm-assignment.js';
import type { MonitoredKey } from './monitored-event.js';

/** What is remembered about a scored transaction until its label arrives. */
export interface PendingLabel {
  readonly score: number;
  readonly flagged: boolean;
  readonly arm: Arm;
  readonly amount: number;
  readonly cardId: MonitoredKey;
}

/**
 * The scored transactions still waiting for a feedback label, bounded: slots in typed arrays indexed through a
 * `ShardedMap` from transaction id to slot (one Map of 200,000 ids, turned over once per scored event, paused the
 * service 43 ms whenever it re-hashed); when full, the oldest transaction is forgotten (its late label is then
 * counted as unmatched).
 */
export class PendingLabels {
  private readonly ids: Array<MonitoredKey | undefined>;
  private readonly scores: Float64Array;
  private readonly amounts: Float64Array;
  private readonly cards: MonitoredKey[];
  private readonly flags: Uint8Array;
  private readonly slots = new ShardedMap<number>();
  private next = 0;

  constructor(readonly capacity: number) {
    this.ids = new Array<MonitoredKey | undefined>(capacity).fill(undefined);
    this.scores = new Float64Array(capacity);
    this.amounts = new Float64Array(capacity);
    this.cards = new Array<MonitoredKey>(capacity).fill(0);
    this.flags = new Uint8Array(capacity);
  }

  /** Remembers a scored transaction, evicting the oldest when full. A repeated id replaces the earlier one. */
  add(transactionId: MonitoredKey, entry: PendingLabel): void {
    const slot = this.next;
    const evicted = this.ids[slot];
    if (evicted !== undefined && this.slots.get(evicted) === slot) this.slots.delete(evicted);
    this.ids[slot] = transactionId;
    this.scores[slot] = entry.score;
    this.amounts[slot] = entry.amount;
    this.cards[slot] = entry.cardId;
    this.flags[slot] = (entry.flagged ? 1 : 0) | (entry.arm === 'challenger' ? 2 : 0);
    this.slots.set(transactionId, slot);
    this.next = (slot + 1) % this.capacity;
  }

  /** Removes and returns the pending transaction, or undefined when unknown (never scored here, or evicted). */
  take(transactionId: MonitoredKey): PendingLabel | undefined {
    const slot = this.slots.get(transactionId);
    if (slot === undefined) return undefined;
    this.slots.delete(transactionId);
    this.ids[slot] = undefined;
    const flags = this.flags[slot]!;
    return {
      score: this.scores[slot]!,
      amount: this.amounts[slot]!,
      cardId: this.cards[slot]!,
      flagged: (flags & 1) === 1,
      arm: (flags & 2) === 2 ? 'challenger' : 'champion',
    };
  }

  /** Transactions waiting for a label. */
  get size(): number {
    return this.slots.size;
  }
}
