import { MlsdError } from '@mlsd/data';

/**
 * A length of time: a number of milliseconds, or a string `<number><unit>` with unit `ms`, `s`, `m`, `h` or `d`
 * (`'1d'`, `'12h'`, `'1.5h'`). A day is exactly 86,400,000 ms: windows are fixed lengths of time, not calendar days.
 */
export type Duration = number | string;

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PATTERN = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

/**
 * The number of milliseconds in `duration`; throws `INVALID_OPTION` naming `field` when it is not a positive
 * finite length (or a non-negative one when `allowZero`).
 */
export function durationMs(duration: Duration, field: string, allowZero = false): number {
  let ms = Number.NaN;
  if (typeof duration === 'number') ms = duration;
  else if (typeof duration === 'string') {
    const match = PATTERN.exec(duration.trim());
    if (match !== null) ms = Number(match[1]) * UNIT_MS[match[2]!]!;
  }
  if (!Number.isFinite(ms) || ms < 0 || (ms === 0 && !allowZero)) {
    throw new MlsdError(
      'INVALID_OPTION',
      `${field} is ${JSON.stringify(duration)}; give a ${allowZero ? 'non-negative' : 'positive'} duration in ` +
        `milliseconds or as a string such as '1d', '12h', '30m', '45s' or '250ms'.`,
      { location: { field } },
    );
  }
  return ms;
}

/** The shortest string for `ms` in the largest unit that divides it exactly (`86400000` → `'1d'`). */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const size = UNIT_MS[unit]!;
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
