import { MlsdError } from '@mlsd/data';

/** The most halvings of a tail interval {@link sketchLevels} adds (2⁻³⁰ of 1/intervals: beyond any real sample). */
const MAX_TAIL_HALVINGS = 30;

/**
 * The probability levels of a reference quantile sketch, ascending from 0 to 1: the uniform grid k / `intervals`,
 * plus, inside the first and the last interval, the levels (1/intervals) · 2⁻ʲ and 1 − (1/intervals) · 2⁻ʲ for
 * j = 1, 2, … until the outermost interval holds fewer than one of the `count` reference values.
 *
 * Why: drift statistics interpolate the quantile function linearly between sketch points. On a heavy right tail
 * the uniform grid's last interval spans p99 to the maximum, and a straight line from p99 to a far maximum puts
 * a percent of the mass far out where the reference has almost none, which inflates W₁ against the sketch by
 * ~(max − p99)/200 however close the window is. Halving the tail intervals shrinks that error geometrically for
 * about 2·log₂(count/intervals) extra points (14 per tail for a million rows and 100 intervals).
 */
export function sketchLevels(intervals: number, count: number): number[] {
  const step = 1 / intervals;
  let halvings = 0;
  while (halvings < MAX_TAIL_HALVINGS && count * step * 2 ** -halvings >= 1) halvings++;
  const levels: number[] = [0];
  for (let j = halvings; j >= 1; j--) levels.push(step * 2 ** -j);
  for (let k = 1; k < intervals; k++) levels.push(k / intervals);
  for (let j = 1; j <= halvings; j++) levels.push(1 - step * 2 ** -j);
  levels.push(1);
  return levels;
}

/** The uniform levels k / (points − 1), k = 0..points − 1, of a sketch stored without levels (schema version 1). */
export function uniformLevels(points: number): number[] {
  const levels: number[] = [];
  for (let k = 0; k < points; k++) levels.push(points === 1 ? 0 : k / (points - 1));
  return levels;
}

/**
 * The probability of each sketch point: `levels` (checked against `quantiles`) or the uniform grid k/(len-1).
 * Throws `INVALID_INPUT` naming `caller` when the lengths differ.
 */
export function sketchProbabilities(quantiles: readonly number[], levels: readonly number[] | undefined, caller: string): readonly number[] {
  if (levels === undefined) return uniformLevels(quantiles.length);
  if (levels.length !== quantiles.length) {
    throw new MlsdError(
      'INVALID_INPUT',
      `${caller}: levels has ${levels.length} entries but quantiles has ${quantiles.length}; pass a profile's quantiles with its own levels.`,
      { location: { field: 'levels' } },
    );
  }
  return levels;
}
