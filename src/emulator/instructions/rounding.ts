/**
 * Directed rounding (MXCSR.RC = down, up, toward zero) for SSE arithmetic and conversions.
 *
 * JS computes in round-to-nearest. In another mode the correctly rounded result is the nearest
 * result or one of its neighbours, so we decide which by comparing the candidate with the exact
 * value, exactly, with BigInt: every double is m * 2^e with integers m, e. This slow path only runs
 * when a program has changed the rounding mode.
 */

export const RC_NEAREST = 0;
export const RC_DOWN = 1;
export const RC_UP = 2;
export const RC_ZERO = 3;

const F64 = new Float64Array(1);
const U64 = new BigUint64Array(F64.buffer);
const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

/** A finite double as m * 2^e (m signed integer). */
function parts(v: number): [bigint, number] {
  F64[0] = v;
  const bits = U64[0];
  const neg = bits >> 63n !== 0n;
  const exp = Number((bits >> 52n) & 0x7ffn);
  let m = bits & 0xfffffffffffffn;
  let e: number;
  if (exp === 0) e = -1074;
  else {
    m |= 1n << 52n;
    e = exp - 1075;
  }
  return [neg ? -m : m, e];
}

function align(terms: [bigint, number][]): bigint[] {
  const emin = Math.min(...terms.map((t) => t[1]));
  return terms.map(([m, e]) => m << BigInt(e - emin));
}

function sign(v: bigint): number {
  return v > 0n ? 1 : v < 0n ? -1 : 0;
}

/** The sign of (exact result - r) for op on finite a, b. */
function errorSign(op: number, a: number, b: number, r: number): number {
  const pr = parts(r);
  switch (op) {
    case 0: // add
    case 1: {
      // sub
      const pa = parts(a);
      const pb = parts(op === 0 ? b : -b);
      const [x, y, z] = align([pa, pb, pr]);
      return sign(x + y - z);
    }
    case 2: {
      const [ma, ea] = parts(a);
      const [mb, eb] = parts(b);
      const [x, z] = align([[ma * mb, ea + eb], pr]);
      return sign(x - z);
    }
    case 3: {
      // a/b - r has the sign of (a - r*b) * sign(b)
      const [mb, eb] = parts(b);
      const [x, z] = align([parts(a), [pr[0] * mb, pr[1] + eb]]);
      return sign(x - z) * (b < 0 ? -1 : 1);
    }
    default: {
      // sqrt(b) - r has the sign of b - r*r (r >= 0)
      const [x, z] = align([parts(b), [pr[0] * pr[0], 2 * pr[1]]]);
      return sign(x - z);
    }
  }
}

function next64(v: number, up: boolean): number {
  if (v === 0) return up ? Number.MIN_VALUE : -Number.MIN_VALUE;
  F64[0] = v;
  U64[0] += v > 0 === up ? 1n : -1n;
  return F64[0];
}

function next32(v: number, up: boolean): number {
  if (v === 0) return up ? 2 ** -149 : -(2 ** -149);
  F32[0] = v;
  U32[0] += v > 0 === up ? 1 : -1;
  return F32[0];
}

/**
 * Adjusts `r` (the round-to-nearest result of op on a, b, in the given precision) to `mode`.
 * op: 0 add, 1 sub, 2 mul, 3 div, 4 sqrt (of b). `single` for float32 results.
 */
export function directed(op: number, a: number, b: number, r: number, mode: number, single: boolean): number {
  if (r !== r) return r;
  const max = single ? 3.4028234663852886e38 : Number.MAX_VALUE;
  if (!Number.isFinite(r)) {
    // an infinite operand or a division by zero gives an exact infinity; otherwise it overflowed
    if (!Number.isFinite(a) || !Number.isFinite(b) || (op === 3 && b === 0)) return r;
    // overflow
    if (mode === RC_ZERO || (mode === RC_DOWN && r > 0) || (mode === RC_UP && r < 0))
      return r > 0 ? max : -max;
    return r;
  }
  if (!Number.isFinite(a) || !Number.isFinite(b)) return r;
  const s = errorSign(op, a, b, r);
  if (s === 0) {
    // an exact zero sum of operands of opposite sign is -0 when rounding down
    if (r === 0 && (op === 0 || op === 1) && mode === RC_DOWN && !Object.is(r, -0)) {
      const bb = op === 0 ? b : -b;
      if (!(Object.is(a, 0) && Object.is(bb, 0))) return -0;
    }
    return r;
  }
  return step(r, s, mode, single);
}

/** Rounds the exact value whose difference to r has sign s (non-zero), per mode. */
function step(r: number, s: number, mode: number, single: boolean): number {
  const next = single ? next32 : next64;
  switch (mode) {
    case RC_DOWN:
      return s < 0 ? next(r, false) : r;
    case RC_UP:
      return s > 0 ? next(r, true) : r;
    default:
      // toward zero: step back when r is farther from zero than the exact value
      if (r > 0 && s < 0) return next(r, false);
      if (r < 0 && s > 0) return next(r, true);
      return r;
  }
}

/** Rounds an exact value (a double v, or a 64-bit integer n) to float32 (single) or double per mode. */
export function roundExact(v: number, n: bigint | null, mode: number, single: boolean): number {
  let r: number;
  if (n !== null) {
    r = Number(n); // nearest (BigInt → Number rounds to nearest, ties to even)
    if (single) r = nearestF32(n);
  } else r = single ? Math.fround(v) : v;
  if (mode === RC_NEAREST || r !== r) return r;
  let s: number;
  if (n !== null) {
    const [x, z] = align([[n, 0], parts(r)]);
    s = sign(x - z);
  } else {
    if (!Number.isFinite(v)) return r;
    if (!Number.isFinite(r)) {
      // float32 overflow of a finite double
      if (mode === RC_ZERO || (mode === RC_DOWN && r > 0) || (mode === RC_UP && r < 0))
        return r > 0 ? 3.4028234663852886e38 : -3.4028234663852886e38;
      return r;
    }
    const [x, z] = align([parts(v), parts(r)]);
    s = sign(x - z);
  }
  return s === 0 ? r : step(r, s, mode, single);
}

/** Nearest float32 of a 64-bit integer (round to odd at 53 bits, then to 24). */
export function nearestF32(n: bigint): number {
  const neg = n < 0n;
  let a = neg ? -n : n;
  if (a < 1n << 53n) return Math.fround(Number(n));
  const k = a.toString(2).length - 53;
  let t = a >> BigInt(k);
  if ((a & ((1n << BigInt(k)) - 1n)) !== 0n) t |= 1n;
  a = t;
  const r = Math.fround(Number(a) * 2 ** k);
  return neg ? -r : r;
}
