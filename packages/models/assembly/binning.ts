/**
 * AssemblyScript: the passes over the raw training values that turn them into bins (`src/trees/quantile-bins.ts`
 * and `src/trees/label-aware-bins.ts` are the JavaScript side, which owns the memory layout and picks the edges):
 * sort one column, count its distinct values, and bin every value of a column. Compiled by
 * `scripts/compile-kernels.ts`; every pointer is a byte offset into the caller's kernel memory. The values are
 * row-major float64 (`rows` × `cols`). The results are exact (orderings and integers), the same as the JavaScript
 * they replace.
 */

/** Digits of the radix sort: 11 bits, six passes over the 64-bit keys. */
const RADIX_BITS: u64 = 11;
const RADIX: i32 = 1 << 11;
const PASSES: i32 = 6;
/** The bin of missing values (NaN). */
const MISSING_BIN: u8 = 255;

/** An order-preserving unsigned key of a double: negatives have every bit flipped, others the sign bit. */
// @ts-ignore: decorator
@inline function keyOf(bits: u64): u64 {
  return (bits >> 63) != 0 ? ~bits : bits ^ 0x8000000000000000;
}

// @ts-ignore: decorator
@inline function valueOf(key: u64): u64 {
  return (key >> 63) != 0 ? key ^ 0x8000000000000000 : ~key;
}

/**
 * Writes the non-missing values of the column at `column` (only those of rows whose uint8 label at `labels` is 1
 * when `positivesOnly` is 1) to `out`, sorted ascending in the order of `Float64Array.prototype.sort` (−0 before +0),
 * and returns how many there are. A least-significant-digit radix sort on the bits of the doubles, a pass skipped
 * when every key shares its digit; `scratch` holds as many float64 as `out`, `table` 6 × 2048 int32.
 */
export function sortColumn(column: usize, rows: i32, labels: usize, positivesOnly: i32, out: usize, scratch: usize, table: usize): i32 {
  memory.fill(table, 0, <usize>(PASSES * RADIX) << 2);
  let m: usize = 0;
  for (let r = 0; r < rows; r++) {
    const v = load<f64>(column + (<usize>r << 3));
    if (v != v) continue;
    if (positivesOnly != 0 && load<u8>(labels + <usize>r) != 1) continue;
    const key = keyOf(reinterpret<u64>(v));
    store<u64>(out + (m << 3), key);
    m++;
    for (let pass = 0; pass < PASSES; pass++) {
      const slot = table + ((<usize>(pass * RADIX) + <usize>((key >> (<u64>pass * RADIX_BITS)) & 0x7ff)) << 2);
      store<i32>(slot, load<i32>(slot) + 1);
    }
  }
  const n = <i32>m;
  let from = out;
  let to = scratch;
  for (let pass = 0; pass < PASSES; pass++) {
    if (n == 0) break;
    const shift = <u64>pass * RADIX_BITS;
    const base = table + (<usize>(pass * RADIX) << 2);
    // A digit all keys share moves nothing: skip the pass.
    if (load<i32>(base + (<usize>((load<u64>(from) >> shift) & 0x7ff) << 2)) == n) continue;
    let sum = 0;
    for (let d = 0; d < RADIX; d++) {
      const slot = base + (<usize>d << 2);
      const c = load<i32>(slot);
      store<i32>(slot, sum);
      sum += c;
    }
    for (let i: usize = 0; i < m; i++) {
      const key = load<u64>(from + (i << 3));
      const slot = base + (<usize>((key >> shift) & 0x7ff) << 2);
      const position = load<i32>(slot);
      store<i32>(slot, position + 1);
      store<u64>(to + (<usize>position << 3), key);
    }
    const t = from;
    from = to;
    to = t;
  }
  for (let i: usize = 0; i < m; i++) store<u64>(out + (i << 3), valueOf(load<u64>(from + (i << 3))));
  return n;
}

/**
 * Collapses the `m` sorted values at `sorted` into their distinct values (float64 at `distinct`; −0 and +0 count
 * as one, the first kept) and how many times each occurs (int32 at `counts`); returns the number of distinct values.
 */
export function countDistinct(sorted: usize, m: i32, distinct: usize, counts: usize): i32 {
  let d: usize = 0;
  for (let i: usize = 0; i < <usize>m; i++) {
    const v = load<f64>(sorted + (i << 3));
    if (d > 0 && load<f64>(distinct + ((d - 1) << 3)) == v) {
      const slot = counts + ((d - 1) << 2);
      store<i32>(slot, load<i32>(slot) + 1);
    } else {
      store<f64>(distinct + (d << 3), v);
      store<i32>(counts + (d << 2), 1);
      d++;
    }
  }
  return <i32>d;
}

/**
 * Bins the column at `column` (feature `f` of `cols`): the bin of a value is the number of `edges` below it, counted by a branch-free binary search
 * over 256 float64 edges padded with +∞ (`first` is the largest power of two <= the real edge count, 0 for
 * none), NaN going to the missing bin 255. Writes each row's bin to the row-major `bins` (`rows` × `cols`) and
 * the column-major `columns` (`cols` × `rows`), uint8.
 */
