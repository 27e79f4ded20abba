/**
 * The x87 transcendental functions f2xm1, fyl2x, fyl2xp1 and fpatan, and the constants of fldpi
 * fldl2e fldl2t fldlg2 fldln2.
 *
 * Values are computed in 256-bit fixed point with BigInt (series for ln via atanh, for exp, and
 * for atan after argument halving), far more precisely than the 64-bit result, and then rounded
 * once to 64 bits in the RC rounding mode (PC does not apply to these instructions, as on
 * hardware). The results are therefore correctly rounded; the hardware is documented to be within
 * one unit in the last place, so an emulated result can differ from a native one by 1 ulp (and in
 * the C1 "rounded up" bit) where the CPU does not round correctly. Exact cases (log2 of a power
 * of two, 2^x - 1 for x = 0, 1, -1, zeros) are exact; like the hardware, fyl2x still reports a
 * power of two's logarithm as inexact.
 */
import {
  DE,
  EXT64,
  FX,
  IE,
  INDEFINITE,
  K_DENORMAL,
  K_INF,
  K_NORMAL,
  K_ZERO,
  PE,
  UE,
  ZE,
  bitLength,
  exp2Of,
  f80,
  inf,
  isNaNKind,
  isqrt,
  kind,
  leadExp2,
  nanResult1,
  nanResult2,
  roundTo80,
  zero,
  type F80,
} from "./x87-float.js";

/** Fraction bits of the fixed-point numbers. */
export const FBITS = 256;
const FB = BigInt(FBITS);
export const FIX_ONE = 1n << FB;

function atanInv(x: bigint): bigint {
  let sum = 0n;
  let pow = FIX_ONE / x;
  const x2 = x * x;
  for (let k = 0n; pow !== 0n; k++) {
    const term = pow / (2n * k + 1n);
    sum += k % 2n === 0n ? term : -term;
    pow /= x2;
  }
  return sum;
}

function atanhInv(x: bigint): bigint {
  let sum = 0n;
  let pow = FIX_ONE / x;
  const x2 = x * x;
  for (let k = 0n; pow !== 0n; k++) {
    sum += pow / (2n * k + 1n);
    pow /= x2;
  }
  return sum;
}

/** pi, ln 2 and ln 10 in fixed point (truncated). */
export const PI_FIX = 16n * atanInv(5n) - 4n * atanInv(239n);
export const LN2_FIX = 2n * atanhInv(3n);
export const LN10_FIX = 3n * LN2_FIX + 2n * atanhInv(9n);

/** Rounds the approximate fixed-point magnitude a * 2^(exp2) (never exact) to an extended value. */
function inexact(s: number, a: bigint, exp2: number, rc: number): F80 {
  return roundTo80(s, (a << 3n) | 1n, exp2 - 3, EXT64, rc);
}

/** Rounds a magnitude known to lie just below a * 2^(exp2) (a leading term whose correction is negative). */
function justBelow(s: number, a: bigint, exp2: number, rc: number): F80 {
  return roundTo80(s, (a << 3n) - 1n, exp2 - 3, EXT64, rc);
}

/** |x| in fixed point (truncated). */
function fixAbs(x: F80): bigint {
  const e = exp2Of(x) + FBITS;
  return e >= 0 ? x.m << BigInt(e) : x.m >> BigInt(-e);
}

/** ln(m) for a fixed-point m > 0 near [1, 2]: 2 atanh((m - 1) / (m + 1)). */
function lnFix(m: bigint): bigint {
  const t = ((m - FIX_ONE) << FB) / (m + FIX_ONE);
  const t2 = (t * t) >> FB;
  let sum = 0n;
  let pow = t;
  for (let k = 1n; pow !== 0n; k += 2n) {
    sum += pow / k;
    pow = (pow * t2) >> FB;
  }
  return 2n * sum;
}

/** log2(v) for a fixed-point v > 0, in fixed point. */
function log2Fix(v: bigint): bigint {
  const k = bitLength(v) - 1 - FBITS;
  const m = k >= 0 ? v >> BigInt(k) : v << BigInt(-k);
  return BigInt(k) * FIX_ONE + (lnFix(m) << FB) / LN2_FIX;
}

