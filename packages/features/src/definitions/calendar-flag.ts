const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

// Floor divisions instead of `%` on doubles: `%` compiles to a slow fmod call, and these run once per row.

/**
 * 1 when `timeMs` (epoch ms, UTC) shifted by `offsetMs` falls on a Saturday or Sunday, else 0. 1970-01-01 was a
 * Thursday, so day number d has weekday (d + 4) mod 7 with 0 = Sunday.
 */
export function weekendFlag(timeMs: number, offsetMs: number): number {
  const shifted = Math.floor((timeMs + offsetMs) / DAY_MS) + 4;
  const weekday = shifted - Math.floor(shifted / 7) * 7;
  return weekday === 0 || weekday === 6 ? 1 : 0;
}

/**
 * 1 when the hour of `timeMs` (UTC shifted by `offsetMs`) lies in [fromHour, toHour] (inclusive, wrapping past
 * midnight when fromHour > toHour), else 0.
 */
export function nightFlag(timeMs: number, offsetMs: number, fromHour: number, toHour: number): number {
  const local = timeMs + offsetMs;
  const hour = Math.floor((local - Math.floor(local / DAY_MS) * DAY_MS) / HOUR_MS);
  const inside = fromHour <= toHour ? hour >= fromHour && hour <= toHour : hour >= fromHour || hour <= toHour;
  return inside ? 1 : 0;
}
