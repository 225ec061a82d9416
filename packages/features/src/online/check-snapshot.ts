import { MlsdError } from '@mlsd/data';
import type { StateLayout, StateSnapshot } from './state-store.js';

/**
 * Checks that `snapshot` fits `layout` and is well formed (every store runs this before writing anything): the same
 * entities, values and retention (the idempotency and pending-label times do not shape the state and may differ),
 * one entry per event in every column, codes within the key dictionaries, times ascending and finite. Throws
 * `INVALID_INPUT` naming the field and how to fix it.
 */
export function checkSnapshot(snapshot: StateSnapshot, layout: StateLayout): void {
  const shape = (of: StateLayout) => JSON.stringify({ entities: of.entities, retentionMs: of.retentionMs });
  const expected = shape(layout);
  const given = shape(snapshot.layout);
  if (given !== expected) {
    throw new MlsdError(
      'INVALID_INPUT',
      `The state snapshot was computed for another state layout (${given}) than this store's (${expected}); ` +
        'materialize it again with the feature definitions and options the service uses.',
      { location: { field: 'layout' } },
    );
  }
  const n = snapshot.times.length;
  const problem = (field: string, detail: string): MlsdError =>
    new MlsdError('INVALID_INPUT', `State snapshot field "${field}" ${detail}.`, { location: { field } });
  if (snapshot.labels.length !== n) throw problem('labels', `has ${snapshot.labels.length} entries for ${n} events`);
  if (snapshot.ids !== undefined && snapshot.ids.length !== n) throw problem('ids', `has ${snapshot.ids.length} entries for ${n} events`);
  if (!(Number.isInteger(snapshot.feedbackFrom) && snapshot.feedbackFrom >= 0 && snapshot.feedbackFrom <= n)) {
    throw problem('feedbackFrom', `is ${snapshot.feedbackFrom}; give an event index from 0 to ${n}`);
  }
  if (snapshot.entities.length !== layout.entities.length) {
    throw problem('entities', `has ${snapshot.entities.length} entries; the layout has ${layout.entities.length} entities`);
  }
  const times = snapshot.times;
  for (let i = 0; i < n; i++) {
    const t = times[i]!;
    if (!Number.isFinite(t) || (i > 0 && t < times[i - 1]!)) throw problem(`times[${i}]`, `is ${t}; times must be finite and ascending`);
  }
  snapshot.entities.forEach((entity, e) => {
    const at = `entities[${e}]`;
    if (entity.codes.length !== n) throw problem(`${at}.codes`, `has ${entity.codes.length} entries for ${n} events`);
    if (entity.values.length !== layout.entities[e]!.valueCount) {
      throw problem(`${at}.values`, `has ${entity.values.length} columns; entity "${layout.entities[e]!.entity}" keeps ${layout.entities[e]!.valueCount}`);
    }
    for (const [c, column] of entity.values.entries()) {
      if (column.length !== n) throw problem(`${at}.values[${c}]`, `has ${column.length} entries for ${n} events`);
    }
    const keyCount = entity.keys.length;
    for (let i = 0; i < n; i++) {
      const code = entity.codes[i]!;
      if (code < 0 || code >= keyCount) throw problem(`${at}.codes[${i}]`, `is ${code}; codes index the ${keyCount} keys`);
    }
  });
}

/** The events one key of a snapshot entity keeps: `order[from]` to `order[to - 1]`, event indices in arrival order. */
export interface RetainedKeyEvents {
  /** The key's code (its index in the entity's key dictionary). */
  readonly key: number;
  readonly order: Int32Array;
  readonly from: number;
  readonly to: number;
}

/**
 * The keys of one snapshot entity that have events, each with the events a store keeps after the key's latest
 * event: those within `retentionMs` of it (what the stores' eviction and trim keep). Keys are grouped by a stable
 * counting sort of `codes`, so each key's events stay in arrival order.
 */
export function* retainedKeyEvents(times: Float64Array, codes: Int32Array, keyCount: number, retentionMs: number): Generator<RetainedKeyEvents> {
  const n = codes.length;
  const starts = new Int32Array(keyCount + 1);
  for (let i = 0; i < n; i++) starts[codes[i]! + 1]!++;
  for (let k = 0; k < keyCount; k++) starts[k + 1]! += starts[k]!;
  const cursor = starts.slice(0, keyCount);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[cursor[codes[i]!]!++] = i;
  for (let key = 0; key < keyCount; key++) {
    const to = starts[key + 1]!;
    let from = starts[key]!;
    if (from === to) continue;
    const cutoff = times[order[to - 1]!]! - retentionMs;
    while (times[order[from]!]! <= cutoff) from++;
    yield { key, order, from, to };
  }
}
