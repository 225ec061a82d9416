/**
 * AssemblyScript: the passes of logistic regression's Newton fit over its design matrix (`src/linear/` is the
 * JavaScript side, which owns the memory, the line search and the solve): the objective, gradient and per-row
 * curvature at one point, and the Hessian. The design is row-major float64, `stride` per row (`stride` even, the
 * columns from `P` on zero); a pass reads every `step`-th row (a sample of the design without a copy of it), `rows`
 * of them, in blocks of 256: every sum runs over a block's rows in order and is added to the total block by block
 * (a last, short block sums the same as one padded with rows of weight 0), and every product and exp / log1p (fdlibm's, as V8) is the one the JavaScript passes
 * computed, so the results are the same bit for bit. 128-bit SIMD: two columns per vector.
 */
import { fdlibmExp } from './exp';
import { fdlibmLog1p } from './log1p';

/**
 * Column sums of the row-major `n` × `d` float64 matrix at `X`, into `out` (`d` float64): each column's values added
 * in row order, as a loop down the column adds them.
 */
export function columnSums(X: usize, n: i32, d: i32, out: usize): void {
  memory.fill(out, 0, <usize>d << 3);
  let at = X;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++, at += 8) {
      const slot = out + (<usize>j << 3);
      store<f64>(slot, load<f64>(slot) + load<f64>(at));
    }
  }
}

/** Σᵢ (Xᵢⱼ − meanⱼ)² per column of `X` (see {@link columnSums}), into `out`, in row order. */
export function columnSquares(X: usize, n: i32, d: i32, mean: usize, out: usize): void {
  memory.fill(out, 0, <usize>d << 3);
  let at = X;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++, at += 8) {
      const slot = out + (<usize>j << 3);
      const delta = load<f64>(at) - load<f64>(mean + (<usize>j << 3));
      store<f64>(slot, load<f64>(slot) + delta * delta);
    }
  }
}

/**
 * Writes the design rows of every `step`-th row of `X` (`n` × `d`) to `Z` (`stride` float64 per row, `stride` >= `d`
 * + `intercept`): (x − mean) / scale per feature, then 1 when `intercept` is 1, then zeros. Rows and columns go in
 * descending order, each value read before anything overwrites it, so `Z` may be `X` itself (with `step` 1): the
 * design takes the place of the values it is made of.
 */
export function designRows(X: usize, n: i32, d: i32, step: i32, mean: usize, scale: usize, intercept: i32, Z: usize, stride: i32): void {
  const count = (n + step - 1) / step;
  for (let r = count - 1; r >= 0; r--) {
    const from = X + (<usize>(r * step) * <usize>d << 3);
    const to = Z + (<usize>r * <usize>stride << 3);
    for (let j = stride - 1; j >= d; j--) store<f64>(to + (<usize>j << 3), j == d && intercept != 0 ? 1 : 0);
    for (let j = d - 1; j >= 0; j--) {
      const k = <usize>j << 3;
      store<f64>(to + k, (load<f64>(from + k) - load<f64>(mean + k)) / load<f64>(scale + k));
    }
  }
}

/** Rows per block. */
const BLOCK: i32 = 256;

/**
 * Σ wᵢ ℓᵢ(θ) over the rows read from the design `Z` (labels uint8, weights float64, one per row read; rows of
 * weight 0 add nothing), with
 * ℓ the logistic loss of the margin zᵢ = Σₖ θₖ Zᵢₖ (k < `P`); writes the gradient Σ wᵢ (pᵢ − yᵢ) Zᵢ (`stride`
 * float64 at `gradient`) and each row's curvature wᵢ pᵢ (1 − pᵢ) (float64 at `curvature`). `residual` is scratch
 * of 256 float64. The penalty is the caller's.
 */
