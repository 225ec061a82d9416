import { describe, expect, it } from 'vitest';
import { MemoryStateStore } from './memory-state-store.js';
import type { StateLayout } from './state-store.js';

const D = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);
const layout: StateLayout = {
  entities: [{ entity: 'CUSTOMER_ID', valueCount: 1 }],
  retentionMs: 10 * D,
  latenessMs: D,
  idempotencyMs: 3_600_000,
  pendingLabelMs: 3_600_000,
};

function record(store: MemoryStateStore, key: number, time: number, id: number): void {
  store.observeSync({ keys: [key], time, values: [[1]], transactionId: id }, true, () => undefined);
}

describe('MemoryStateStore clean-up', () => {
  it('drops idle entities and forgets expired ids a slice per recorded event, not all in one event', async () => {
    const store = new MemoryStateStore({ now: () => 0 });
    store.attach(layout);
    // 2,000 events of 500 cards over 1.4 days.
    for (let i = 0; i < 2_000; i++) record(store, i % 500, T0 + i * 60_000, i);
    expect([store.entityCount, store.transactionCount]).toEqual([500, 2_000]);

    // Event time jumps 30 days: every card and id above is past the retention, but one event does not pay for them all.
    const later = T0 + 30 * D;
    record(store, 10_000, later, 100_000);
    expect(store.entityCount).toBe(501);
    expect(store.transactionCount).toBeGreaterThanOrEqual(2_001 - 32);
    for (let j = 1; j < 1_000; j++) {
      record(store, 10_000, later + j, 100_000 + j);
      // At most 32 ids forgotten per 16 events, one shard of 256 swept per 64 events.
      expect(store.transactionCount).toBeGreaterThanOrEqual(2_000 + j + 1 - 2 * (j + 1));
      expect(store.entityCount).toBeGreaterThanOrEqual(501 - Math.ceil(500 / 256 + 1) * Math.ceil((j + 1) / 64));
    }

    // After a whole round of the shards (64 × 256 events) nothing of the first day is left, and the recent ids still label.
    for (let j = 1_000; j < 64 * 256 + 64; j++) record(store, 10_000, later + j, 100_000 + j);
    expect(store.entityCount).toBe(1);
    expect(store.transactionCount).toBe(64 * 256 + 64);
    expect(await store.label({ transactionId: 5 }, 1)).toBe(0);
    expect(await store.label({ transactionId: 100_000 + 64 * 256 }, 1)).toBe(1);
  });

  it('keeps every id and card inside the retention however many sweeps pass', async () => {
    const store = new MemoryStateStore({ now: () => 0 });
    store.attach(layout);
    // 40,000 events, one a minute (27.8 days), over 300 cards: only the last 10 days (plus a day of lateness for ids) stay.
    const n = 40_000;
    for (let i = 0; i < n; i++) record(store, i % 300, T0 + i * 60_000, i);
    expect(store.entityCount).toBe(300);
    const last = T0 + (n - 1) * 60_000;
    // Ids are forgotten 16 events at a time, up to 32 at once: the index holds every id newer than the bound, and at
    // most the 16 recorded since the last forgetting older than it.
    const bound = last - layout.retentionMs - layout.latenessMs;
    const newer = n - 1 - Math.floor((bound - T0) / 60_000);
    expect(store.transactionCount).toBeGreaterThanOrEqual(newer);
    expect(store.transactionCount).toBeLessThanOrEqual(newer + 16);
    expect(await store.label({ transactionId: n - 1 }, 1)).toBe(1);
    // The oldest event still inside the card's retention is found by its id.
    expect(await store.label({ transactionId: n - layout.retentionMs / 60_000 }, 1)).toBe(1);
  });
});
