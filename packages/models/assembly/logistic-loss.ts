/**
 * AssemblyScript: the per-round row passes of gradient boosting with the logistic loss, over the tree-growth
 * kernel's memory (re-exported by `assembly/tree-growth.ts`, so they run on the learner's own rows): gradients and
 * hessians from the margins, and the margin update from the last tree's leaves. The same float64 operations in
 * the same order as the JavaScript they replace (`src/trees/gradient-boosting-classifier.ts` before), with
 * `Math.exp` as V8 computes it, so models are unchanged bit for bit.
 */
import { fdlibmExp } from './exp';

/**
 * For rows 0..n: `p = 1 / (1 + e^−margin)`, gradient `w·(p − y)` and hessian `w·max(p(1 − p), 1e−16)` (floored so
 * a confident row keeps a positive cover), with margins, weights, gradients and hessians float64 and labels uint8.
 */
export function logisticGradients(margin: usize, labels: usize, weight: usize, grad: usize, hess: usize, n: i32): void {
  for (let i: usize = 0; i < <usize>n; i++) {
    const p = 1 / (1 + fdlibmExp(-load<f64>(margin + (i << 3))));
    const w = load<f64>(weight + (i << 3));
    store<f64>(grad + (i << 3), w * (p - <f64>load<u8>(labels + i)));
    store<f64>(hess + (i << 3), w * max(p * (1 - p), 1e-16));
  }
}

/** `margin[rowIndex[i]] += value` for i in [start, end) (int32 row indices, float64 margins). */
export function addToRows(margin: usize, rowIndex: usize, start: i32, end: i32, value: f64): void {
  for (let i = start; i < end; i++) {
    const at = margin + (<usize>load<i32>(rowIndex + (<usize>i << 2)) << 3);
    store<f64>(at, load<f64>(at) + value);
  }
}
