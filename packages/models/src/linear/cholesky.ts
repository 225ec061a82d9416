import { MlsdError } from '@mlsd/data';

/**
 * Solves `A x = b` in place of `b` for a symmetric positive-definite `size` x `size` matrix `A`, of which only
 * the upper triangle (row-major, `A[i * size + j]` for j >= i) is read; `A` is not modified. When rounding makes
 * `A` numerically indefinite, a growing multiple of its largest diagonal entry is added to the diagonal
 * (a Levenberg-style damping) until the factorisation succeeds.
 */
export function choleskySolve(A: Float64Array, b: Float64Array, size: number): void {
  const L = new Float64Array(size * size);
  let maxDiagonal = 0;
  for (let i = 0; i < size; i++) maxDiagonal = Math.max(maxDiagonal, Math.abs(A[i * size + i]!));
  for (let attempt = 0, jitter = 0; attempt < 12; attempt++, jitter = jitter === 0 ? 1e-12 * maxDiagonal : jitter * 10) {
    if (factor(A, L, size, jitter)) {
      // Forward substitution L u = b, then back substitution Lᵀ x = u.
      for (let i = 0; i < size; i++) {
        let s = b[i]!;
        for (let k = 0; k < i; k++) s -= L[i * size + k]! * b[k]!;
        b[i] = s / L[i * size + i]!;
      }
      for (let i = size - 1; i >= 0; i--) {
        let s = b[i]!;
        for (let k = i + 1; k < size; k++) s -= L[k * size + i]! * b[k]!;
        b[i] = s / L[i * size + i]!;
      }
      return;
    }
  }
  throw new MlsdError(
    'INTERNAL',
    `Cholesky factorisation failed on a ${size} x ${size} matrix even with damping; the inputs may hold huge or non-finite values.`,
  );
}

/** Lower-triangular L with L Lᵀ = A + jitter·I; false when a pivot is not positive. */
function factor(A: Float64Array, L: Float64Array, size: number, jitter: number): boolean {
  L.fill(0);
  for (let j = 0; j < size; j++) {
    let diagonal = A[j * size + j]! + jitter;
    for (let k = 0; k < j; k++) diagonal -= L[j * size + k]! * L[j * size + k]!;
    if (!(diagonal > 0) || !Number.isFinite(diagonal)) return false;
    const pivot = Math.sqrt(diagonal);
    L[j * size + j] = pivot;
    for (let i = j + 1; i < size; i++) {
      // A is stored as its upper triangle: A[i][j] for i > j lives at A[j * size + i].
      let s = A[j * size + i]!;
      for (let k = 0; k < j; k++) s -= L[i * size + k]! * L[j * size + k]!;
      L[i * size + j] = s / pivot;
    }
  }
  return true;
}