/** |y / x| in fixed point, for finite non-zero values whose exponents are close. */
function ratioFix(y: F80, x: F80): bigint {
  const k = FBITS + exp2Of(y) - exp2Of(x);
  return k >= 0 ? (y.m << BigInt(k)) / x.m : y.m / (x.m << BigInt(-k));
}

/** e^y - 1 for a fixed-point |y| <= 1. */
function expm1Fix(y: bigint): bigint {
  let sum = 0n;
  let term = y;
  for (let k = 2n; term !== 0n; k++) {
    sum += term;
    term = (term * y) / (k << FB);
  }
  return sum;
}

/** atan(t) for a fixed-point 0 <= t <= 1. */
function atanFix(t: bigint): bigint {
  let k = 0n;
  const eighth = FIX_ONE >> 3n;
  while (t > eighth) {
    t = (t << FB) / (FIX_ONE + isqrt(FIX_ONE * FIX_ONE + t * t));
    k++;
  }
  const t2 = (t * t) >> FB;
  let sum = 0n;
  let pow = t;
  for (let n = 1n; pow !== 0n; n += 2n) {
    sum += ((n >> 1n) & 1n) === 0n ? pow / n : -(pow / n);
    pow = (pow * t2) >> FB;
  }
  return sum << k;
}

function denormals(...ks: number[]): void {
  if (ks.includes(K_DENORMAL)) FX.flags |= DE;
}

/** f2xm1: 2^x - 1 (the hardware defines it for -1 <= x <= 1). */
export function f2xm1(x: F80, rc: number): F80 {
  const k = kind(x);
  if (isNaNKind(k)) return nanResult1(x, k);
  if (k === K_ZERO) return x;
  if (k === K_INF) return x.s !== 0 ? f80(1, 0x3fff, 1n << 63n) : x;
  denormals(k);
  const one = 1n << 63n;
  if (x.m === one && x.e === 0x3fff) return x.s !== 0 ? f80(1, 0x3ffe, one) : x;
  if (leadExp2(x) < -100) {
    // x ln 2 (1 + x ln 2 / 2 + ...): above the leading term for x > 0, below for x < 0
    const a = x.m * LN2_FIX;
    return x.s !== 0 ? justBelow(1, a, exp2Of(x) - FBITS, rc) : inexact(0, a, exp2Of(x) - FBITS, rc);
  }
  if (leadExp2(x) > 6) {
    // far outside the defined domain -1 ... 1
    FX.flags |= IE;
    return INDEFINITE;
  }
  const X = fixAbs(x);
  const y = (X * LN2_FIX) >> FB;
  const r = expm1Fix(x.s !== 0 ? -y : y);
  return inexact(r < 0n ? 1 : 0, r < 0n ? -r : r, -FBITS, rc);
}

/** y * v where v = l * 2^(-FBITS) is a fixed-point (approximate) logarithm. */
function timesLog(y: F80, l: bigint, rc: number): F80 {
  const s = (l < 0n ? 1 : 0) ^ y.s;
  const mag = l < 0n ? -l : l;
  return inexact(s, mag * y.m, exp2Of(y) - FBITS, rc);
}

