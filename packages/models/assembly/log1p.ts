/**
 * AssemblyScript: log(1 + x) as fdlibm's `log1p` (Sun Microsystems, 1993; FreeBSD's `s_log1p.c`), the algorithm V8
 * uses for `Math.log1p` (`src/base/ieee754.cc`), so a kernel gets the very float64 the JavaScript it replaces got
 * (tested against `Math.log1p` bit for bit).
 */

const LN2_HI: f64 = 6.93147180369123816490e-1;
const LN2_LO: f64 = 1.90821492927058770002e-10;
const TWO54: f64 = 1.80143985094819840000e16;
const LP1: f64 = 6.666666666666735130e-1;
const LP2: f64 = 3.999999999940941908e-1;
const LP3: f64 = 2.857142874366239149e-1;
const LP4: f64 = 2.222219843214978396e-1;
const LP5: f64 = 1.818357216161805012e-1;
const LP6: f64 = 1.531383769920937332e-1;
const LP7: f64 = 1.479819860511658591e-1;

// @ts-ignore: decorator
@inline function highWord(x: f64): i32 {
  return <i32>(reinterpret<u64>(x) >>> 32);
}

// @ts-ignore: decorator
@inline function withHighWord(x: f64, high: i32): f64 {
  return reinterpret<f64>((reinterpret<u64>(x) & 0xffffffff) | (<u64>(<u32>high) << 32));
}

/** log(1 + x), bit for bit as V8's `Math.log1p`. */
export function fdlibmLog1p(x: f64): f64 {
  const hx = highWord(x);
  const ax = hx & 0x7fffffff;
  let k: i32 = 1;
  let f: f64 = 0;
  let c: f64 = 0;
  let hu: i32 = 0;
  if (hx < 0x3fda827a) {
    // 1 + x < sqrt(2)+.
    if (ax >= 0x3ff00000) {
      // x <= -1.
      if (x == -1.0) return -Infinity;
      return (x - x) / (x - x);
    }
    if (ax < 0x3e200000) {
      // |x| < 2^-29.
      if (TWO54 + x > 0 && ax < 0x3c900000) return x;
      return x - x * x * 0.5;
    }
    if (hx > 0 || hx <= <i32>0xbfd2bec4) {
      // sqrt(2)/2- <= 1 + x < sqrt(2)+.
      k = 0;
      f = x;
      hu = 1;
    }
  }
  if (hx >= 0x7ff00000) return x + x;
  if (k != 0) {
    let u: f64;
    if (hx < 0x43400000) {
      u = 1.0 + x;
      hu = highWord(u);
      k = (hu >> 20) - 1023;
      // The correction term.
      c = k > 0 ? 1.0 - (u - x) : x - (u - 1.0);
      c /= u;
    } else {
      u = x;
      hu = highWord(u);
      k = (hu >> 20) - 1023;
      c = 0;
    }
    hu &= 0x000fffff;
    if (hu < 0x6a09e) {
      // Normalise u.
      u = withHighWord(u, hu | 0x3ff00000);
    } else {
      // Normalise u / 2.
      k += 1;
      u = withHighWord(u, hu | 0x3fe00000);
      hu = (0x00100000 - hu) >> 2;
    }
    f = u - 1.0;
  }
  const hfsq = 0.5 * f * f;
  const dk = <f64>k;
  if (hu == 0) {
    // |f| < 2^-20.
    if (f == 0) {
      if (k == 0) return 0;
      c += dk * LN2_LO;
      return dk * LN2_HI + c;
    }
    const R = hfsq * (1.0 - 0.66666666666666666 * f);
    if (k == 0) return f - R;
    return dk * LN2_HI - (R - (dk * LN2_LO + c) - f);
  }
  const s = f / (2.0 + f);
  const z = s * s;
  const R = z * (LP1 + z * (LP2 + z * (LP3 + z * (LP4 + z * (LP5 + z * (LP6 + z * LP7))))));
  if (k == 0) return f - (hfsq - s * (hfsq + R));
  return dk * LN2_HI - (hfsq - (s * (hfsq + R) + (dk * LN2_LO + c)) - f);
}
