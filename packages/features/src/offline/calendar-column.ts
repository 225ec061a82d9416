import { nightFlag, weekendFlag } from '../definitions/calendar-flag.js';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/**
 * Writes a calendar flag of every time to `data[i * stride + offset]`, equal to `weekendFlag`/`nightFlag` (which
 * the online executor uses) for every input. Both flags are constant over a clock hour, so the flag is computed
 * once per hour reached and reused while times stay in that hour (the common case for tables in time order),
 * avoiding two floor divisions per row.
 */
export function calendarColumn(
  times: Float64Array,
  flag: 'weekend' | 'night',
  offsetMs: number,
  fromHour: number,
  toHour: number,
  data: Float64Array,
  stride: number,
  offset: number,
): void {
  // Shifted times in [lo, hi] give the same flag as the last computed one; hi stops 1 ms before the next hour so
  // that the flag functions' own divisions cannot round across the boundary there.
  let lo = Infinity;
  let hi = -Infinity;
  let value = 0;
  for (let i = 0; i < times.length; i++) {
    const t = times[i]!;
    const local = t + offsetMs;
    if (!(local >= lo && local <= hi)) {
      value = flag === 'weekend' ? weekendFlag(t, offsetMs) : nightFlag(t, offsetMs, fromHour, toHour);
      const dayStart = Math.floor(local / DAY_MS) * DAY_MS;
      const hour = Math.floor((local - dayStart) / HOUR_MS);
      lo = dayStart + hour * HOUR_MS;
      hi = lo + HOUR_MS - 1;
      // Sub-millisecond times right at an hour boundary: no reuse.
      if (!(hour >= 0 && hour <= 23 && local >= lo && local <= hi)) {
        lo = Infinity;
        hi = -Infinity;
      }
    }
    data[i * stride + offset] = value;
  }
}