/** fyl2x: y * log2(x). */
export function fyl2x(x: F80, y: F80, rc: number): F80 {
  const kx = kind(x);
  const ky = kind(y);
  if (isNaNKind(kx) || isNaNKind(ky)) return nanResult2(x, kx, y, ky);
  if (x.s !== 0 && kx !== K_ZERO) {
    FX.flags |= IE;
    return INDEFINITE;
  }
  denormals(kx, ky);
  const isOne = kx !== K_ZERO && kx !== K_INF && x.m === 1n << 63n && x.e === 0x3fff;
  if (kx === K_ZERO) {
    if (ky === K_ZERO) {
      FX.flags = (FX.flags & ~DE) | IE;
      return INDEFINITE;
    }
    FX.flags &= ~DE;
    if (ky !== K_INF) FX.flags |= ZE;
    return inf(y.s ^ 1);
  }
  if (kx === K_INF) {
    if (ky === K_ZERO) {
      FX.flags |= IE;
      return INDEFINITE;
    }
    return inf(y.s);
  }
  if (ky === K_INF) {
    if (isOne) {
      FX.flags |= IE;
      return INDEFINITE;
    }
    return inf(leadExp2(x) >= 0 ? y.s : y.s ^ 1);
  }
  if (isOne) return zero(y.s);
  if (ky === K_ZERO) return zero(leadExp2(x) >= 0 ? y.s : y.s ^ 1);
  const e = leadExp2(x);
  const n = bitLength(x.m);
  const m = x.m << BigInt(64 - n); // normalised significand, 2^63 <= m < 2^64
  if (m === 1n << 63n) {
    // a power of two: the logarithm is the integer e (the hardware still reports it inexact)
    const r = roundTo80(e < 0 ? y.s ^ 1 : y.s, BigInt(Math.abs(e)) * y.m, exp2Of(y), EXT64, rc);
    FX.flags |= kind(r) === K_DENORMAL ? PE | UE : PE;
    return r;
  }
  const l = BigInt(e) * FIX_ONE + log2Fix(m << (FB - 63n));
  return timesLog(y, l, rc);
}

/** fyl2xp1: y * log2(x + 1) (defined for |x| < 1 - sqrt(2)/2). */
export function fyl2xp1(x: F80, y: F80, rc: number): F80 {
  const kx = kind(x);
  const ky = kind(y);
  if (isNaNKind(kx) || isNaNKind(ky)) return nanResult2(x, kx, y, ky);
  denormals(kx, ky);
  if (kx === K_ZERO) {
    if (ky === K_INF) {
      FX.flags = (FX.flags & ~DE) | IE;
      return INDEFINITE;
    }
    return zero(x.s ^ y.s);
  }
  if (ky === K_ZERO) {
    if (kx === K_INF) {
      FX.flags |= IE;
      return INDEFINITE;
    }
    return zero(x.s ^ y.s);
  }
  if (kx === K_INF) {
    if (x.s === 0) return inf(y.s);
    FX.flags = (FX.flags & ~DE) | IE;
    return INDEFINITE;
  }
  if (ky === K_INF) return inf(x.s ^ y.s);
  if (leadExp2(x) < -100) {
    // log2(1 + x) = x / ln 2 * (1 - x/2 + ...): the leading term at this precision
    const invLn2 = (FIX_ONE << FB) / LN2_FIX;
    const a = x.m * invLn2 * y.m;
    const e = exp2Of(x) + exp2Of(y) - FBITS;
    return x.s === 0 ? justBelow(y.s, a, e, rc) : inexact(x.s ^ y.s, a, e, rc);
  }
  const v = FIX_ONE + (x.s !== 0 ? -fixAbs(x) : fixAbs(x));
  if (v <= 0n) {
    // x <= -1: outside the domain
    FX.flags |= IE;
    return INDEFINITE;
  }
  return timesLog(y, log2Fix(v), rc);
}

/** fpatan: atan(y / x) in the quadrant of (x, y), -pi ... pi. */
export function fpatan(x: F80, y: F80, rc: number): F80 {
  const kx = kind(x);
  const ky = kind(y);
  if (isNaNKind(kx) || isNaNKind(ky)) return nanResult2(x, kx, y, ky);
  denormals(kx, ky);
  const s = y.s;
  const pi = (n: bigint, d: bigint): F80 => inexact(s, (PI_FIX * n) / d, -FBITS, rc);
  if (ky === K_ZERO) return x.s === 0 ? zero(s) : pi(1n, 1n);
  if (kx === K_ZERO) return pi(1n, 2n);
  if (ky === K_INF) {
    if (kx === K_INF) return x.s === 0 ? pi(1n, 4n) : pi(3n, 4n);
    return pi(1n, 2n);
  }
  if (kx === K_INF) return x.s === 0 ? zero(s) : pi(1n, 1n);
  const d = leadExp2(y) - leadExp2(x);
  if (d < -100 && x.s === 0) {
    // atan(r) = r (1 - r^2/3 ...): the quotient at this precision
    const q = (y.m << (FB + 64n)) / x.m;
    return justBelow(s, q, exp2Of(y) - exp2Of(x) - FBITS - 64, rc);
  }
  let a: bigint;
  if (d > 100) a = PI_FIX / 2n;
  else if (d < -100) a = 0n;
  else {
    const r = ratioFix(y, x);
    a = r <= FIX_ONE ? atanFix(r) : PI_FIX / 2n - atanFix(ratioFix(x, y));
  }
  if (x.s !== 0) a = PI_FIX - a;
  return inexact(s, a, -FBITS, rc);
}