export function binColumn(column: usize, rows: i32, f: i32, cols: i32, edges: usize, first: i32, bins: usize, columns: usize): void {
  const columnAt = columns + <usize>f * <usize>rows;
  // Four rows at a time: each search is a chain of dependent loads, so four independent chains keep the core busy.
  let r = 0;
  for (; r + 3 < rows; r += 4) {
    const v0 = load<f64>(column + (<usize>r << 3));
    const v1 = load<f64>(column + (<usize>r << 3), 8);
    const v2 = load<f64>(column + (<usize>r << 3), 16);
    const v3 = load<f64>(column + (<usize>r << 3), 24);
    let p0 = 0;
    let p1 = 0;
    let p2 = 0;
    let p3 = 0;
    for (let step = first; step > 0; step >>= 1) {
      p0 += select<i32>(step, 0, load<f64>(edges + (<usize>(p0 + step - 1) << 3)) < v0);
      p1 += select<i32>(step, 0, load<f64>(edges + (<usize>(p1 + step - 1) << 3)) < v1);
      p2 += select<i32>(step, 0, load<f64>(edges + (<usize>(p2 + step - 1) << 3)) < v2);
      p3 += select<i32>(step, 0, load<f64>(edges + (<usize>(p3 + step - 1) << 3)) < v3);
    }
    storeBin(bins, columnAt, r, f, cols, v0 == v0 ? <u8>p0 : MISSING_BIN);
    storeBin(bins, columnAt, r + 1, f, cols, v1 == v1 ? <u8>p1 : MISSING_BIN);
    storeBin(bins, columnAt, r + 2, f, cols, v2 == v2 ? <u8>p2 : MISSING_BIN);
    storeBin(bins, columnAt, r + 3, f, cols, v3 == v3 ? <u8>p3 : MISSING_BIN);
  }
  for (; r < rows; r++) {
    const v = load<f64>(column + (<usize>r << 3));
    let pos = 0;
    for (let step = first; step > 0; step >>= 1) pos += select<i32>(step, 0, load<f64>(edges + (<usize>(pos + step - 1) << 3)) < v);
    storeBin(bins, columnAt, r, f, cols, v == v ? <u8>pos : MISSING_BIN);
  }
}

/** Row `r`'s bin `b` of feature `f`, into the row-major `bins` and the column `columnAt`. */
// @ts-ignore: decorator
@inline function storeBin(bins: usize, columnAt: usize, r: i32, f: i32, cols: i32, b: u8): void {
  store<u8>(bins + <usize>r * <usize>cols + <usize>f, b);
  store<u8>(columnAt + <usize>r, b);
}

/**
 * Cumulative counts over the `d` distinct values at `distinct` (int32 counts at `counts`): rows up to and including
 * each value (`rowsUpTo`), and positives (`positivesUpTo`), counted from the `p` sorted values of positive rows at
 * `positives`; float64 out.
 */
export function cumulativeCounts(distinct: usize, counts: usize, d: i32, positives: usize, p: i32, rowsUpTo: usize, positivesUpTo: usize): void {
  let q = 0;
  let n: f64 = 0;
  let s: f64 = 0;
  for (let i = 0; i < d; i++) {
    const v = load<f64>(distinct + (<usize>i << 3));
    n += <f64>load<i32>(counts + (<usize>i << 2));
    while (q < p && load<f64>(positives + (<usize>q << 3)) <= v) {
      if (load<f64>(positives + (<usize>q << 3)) == v) s += 1;
      q++;
    }
    store<f64>(rowsUpTo + (<usize>i << 3), n);
    store<f64>(positivesUpTo + (<usize>i << 3), s);
  }
}

/**
 * The best class cut of the distinct values [a, b) (see `classCuts` in `src/trees/label-aware-bins.ts`): the first
 * value of the right part (−1: none gains more than 1e-12·n) and its gain Σ n·p(1 − p) reduction, as float64 × 2
 * at `result`.
 */
export function bestCut(rowsUpTo: usize, positivesUpTo: usize, a: i32, b: i32, result: usize): void {
  const n0 = a == 0 ? 0 : load<f64>(rowsUpTo + (<usize>(a - 1) << 3));
  const s0 = a == 0 ? 0 : load<f64>(positivesUpTo + (<usize>(a - 1) << 3));
  const n = load<f64>(rowsUpTo + (<usize>(b - 1) << 3)) - n0;
  const s = load<f64>(positivesUpTo + (<usize>(b - 1) << 3)) - s0;
  const parent = (s * s) / n;
  let at = -1;
  let gain = 1e-12 * n;
  for (let k = a + 1; k < b; k++) {
    const nl = load<f64>(rowsUpTo + (<usize>(k - 1) << 3)) - n0;
    const sl = load<f64>(positivesUpTo + (<usize>(k - 1) << 3)) - s0;
    const g = (sl * sl) / nl + ((s - sl) * (s - sl)) / (n - nl) - parent;
    if (g > gain) {
      gain = g;
      at = k;
    }
  }
  store<f64>(result, <f64>at);
  store<f64>(result, gain, 8);
}
