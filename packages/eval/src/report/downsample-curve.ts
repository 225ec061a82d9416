/**
 * Indices of at most `maxPoints` points of a curve (x[i], y[i]) spread evenly along its length, first and last
 * always kept, so a chart of a million-point curve keeps its shape (steep early ROC segments included).
 * Coordinates are scaled by their ranges before measuring length, so units do not matter.
 */
export function downsampleCurve(x: Float64Array, y: Float64Array, maxPoints = 300): Int32Array {
  const n = x.length;
  if (n <= maxPoints || n <= 2) return Int32Array.from({ length: n }, (_, i) => i);
  const sx = 1 / (range(x) || 1);
  const sy = 1 / (range(y) || 1);
  const cumulative = new Float64Array(n);
  for (let i = 1; i < n; i++) {
    const dx = (x[i]! - x[i - 1]!) * sx;
    const dy = (y[i]! - y[i - 1]!) * sy;
    cumulative[i] = cumulative[i - 1]! + Math.sqrt(dx * dx + dy * dy);
  }
  const total = cumulative[n - 1]!;
  const out = new Int32Array(maxPoints);
  let m = 0;
  out[m++] = 0;
  let next = 1;
  for (let i = 1; i < n - 1 && m < maxPoints - 1; i++) {
    if (cumulative[i]! >= (next * total) / (maxPoints - 1)) {
      out[m++] = i;
      while (next * total <= cumulative[i]! * (maxPoints - 1)) next++;
    }
  }
  out[m++] = n - 1;
  return out.slice(0, m);
}

function range(values: Float64Array): number {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (Number.isFinite(v)) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  return max > min ? max - min : 0;
}