// ------------------------------------------------------------------ trigonometric functions

/** sin and cos of a fixed-point |r| <= pi/4 (Taylor series). */
function sinCosFix(r: bigint): [bigint, bigint] {
  const r2 = (r * r) >> FB;
  let sin = 0n;
  let term = r;
  for (let k = 2n; term !== 0n; k += 2n) {
    sin += term;
    term = -((term * r2) >> FB) / (k * (k + 1n));
  }
  let cos = 0n;
  term = FIX_ONE;
  for (let k = 1n; term !== 0n; k += 2n) {
    cos += term;
    term = -((term * r2) >> FB) / (k * (k + 1n));
  }
  return [sin, cos];
}

/** Largest |x| the x87 reduces: beyond it fsin/fcos/fsincos/fptan set C2 and leave ST(0) alone. */
export function trigOutOfRange(x: F80): boolean {
  const k = kind(x);
  return (k === K_NORMAL || k === K_DENORMAL) && leadExp2(x) >= 63;
}

/**
 * sin and cos of a finite x with |x| < 2^63 as fixed-point values, reduced with a 256-bit pi
 * (exact for the 64-bit arguments, unlike the hardware's shorter pi for large arguments).
 */
function sinCosOf(x: F80): [bigint, bigint] {
  const X = (x.s !== 0 ? -1n : 1n) * fixAbs(x);
  const halfPi = PI_FIX >> 1n;
  // nearest multiple of pi/2 (floor division of X + pi/4)
  const y = X + (halfPi >> 1n);
  const kk = y >= 0n ? y / halfPi : -((-y + halfPi - 1n) / halfPi);
  const r = X - kk * halfPi;
  const [s, c] = sinCosFix(r);
  switch (Number(((kk % 4n) + 4n) % 4n)) {
    case 0:
      return [s, c];
    case 1:
      return [c, -s];
    case 2:
      return [-s, -c];
    default:
      return [-c, s];
  }
}

function fromFix(v: bigint, rc: number): F80 {
  if (v === 0n) return zero(0);
  return inexact(v < 0n ? 1 : 0, v < 0n ? -v : v, -FBITS, rc);
}

/** fsin / fcos / fptan of a finite in-range value; `which` 0 sin, 1 cos, 2 tan. */
export function trig(x: F80, which: number, rc: number): F80 {
  const k = kind(x);
  if (isNaNKind(k)) return nanResult1(x, k);
  if (k === K_INF) {
    FX.flags |= IE;
    return INDEFINITE;
  }
  if (k === K_ZERO) return which === 1 ? f80(0, 0x3fff, 1n << 63n) : x;
  denormals(k);
  if (leadExp2(x) < -100) {
    // sin x = x - x^3/6, tan x = x + x^3/3, cos x = 1 - x^2/2
    if (which === 1) return justBelow(0, 1n << 64n, -64, rc);
    return which === 0 ? justBelow(x.s, x.m, exp2Of(x), rc) : inexact(x.s, x.m, exp2Of(x), rc);
  }
  const [s, c] = sinCosOf(x);
  if (which === 0) return fromFix(s, rc);
  if (which === 1) return fromFix(c, rc);
  const t = (s << FB) / c;
  return fromFix(t, rc);
}