export function evaluate(
  Z: usize,
  labels: usize,
  weights: usize,
  rows: i32,
  P: i32,
  stride: i32,
  step: i32,
  theta: usize,
  gradient: usize,
  curvature: usize,
  residual: usize,
): f64 {
  memory.fill(gradient, 0, <usize>stride << 3);
  const rowBytes = <usize>(stride * step) << 3;
  const pairs = stride >> 1;
  let objective: f64 = 0;
  for (let start = 0; start < rows; start += BLOCK) {
    const end = min(start + BLOCK, rows);
    for (let i = start; i < end; i++) {
      const row = Z + <usize>i * rowBytes;
      let z: f64 = 0;
      for (let k = 0; k < P; k++) z = z + load<f64>(theta + (<usize>k << 3)) * load<f64>(row + (<usize>k << 3));
      const w = load<f64>(weights + (<usize>i << 3));
      // Stable log(1 + e^z) and sigmoid through e = exp(−|z|).
      const e = fdlibmExp(-abs(z));
      const p = z >= 0 ? 1 / (1 + e) : e / (1 + e);
      const label = <f64>load<u8>(labels + <usize>i);
      if (w != 0) objective += w * (max(z, 0) + fdlibmLog1p(e) - label * z);
      store<f64>(residual + (<usize>(i - start) << 3), w * (p - label));
      store<f64>(curvature + (<usize>i << 3), w * p * (1 - p));
    }
    // Σ rᵢ Zᵢ over the block, four column pairs per sweep, added to the gradient.
    let v = 0;
    for (; v + 3 < pairs; v += 4) {
      let a0 = f64x2.splat(0);
      let a1 = f64x2.splat(0);
      let a2 = f64x2.splat(0);
      let a3 = f64x2.splat(0);
      let at = Z + <usize>start * rowBytes + (<usize>v << 4);
      for (let i = start; i < end; i++, at += rowBytes) {
        const r = f64x2.splat(load<f64>(residual + (<usize>(i - start) << 3)));
        a0 = f64x2.add(a0, f64x2.mul(r, v128.load(at)));
        a1 = f64x2.add(a1, f64x2.mul(r, v128.load(at, 16)));
        a2 = f64x2.add(a2, f64x2.mul(r, v128.load(at, 32)));
        a3 = f64x2.add(a3, f64x2.mul(r, v128.load(at, 48)));
      }
      const g = gradient + (<usize>v << 4);
      v128.store(g, f64x2.add(v128.load(g), a0));
      v128.store(g, f64x2.add(v128.load(g, 16), a1), 16);
      v128.store(g, f64x2.add(v128.load(g, 32), a2), 32);
      v128.store(g, f64x2.add(v128.load(g, 48), a3), 48);
    }
    for (; v < pairs; v++) {
      let a0 = f64x2.splat(0);
      let at = Z + <usize>start * rowBytes + (<usize>v << 4);
      for (let i = start; i < end; i++, at += rowBytes) {
        a0 = f64x2.add(a0, f64x2.mul(f64x2.splat(load<f64>(residual + (<usize>(i - start) << 3))), v128.load(at)));
      }
      const g = gradient + (<usize>v << 4);
      v128.store(g, f64x2.add(v128.load(g), a0));
    }
  }
  return objective;
}

/** Adds the lanes of `sum` (columns 2v and 2v + 1 of row `a`) to the upper triangle of the `P` × `P` matrix `H`. */
// @ts-ignore: decorator
@inline function addPair(H: usize, P: i32, a: i32, v: i32, sum: v128): void {
  const b = v << 1;
  if (b >= a) {
    const at = H + (<usize>(a * P + b) << 3);
    store<f64>(at, load<f64>(at) + f64x2.extract_lane(sum, 0));
  }
  if (b + 1 >= a && b + 1 < P) {
    const at = H + (<usize>(a * P + b + 1) << 3);
    store<f64>(at, load<f64>(at) + f64x2.extract_lane(sum, 1));
  }
}

/**
 * The upper triangle of Zᵀ diag(curvature) Z (row-major `P` × `P` float64 at `H`, the lower triangle left at 0)
 * over the design `Z` (see {@link evaluate}). Row a of H sums qᵢ Zᵢ_b with qᵢ = curvatureᵢ Zᵢ_a, four column pairs
 * per sweep over a block.
 */
export function hessian(Z: usize, curvature: usize, rows: i32, P: i32, stride: i32, step: i32, H: usize): void {
  memory.fill(H, 0, <usize>(P * P) << 3);
  const rowBytes = <usize>(stride * step) << 3;
  const pairs = (P + 1) >> 1;
  for (let start = 0; start < rows; start += BLOCK) {
    const end = min(start + BLOCK, rows);
    const blockAt = Z + <usize>start * rowBytes;
    for (let a = 0; a < P; a++) {
      const columnA = blockAt + (<usize>a << 3);
      let v = a >> 1;
      for (; v + 3 < pairs; v += 4) {
        let s0 = f64x2.splat(0);
        let s1 = f64x2.splat(0);
        let s2 = f64x2.splat(0);
        let s3 = f64x2.splat(0);
        let at = blockAt + (<usize>v << 4);
        let aAt = columnA;
        for (let i = start; i < end; i++, at += rowBytes, aAt += rowBytes) {
          const q = f64x2.splat(load<f64>(curvature + (<usize>i << 3)) * load<f64>(aAt));
          s0 = f64x2.add(s0, f64x2.mul(q, v128.load(at)));
          s1 = f64x2.add(s1, f64x2.mul(q, v128.load(at, 16)));
          s2 = f64x2.add(s2, f64x2.mul(q, v128.load(at, 32)));
          s3 = f64x2.add(s3, f64x2.mul(q, v128.load(at, 48)));
        }
        addPair(H, P, a, v, s0);
        addPair(H, P, a, v + 1, s1);
        addPair(H, P, a, v + 2, s2);
        addPair(H, P, a, v + 3, s3);
      }
      for (; v < pairs; v++) {
        let s0 = f64x2.splat(0);
        let at = blockAt + (<usize>v << 4);
        let aAt = columnA;
        for (let i = start; i < end; i++, at += rowBytes, aAt += rowBytes) {
          s0 = f64x2.add(s0, f64x2.mul(f64x2.splat(load<f64>(curvature + (<usize>i << 3)) * load<f64>(aAt)), v128.load(at)));
        }
        addPair(H, P, a, v, s0);
      }
    }
  }
}
