/**
 * The rules every state store applies to an observed event before it touches the state, in one place (the memory
 * store calls these functions; the Redis store's Lua script mirrors them line for line and its tests check the same
 * cases):
 *
 * 1. **Duplicates.** An event whose id was observed (recorded, or scored too late to record) within `idempotencyMs`
 *    (wall-clock time) is a duplicate: it is computed from the current state, nothing is recorded, and the answer
 *    saved for the first one is returned.
 * 2. **Late events.** An event older than the latest event of one of its keys is *late*. Late by at most
 *    `latenessMs` it is recorded in time order (each history stays sorted by event time; later events already
 *    scored keep their answers). Later than that it is scored from the state as it is (the histories up to its
 *    time) and **not recorded**: inserting it would change windows that later events have already been scored on,
 *    by more than the lateness the features tolerate.
 * 3. **Pending labels.** A label for an id the store does not know is held for `pendingLabelMs`; when an event with
 *    that id is recorded within that time, it is recorded with the label.
 */

/** How a store treats an event by its time: recorded on time, recorded late in time order, or not recorded. */
export type TimeAdmission = 'on-time' | 'late' | 'too-late';

/**
 * Rule 2: `latest` is the latest event time over the event's keys (`-Infinity` when they have none).
 * `time < latest - latenessMs` is too late; `time < latest` is late; anything else is on time.
 */
export function admitByTime(time: number, latest: number, latenessMs: number): TimeAdmission {
  if (time >= latest) return 'on-time';
  return time < latest - latenessMs ? 'too-late' : 'late';
}
