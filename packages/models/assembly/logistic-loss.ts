/**
 * AssemblyScript: the per-round row passes of gradient boosting with the logistic loss, over the tree-growth
 * kernel's memory (re-exported by `assembly/tree-growth.ts`, so they run on the learner's own rows): gradients and
 * hessians from the margins, and the margin update from the last tree's leaves. The same float64 operations in
 * the same order as the JavaScript they replace (`src/trees/gradient-boosting-classifier.ts` before), with
 * `Math.exp` as V8 computes it, so models are unchanged bit for bit.
 */
import { fdlibmExp } from './exp';

/** The logistic gradient and hessian of one row (see {@link logisticGradients}), with the scalar fdlibm exp. */
// @ts-ignore: decorator
@inline function logisticRow(margin: usize, labels: usize, weight: usize, grad: usize, hess: usize, i: usize): void {
  const p = 1 / (1 + fdlibmExp(-load<f64>(margin + (i << 3))));
  const w = load<f64>(weight + (i << 3));
  store<f64>(grad + (i << 3), w * (p - <f64>load<u8>(labels + i)));
  store<f64>(hess + (i << 3), w * max(p * (1 - p), 1e-16));
}

// fdlibm's exp constants (see assembly/exp.ts), as vectors.
const HALF = f64x2.splat(0.5);
const NEG_HALF = f64x2.splat(-0.5);
const ONE = f64x2.splat(1.0);
const TWO = f64x2.splat(2.0);
const INV_LN2 = f64x2.splat(1.44269504088896338700);
const LN2_HI = f64x2.splat(6.93147180369123816490e-1);
const LN2_LO = f64x2.splat(1.90821492927058770002e-10);
const P1 = f64x2.splat(1.66666666666666019037e-1);
const P2 = f64x2.splat(-2.77777777770155933842e-3);
const P3 = f64x2.splat(6.61375632143793436117e-5);
const P4 = f64x2.splat(-1.65339022054652515390e-6);
const P5 = f64x2.splat(4.13813679705723846039e-8);
const FLOOR = f64x2.splat(1e-16);
/** |x| from which fdlibm reduces by k = round(x / ln 2) (its high word 0x3ff0a2b2), and a bound well inside overflow. */
const GENERAL_FROM = f64x2.splat(reinterpret<f64>(<u64>0x3ff0a2b200000000));
const GENERAL_BELOW = f64x2.splat(700.0);

/**
 * For rows 0..n: `p = 1 / (1 + e^−margin)`, gradient `w·(p − y)` and hessian `w·max(p(1 − p), 1e−16)` (floored so
 * a confident row keeps a positive cover), with margins, weights, gradients and hessians float64 and labels uint8.
 * Two rows per 128-bit vector when both margins take fdlibm's general path (1.04 <= |margin| < 700): the same
 * operations in the same order, lane by lane, so the same bits; otherwise the two rows go through the scalar exp.
 */
export function logisticGradients(margin: usize, labels: usize, weight: usize, grad: usize, hess: usize, n: i32): void {
  const pairs = <usize>n & ~(<usize>1);
  for (let i: usize = 0; i < pairs; i += 2) {
    const x = f64x2.neg(v128.load(margin + (i << 3)));
    const ax = f64x2.abs(x);
    if (!i64x2.all_true(v128.and(f64x2.ge(ax, GENERAL_FROM), f64x2.lt(ax, GENERAL_BELOW)))) {
      logisticRow(margin, labels, weight, grad, hess, i);
      logisticRow(margin, labels, weight, grad, hess, i + 1);
      continue;
    }
    // fdlibm's exp, general path: x = k·ln2 + r, k = (int)(x/ln2 ± ½), e^x = 2^k·e^r (|k| < 1010 here).
    const k = i32x4.trunc_sat_f64x2_s_zero(f64x2.add(f64x2.mul(INV_LN2, x), v128.bitselect(NEG_HALF, HALF, f64x2.lt(x, f64x2.splat(0)))));
    const t = f64x2.convert_low_i32x4_s(k);
    const hi = f64x2.sub(x, f64x2.mul(t, LN2_HI));
    const lo = f64x2.mul(t, LN2_LO);
    const r = f64x2.sub(hi, lo);
    const rr = f64x2.mul(r, r);
    const poly = f64x2.add(P1, f64x2.mul(rr, f64x2.add(P2, f64x2.mul(rr, f64x2.add(P3, f64x2.mul(rr, f64x2.add(P4, f64x2.mul(rr, P5))))))));
    const c = f64x2.sub(r, f64x2.mul(rr, poly));
    const y = f64x2.sub(ONE, f64x2.sub(f64x2.sub(lo, f64x2.div(f64x2.mul(r, c), f64x2.sub(TWO, c))), hi));
    const scale = i64x2.shl(i64x2.add(i64x2.extend_low_i32x4_s(k), i64x2.splat(0x3ff)), 52);
    const e = f64x2.mul(y, scale);
    const p = f64x2.div(ONE, f64x2.add(ONE, e));
    const w = v128.load(weight + (i << 3));
    const label = f64x2.replace_lane(f64x2.splat(<f64>load<u8>(labels + i)), 1, <f64>load<u8>(labels + i + 1));
    v128.store(grad + (i << 3), f64x2.mul(w, f64x2.sub(p, label)));
    v128.store(hess + (i << 3), f64x2.mul(w, f64x2.max(f64x2.mul(p, f64x2.sub(ONE, p)), FLOOR)));
  }
  if (pairs < <usize>n) logisticRow(margin, labels, weight, grad, hess, pairs);
}

/** `margin[rowIndex[i]] += value` for i in [start, end) (int32 row indices, float64 margins). */
export function addToRows(margin: usize, rowIndex: usize, start: i32, end: i32, value: f64): void {
  for (let i = start; i < end; i++) {
    const at = margin + (<usize>load<i32>(rowIndex + (<usize>i << 2)) << 3);
    store<f64>(at, load<f64>(at) + value);
  }
}
