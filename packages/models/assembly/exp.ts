/**
 * AssemblyScript: e^x as fdlibm's `__ieee754_exp` (Sun Microsystems, 1993), the algorithm V8 uses for `Math.exp`
 * (`src/base/ieee754.cc`), so a kernel gets the very float64 the JavaScript it replaces got (tested against
 * `Math.exp` bit for bit). AssemblyScript's own `Math.exp` is musl's table-driven one, which differs in the last
 * bit on some inputs.
 */

const HALF: f64 = 0.5;
const E: f64 = 2.718281828459045;
const HUGE: f64 = 1.0e300;
const TWOM1000: f64 = 9.33263618503218878990e-302;
const O_THRESHOLD: f64 = 7.09782712893383973096e2;
const U_THRESHOLD: f64 = -7.45133219101941108420e2;
const LN2_HI: f64 = 6.93147180369123816490e-1;
const LN2_LO: f64 = 1.90821492927058770002e-10;
const INV_LN2: f64 = 1.44269504088896338700;
const P1: f64 = 1.66666666666666019037e-1;
const P2: f64 = -2.77777777770155933842e-3;
const P3: f64 = 6.61375632143793436117e-5;
const P4: f64 = -1.65339022054652515390e-6;
const P5: f64 = 4.13813679705723846039e-8;

/** e^x, bit for bit as V8's `Math.exp`. */
export function fdlibmExp(x: f64): f64 {
  const bits = reinterpret<u64>(x);
  let hx = <u32>(bits >>> 32);
  const xsb = <i32>(hx >>> 31);
  hx &= 0x7fffffff;
  // Non-finite and out-of-range arguments.
  if (hx >= 0x40862e42) {
    if (hx >= 0x7ff00000) {
      if (((hx & 0xfffff) | <u32>bits) != 0) return x + x;
      return xsb == 0 ? x : 0.0;
    }
    if (x > O_THRESHOLD) return Infinity;
    if (x < U_THRESHOLD) return TWOM1000 * TWOM1000;
  }
  // Argument reduction: x = k·ln2 + r, |r| <= 0.5·ln2.
  let hi: f64 = 0;
  let lo: f64 = 0;
  let k: i32 = 0;
  if (hx > 0x3fd62e42) {
    if (hx < 0x3ff0a2b2) {
      // V8 returns its constant E for exp(1) (the steps below get its last bit wrong).
      if (x == 1.0) return E;
      if (xsb == 0) {
        hi = x - LN2_HI;
        lo = LN2_LO;
        k = 1;
      } else {
        hi = x + LN2_HI;
        lo = -LN2_LO;
        k = -1;
      }
    } else {
      k = <i32>(INV_LN2 * x + (xsb == 0 ? HALF : -HALF));
      const t = <f64>k;
      hi = x - t * LN2_HI;
      lo = t * LN2_LO;
    }
    x = hi - lo;
  } else if (hx < 0x3e300000) {
    // |x| < 2^-28.
    if (HUGE + x > 1.0) return 1.0 + x;
  }
  const t = x * x;
  const c = x - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  if (k == 0) return 1.0 - ((x * c) / (c - 2.0) - x);
  const y = 1.0 - (lo - (x * c) / (2.0 - c) - hi);
  if (k >= -1021) {
    if (k == 1024) return y * 2.0 * reinterpret<f64>(<u64>0x7fe0000000000000);
    return y * reinterpret<f64>(<u64>(0x3ff + k) << 52);
  }
  return y * reinterpret<f64>(<u64>(0x3ff + k + 1000) << 52) * TWOM1000;
}
