import { MlsdError } from '@mlsd/data';

/**
 * The floor applied to every bin proportion before taking logs in {@link populationStabilityIndex}: an empty bin
 * counts as 0.01 % of the population. Without it one empty bin makes the index infinite.
 */
export const PSI_EPSILON = 1e-4;

/**
 * Population stability index between a reference (`expected`) and a live (`actual`) binned distribution:
 * PSI = Σ (a_i - e_i) · ln(a_i / e_i), natural log, each proportion floored at `epsilon` (default
 * {@link PSI_EPSILON}; proportions are not renormalised after flooring). 0 for identical distributions;
 * the industry rule of thumb reads < 0.1 as stable, 0.1–0.2 as a moderate and > 0.2 as a significant shift.
 * Both arguments are proportions over the same bins (same length, each summing to 1).
 */
export function populationStabilityIndex(expected: ArrayLike<number>, actual: ArrayLike<number>, epsilon: number = PSI_EPSILON): number {
  if (expected.length !== actual.length) {
    throw new MlsdError(
      'INVALID_INPUT',
      `populationStabilityIndex: expected has ${expected.length} bins but actual has ${actual.length}; bin both with the same edges.`,
    );
  }
  let psi = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.max(expected[i]!, epsilon);
    const a = Math.max(actual[i]!, epsilon);
    psi += (a - e) * Math.log(a / e);
  }
  return psi;
}
