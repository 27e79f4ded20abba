/**
 * Exact 80-bit extended-precision arithmetic for the x87 FPU, as the hardware computes it.
 *
 * A value is an `F80`: sign, 15-bit biased exponent and 64-bit significand with its explicit integer
 * bit (the memory format). Arithmetic is done exactly on BigInt integers (every finite value is
 * m * 2^e) and rounded once, at the precision the control word's PC field asks (24, 53 or 64 bits,
 * the exponent range stays 15 bits) in the RC rounding mode. Conversions to float32/float64 round
 * to those formats (PC does not apply). Tininess is detected after rounding, as on x86.
 *
 * Exceptions are reported in `FX.flags` (status-word bit positions) and `FX.c1` (the "rounded up"
 * condition bit); the instruction layer merges them into the status word. The results are those of
 * masked exceptions: QNaN indefinite for invalid operations, infinities for division by zero, and
 * infinity or the largest finite value on overflow, depending on the rounding mode.
 *
 * Operand classes follow the hardware: unnormals, pseudo-NaNs and pseudo-infinities (integer bit
 * clear with a non-zero exponent) are invalid operands; pseudo-denormals (exponent 0, integer bit
 * set) are read as denormals with the exponent of the smallest normal.
 */

export interface F80 {
  /** 0 or 1. */
  readonly s: number;
  /** Biased exponent, 0 ... 0x7fff. */
  readonly e: number;
  /** The 64-bit significand, integer bit included (0 <= m < 2^64). */
  readonly m: bigint;
}

/** Status-word exception bits. */
export const IE = 0x01;
export const DE = 0x02;
export const ZE = 0x04;
export const OE = 0x08;
export const UE = 0x10;
export const PE = 0x20;
export const SF = 0x40;

/** Rounding control values. */
export const RC_NEAREST = 0;
export const RC_DOWN = 1;
export const RC_UP = 2;
export const RC_ZERO = 3;

/** Exceptions raised and the C1 "rounded up" bit of the last operations (reset by the caller). */
export const FX = {
  flags: 0,
  c1: 0,
  /** C1 as the instruction defines it before any rounding (kept when it does not complete). */
  c1Base: 0,
  cw: 0x37f,
};

/** Exponent bias adjustment of a result that overflows or underflows with the exception unmasked. */
const BIAS_ADJUST = 24576;

export const INT_BIT = 1n << 63n;
const QUIET_BIT = 1n << 62n;
const M64 = (1n << 64n) - 1n;
const EMIN = -16382;
const EMAX = 16383;
const BIAS = 16383;

export function f80(s: number, e: number, m: bigint): F80 {
  return { s, e, m };
}

export const POS_ZERO = f80(0, 0, 0n);
export const NEG_ZERO = f80(1, 0, 0n);
export const ONE = f80(0, BIAS, INT_BIT);
/** The QNaN "real indefinite" produced by masked invalid operations. */
export const INDEFINITE = f80(1, 0x7fff, 0xc000000000000000n);

export function zero(s: number): F80 {
  return s !== 0 ? NEG_ZERO : POS_ZERO;
}

export function inf(s: number): F80 {
  return f80(s, 0x7fff, INT_BIT);
}

// ------------------------------------------------------------------ classification

export const K_ZERO = 0;
export const K_DENORMAL = 1;
export const K_NORMAL = 2;
export const K_INF = 3;
export const K_QNAN = 4;
export const K_SNAN = 5;
/** Unnormal, pseudo-NaN, pseudo-infinity: invalid operands. */
export const K_INVALID = 6;

export function kind(x: F80): number {
  const j = (x.m & INT_BIT) !== 0n;
  if (x.e === 0) return x.m === 0n ? K_ZERO : K_DENORMAL;
  if (!j) return K_INVALID;
  if (x.e === 0x7fff) {
    if (x.m === INT_BIT) return K_INF;
    return (x.m & QUIET_BIT) !== 0n ? K_QNAN : K_SNAN;
  }
  return K_NORMAL;
}

export function isNaNKind(k: number): boolean {
  return k === K_QNAN || k === K_SNAN || k === K_INVALID;
}

/** The exponent of the lowest significand bit: the value is m * 2^exp2(x) (finite x). */
export function exp2Of(x: F80): number {
  return (x.e === 0 ? 1 : x.e) - BIAS - 63;
}

/** The unbiased exponent of the leading bit of a finite non-zero value. */
export function leadExp2(x: F80): number {
  return exp2Of(x) + bitLength(x.m) - 1;
}

export function bitLength(v: bigint): number {
  // v > 0
  if (v < 0x100000000n) return 32 - Math.clz32(Number(v));
  if (v < 0x10000000000000000n) return 64 - Math.clz32(Number(v >> 32n));
  let n = 0;
  let t = v;
  while (t >= 0x10000000000000000n) {
    t >>= 64n;
    n += 64;
  }
  return n + bitLength(t);
}

// ------------------------------------------------------------------ rounding

/** A rounding target: significand bits, smallest normal exponent, largest exponent. */
export interface Format {
  prec: number;
  emin: number;
  emax: number;
}

export const EXT64: Format = { prec: 64, emin: EMIN, emax: EMAX };
export const EXT53: Format = { prec: 53, emin: EMIN, emax: EMAX };
export const EXT24: Format = { prec: 24, emin: EMIN, emax: EMAX };
export const DOUBLE: Format = { prec: 53, emin: -1022, emax: 1023 };
export const SINGLE: Format = { prec: 24, emin: -126, emax: 127 };

/** The extended format for a control word's precision-control field. */
export function pcFormat(cw: number): Format {
  const pc = (cw >> 8) & 3;
  return pc === 0 ? EXT24 : pc === 2 ? EXT53 : EXT64;
}

/** Result of `round`: q * 2^lsb (q >= 0), or an infinity (q = -1n). */
const R = { q: 0n, lsb: 0 };

/** Shifts right by sh bits rounding with `rc` for sign s; sets the flags. */
function roundShift(
  mant: bigint,
  sh: number,
  s: number,
  rc: number,
): { q: bigint; inexact: boolean; up: boolean } {
  if (sh <= 0) return { q: mant << BigInt(-sh), inexact: false, up: false };
  const bsh = BigInt(sh);
  let q = mant >> bsh;
  const r = mant & ((1n << bsh) - 1n);
  if (r === 0n) return { q, inexact: false, up: false };
  const half = 1n << (bsh - 1n);
  let up: boolean;
  switch (rc) {
    case RC_NEAREST:
      up = r > half || (r === half && (q & 1n) !== 0n);
      break;
    case RC_DOWN:
      up = s !== 0;
      break;
    case RC_UP:
      up = s === 0;
      break;
    default:
      up = false;
  }
  if (up) q += 1n;
  return { q, inexact: true, up };
}

/**
 * Rounds the exact value (-1)^s * mant * 2^exp2 (mant > 0) to format f with rounding control rc.
 * Sets R (q = -1n for infinity) and the exception flags. A caller that cannot give the exact value
 * gives one with a sticky bit below at least two guard bits.
 */
function round(s: number, mant: bigint, exp2: number, f: Format, rc: number): void {
  const n = bitLength(mant);
  const E = exp2 + n - 1;
  const lsb = Math.max(E, f.emin) - (f.prec - 1);
  const r = roundShift(mant, lsb - exp2, s, rc);
  let q = r.q;
  let tiny = false;
  if (E < f.emin) {
    tiny = true;
    if (E === f.emin - 1) {
      // Tininess after rounding: would the value rounded with an unbounded exponent reach 2^emin?
      const u = roundShift(mant, E - (f.prec - 1) - exp2, s, rc);
      if (bitLength(u.q) > f.prec) tiny = false;
    }
  }
  if (tiny && (FX.cw & UE) === 0 && E + BIAS_ADJUST < f.emin && f.emax === EMAX) {
    // Unmasked and beyond the bias-adjust range (fscale): a signed zero.
    FX.flags |= UE | PE;
    FX.c1 = 0;
    R.q = 0n;
    R.lsb = 0;
    return;
  }
  if (tiny && (FX.cw & UE) === 0 && E + BIAS_ADJUST >= f.emin) {
    // Unmasked underflow: flagged even when exact; a register result is scaled up by 2^24576; a
    // store is not done (and reports no precision exception).
    FX.flags |= UE;
    if (f.emax !== EMAX) {
      R.q = 0n;
      R.lsb = 0;
      return;
    }
    {
      const u = roundShift(mant, E - (f.prec - 1) - exp2, s, rc);
      if (u.inexact) {
        FX.flags |= PE;
        if (u.up) FX.c1 = 1;
      }
      R.q = u.q;
      R.lsb = E - (f.prec - 1) + BIAS_ADJUST;
      return;
    }
  }
  if (f.emax !== EMAX && (FX.cw & OE) === 0 && lsb + bitLength(q) - 1 > f.emax) {
    // Unmasked overflow in a store: not done, no precision exception.
    FX.flags |= OE;
    R.q = 0n;
    R.lsb = 0;
    return;
  }
  if (r.inexact) {
    FX.flags |= PE;
    if (tiny) FX.flags |= UE;
    if (r.up) FX.c1 = 1;
  }
  if (q === 0n) {
    R.q = 0n;
    R.lsb = 0;
    return;
  }
  const n2 = bitLength(q);
  const E2 = lsb + n2 - 1;
  if (E2 > f.emax && (FX.cw & OE) === 0 && E2 - BIAS_ADJUST <= f.emax) {
    // Unmasked overflow: a register result is scaled down by 2^24576 (a store is not done); beyond
    // that range (fscale) the masked result is delivered.
    FX.flags |= OE;
    R.q = q;
    R.lsb = lsb - BIAS_ADJUST;
    return;
  }
  if (E2 > f.emax && (FX.cw & OE) === 0 && f.emax === EMAX) {
    // Unmasked and beyond the bias-adjust range: infinity whatever the rounding mode.
    FX.flags |= OE | PE;
    FX.c1 = 1;
    R.q = -1n;
    return;
  }
  if (E2 > f.emax) {
    FX.flags |= OE | PE;
    const toInf = rc === RC_NEAREST || (rc === RC_UP && s === 0) || (rc === RC_DOWN && s !== 0);
    if (toInf) {
      FX.c1 = 1;
      R.q = -1n;
      return;
    }
    FX.c1 = 0;
    q = (1n << BigInt(f.prec)) - 1n;
    R.q = q;
    R.lsb = f.emax - (f.prec - 1);
    return;
  }
  R.q = q;
  R.lsb = lsb;
}

/** Packs R into an F80. */
function pack80(s: number): F80 {
  const q = R.q;
  if (q === 0n) return zero(s);
  if (q < 0n) return inf(s);
  const n = bitLength(q);
  const E = R.lsb + n - 1;
  if (E >= EMIN) return f80(s, E + BIAS, q << BigInt(63 - (n - 1)));
  return f80(s, 0, q << BigInt(R.lsb - (EMIN - 63)));
}

/** Rounds an exact value to an extended register value (format from PC). */
export function roundTo80(s: number, mant: bigint, exp2: number, f: Format, rc: number): F80 {
  if (mant === 0n) return zero(s);
  round(s, mant, exp2, f, rc);
  return pack80(s);
}

// ------------------------------------------------------------------ NaNs

function quiet(x: F80): F80 {
  return f80(x.s, x.e, x.m | QUIET_BIT);
}

/** The NaN result of a one-operand operation on NaN or invalid operand x. */
export function nanResult1(x: F80, k: number): F80 {
  if (k === K_QNAN) return x;
  FX.flags |= IE;
  return k === K_SNAN ? quiet(x) : INDEFINITE;
}

/** The NaN result of a two-operand operation where at least one operand is a NaN (x87 rules). */
export function nanResult2(a: F80, ka: number, b: F80, kb: number): F80 {
  if (ka === K_INVALID || kb === K_INVALID) {
    FX.flags |= IE;
    return INDEFINITE;
  }
  if (ka === K_SNAN || kb === K_SNAN) FX.flags |= IE;
  const an = ka === K_QNAN || ka === K_SNAN;
  const bn = kb === K_QNAN || kb === K_SNAN;
  if (an && bn) {
    if (ka === K_SNAN && kb === K_QNAN) return b;
    if (kb === K_SNAN && ka === K_QNAN) return a;
    const ma = a.m | QUIET_BIT;
    const mb = b.m | QUIET_BIT;
    if (ma > mb) return quiet(a);
    if (mb > ma) return quiet(b);
    return quiet(a.s === 0 ? a : b);
  }
  return quiet(an ? a : b);
}

// ------------------------------------------------------------------ arithmetic

function denormalCheck(ka: number, kb: number): void {
  if (ka === K_DENORMAL || kb === K_DENORMAL) FX.flags |= DE;
}

/** Beyond this exponent distance the smaller addend only acts as a sticky bit. */
const FAR = 200;

export function add(a: F80, b: F80, f: Format, rc: number): F80 {
  const ka = kind(a);
  const kb = kind(b);
  if (isNaNKind(ka) || isNaNKind(kb)) return nanResult2(a, ka, b, kb);
  if (ka === K_INF || kb === K_INF) {
    if (ka === K_INF && kb === K_INF && a.s !== b.s) {
      FX.flags |= IE;
      return INDEFINITE;
    }
    denormalCheck(ka, kb);
    return ka === K_INF ? a : b;
  }
  denormalCheck(ka, kb);
  if (ka === K_ZERO && kb === K_ZERO) {
    if (a.s === b.s) return a;
    return zero(rc === RC_DOWN ? 1 : 0);
  }
  if (ka === K_ZERO) return roundTo80(b.s, b.m, exp2Of(b), f, rc);
  if (kb === K_ZERO) return roundTo80(a.s, a.m, exp2Of(a), f, rc);
  let ea = exp2Of(a);
  let eb = exp2Of(b);
  let ma = a.m;
  let mb = b.m;
  if (ea - eb > FAR) {
    ma <<= 3n;
    ea -= 3;
    mb = 1n;
    eb = ea;
  } else if (eb - ea > FAR) {
    mb <<= 3n;
    eb -= 3;
    ma = 1n;
    ea = eb;
  }
  const e = Math.min(ea, eb);
  const va = (a.s !== 0 ? -ma : ma) << BigInt(ea - e);
  const vb = (b.s !== 0 ? -mb : mb) << BigInt(eb - e);
  const sum = va + vb;
  if (sum === 0n) return zero(rc === RC_DOWN ? 1 : 0);
  return roundTo80(sum < 0n ? 1 : 0, sum < 0n ? -sum : sum, e, f, rc);
}

export function neg(x: F80): F80 {
  return f80(x.s ^ 1, x.e, x.m);
}

export function sub(a: F80, b: F80, f: Format, rc: number): F80 {
  const ka = kind(a);
  const kb = kind(b);
  if (isNaNKind(ka) || isNaNKind(kb)) return nanResult2(a, ka, b, kb);
  return add(a, neg(b), f, rc);
}

export function mul(a: F80, b: F80, f: Format, rc: number): F80 {
  const ka = kind(a);
  const kb = kind(b);
  if (isNaNKind(ka) || isNaNKind(kb)) return nanResult2(a, ka, b, kb);
  const s = a.s ^ b.s;
  if (ka === K_INF || kb === K_INF) {
    if (ka === K_ZERO || kb === K_ZERO) {
      FX.flags |= IE;
      return INDEFINITE;
    }
    denormalCheck(ka, kb);
    return inf(s);
  }
  denormalCheck(ka, kb);
  if (ka === K_ZERO || kb === K_ZERO) return zero(s);
  return roundTo80(s, a.m * b.m, exp2Of(a) + exp2Of(b), f, rc);
}

export function div(a: F80, b: F80, f: Format, rc: number): F80 {
  const ka = kind(a);
  const kb = kind(b);
  if (isNaNKind(ka) || isNaNKind(kb)) return nanResult2(a, ka, b, kb);
  const s = a.s ^ b.s;
  if (ka === K_INF) {
    if (kb === K_INF) {
      FX.flags |= IE;
      return INDEFINITE;
    }
    denormalCheck(ka, kb);
    return inf(s);
  }
  if (kb === K_INF) {
    denormalCheck(ka, kb);
    return zero(s);
  }
  if (kb === K_ZERO) {
    if (ka === K_ZERO) {
      FX.flags |= IE;
      return INDEFINITE;
    }
    FX.flags |= ZE;
    return inf(s);
  }
  denormalCheck(ka, kb);
  if (ka === K_ZERO) return zero(s);
  // Quotient with at least 66 significant bits and a sticky bit.
  const shift = 66 + bitLength(b.m) - bitLength(a.m) + 1;
  const num = a.m << BigInt(shift);
  let q = num / b.m;
  const r = num - q * b.m;
  q = (q << 1n) | (r !== 0n ? 1n : 0n);
  return roundTo80(s, q, exp2Of(a) - exp2Of(b) - shift - 1, f, rc);
}

/** Integer square root (floor). */
export function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt((bitLength(n) >> 1) + 1);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

export function sqrt(x: F80, f: Format, rc: number): F80 {
  const k = kind(x);
  if (isNaNKind(k)) return nanResult1(x, k);
  if (k === K_ZERO) return x;
  if (x.s !== 0) {
    // A negative denormal is invalid without DE (measured on the CPU).
    FX.flags |= IE;
    return INDEFINITE;
  }
  if (k === K_INF) return x;
  if (k === K_DENORMAL) FX.flags |= DE;
  let m = x.m;
  let e = exp2Of(x);
  if ((e & 1) !== 0) {
    m <<= 1n;
    e -= 1;
  }
  const sh = 140 - (bitLength(m) & ~1);
  const n = m << BigInt(sh);
  let root = isqrt(n);
  const exact = root * root === n;
  root = (root << 1n) | (exact ? 0n : 1n);
  return roundTo80(0, root, (e - sh) / 2 - 1, f, rc);
}

// ------------------------------------------------------------------ comparison

/** -1, 0, 1 for a < b, a = b, a > b; 2 when unordered. Sets IE for SNaN (or any NaN if signaling). */
export function compare(a: F80, b: F80, signaling: boolean): number {
  const ka = kind(a);
  const kb = kind(b);
  if (isNaNKind(ka) || isNaNKind(kb)) {
    if (signaling || ka === K_SNAN || kb === K_SNAN || ka === K_INVALID || kb === K_INVALID) FX.flags |= IE;
    return 2;
  }
  denormalCheck(ka, kb);
  const va = value(a, ka);
  const vb = value(b, kb);
  if (va === null || vb === null) {
    const ia = ka === K_INF ? (a.s !== 0 ? -1 : 1) : 0;
    const ib = kb === K_INF ? (b.s !== 0 ? -1 : 1) : 0;
    if (ia !== 0 && ib !== 0) return ia === ib ? 0 : ia < ib ? -1 : 1;
    return ia !== 0 ? ia : -ib;
  }
  const e = Math.min(va[1], vb[1]);
  const x = va[0] << BigInt(va[1] - e);
  const y = vb[0] << BigInt(vb[1] - e);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** A finite value as [signed mantissa, exp2], or null for infinity. */
function value(x: F80, k: number): [bigint, number] | null {
  if (k === K_INF) return null;
  if (k === K_ZERO) return [0n, 0];
  return [x.s !== 0 ? -x.m : x.m, exp2Of(x)];
}

// ------------------------------------------------------------------ integers

/** Rounds x to an integral value in mode rc (frndint): the exact integer as a bigint, or null if not finite. */
export function toInteger(x: F80, rc: number): bigint | null {
  const k = kind(x);
  if (k === K_ZERO) return 0n;
  if (k !== K_NORMAL && k !== K_DENORMAL) return null;
  const e = exp2Of(x);
  if (e >= 0) return (x.s !== 0 ? -1n : 1n) * (x.m << BigInt(e));
  const r = roundShift(x.m, Math.min(-e, 70), x.s, rc);
  if (r.inexact) {
    FX.flags |= PE;
    if (r.up) FX.c1 = 1;
  }
  return x.s !== 0 ? -r.q : r.q;
}

/** frndint. */
export function roundInt(x: F80, rc: number): F80 {
  const k = kind(x);
  if (isNaNKind(k)) return nanResult1(x, k);
  if (k === K_DENORMAL) FX.flags |= DE;
  if (k === K_ZERO || k === K_INF) return x;
  if (exp2Of(x) >= 0) return x;
  const v = toInteger(x, rc)!;
  if (v === 0n) return zero(x.s);
  return fromInt(v < 0n ? -v : v, x.s);
}

/** An exact integer magnitude (below 2^64) with sign s as an F80. */
export function fromInt(mag: bigint, s: number): F80 {
  if (mag === 0n) return zero(s);
  const n = bitLength(mag);
  return f80(s, n - 1 + BIAS, mag << BigInt(64 - n));
}

/** fist/fistp/fisttp: the integer of `bits` width, or the integer indefinite (IE) when out of range. */
export function toIntBits(x: F80, rc: number, bits: number): bigint {
  const indefinite = 1n << BigInt(bits - 1);
  const flags = FX.flags;
  const c1 = FX.c1;
  const v = toInteger(x, rc);
  if (v === null || v >= indefinite || v < -indefinite) {
    FX.flags = flags | IE;
    FX.c1 = c1;
    return indefinite;
  }
  return BigInt.asUintN(bits, v);
}

// ------------------------------------------------------------------ memory formats

export function fromDouble(lo: number, hi: number): F80 {
  const s = hi >>> 31;
  const e = (hi >>> 20) & 0x7ff;
  const frac = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo >>> 0);
  if (e === 0x7ff) {
    if (frac === 0n) return inf(s);
    return f80(s, 0x7fff, INT_BIT | (frac << 11n));
  }
  if (e === 0) {
    if (frac === 0n) return zero(s);
    FX.flags |= DE;
    return fromExact(s, frac, -1074);
  }
  return f80(s, e - 1023 + BIAS, INT_BIT | (frac << 11n));
}

export function fromFloat(w: number): F80 {
  const s = w >>> 31;
  const e = (w >>> 23) & 0xff;
  const frac = BigInt(w & 0x7fffff);
  if (e === 0xff) {
    if (frac === 0n) return inf(s);
    return f80(s, 0x7fff, INT_BIT | (frac << 40n));
  }
  if (e === 0) {
    if (frac === 0n) return zero(s);
    FX.flags |= DE;
    return fromExact(s, frac, -149);
  }
  return f80(s, e - 127 + BIAS, INT_BIT | (frac << 40n));
}

/** An exactly representable normal value mant * 2^exp2 (mant < 2^64). */
function fromExact(s: number, mant: bigint, exp2: number): F80 {
  const n = bitLength(mant);
  return f80(s, exp2 + n - 1 + BIAS, mant << BigInt(64 - n));
}

/** Rounds x to a float64 for a store: [lo, hi] words. */
export function toDouble(x: F80, rc: number): [number, number] {
  const k = kind(x);
  const sb = x.s << 31;
  if (isNaNKind(k)) {
    let m = x.m;
    if (k === K_INVALID) {
      FX.flags |= IE;
      m = INDEFINITE.m;
      return [0, (0xfff80000 | 0) >>> 0];
    }
    if (k === K_SNAN) FX.flags |= IE;
    m |= QUIET_BIT;
    const frac = (m >> 11n) & ((1n << 52n) - 1n);
    return [Number(frac & 0xffffffffn), (sb | 0x7ff00000 | Number(frac >> 32n)) >>> 0];
  }
  if (k === K_INF) return [0, (sb | 0x7ff00000) >>> 0];
  if (k === K_ZERO) return [0, sb >>> 0];
  round(x.s, x.m, exp2Of(x), DOUBLE, rc);
  const q = R.q;
  if (q === 0n) return [0, sb >>> 0];
  if (q < 0n) return [0, (sb | 0x7ff00000) >>> 0];
  const n = bitLength(q);
  const E = R.lsb + n - 1;
  let bits: bigint;
  if (E >= -1022) bits = (BigInt(E + 1023) << 52n) | ((q << BigInt(53 - n)) & ((1n << 52n) - 1n));
  else bits = q << BigInt(R.lsb + 1074);
  return [Number(bits & 0xffffffffn), (sb | Number(bits >> 32n)) >>> 0];
}

/** Rounds x to a float32 for a store. */
export function toFloat(x: F80, rc: number): number {
  const k = kind(x);
  const sb = x.s << 31;
  if (isNaNKind(k)) {
    if (k === K_INVALID) {
      FX.flags |= IE;
      return 0xffc00000;
    }
    if (k === K_SNAN) FX.flags |= IE;
    const frac = Number(((x.m | QUIET_BIT) >> 40n) & 0x7fffffn);
    return (sb | 0x7f800000 | frac) >>> 0;
  }
  if (k === K_INF) return (sb | 0x7f800000) >>> 0;
  if (k === K_ZERO) return sb >>> 0;
  round(x.s, x.m, exp2Of(x), SINGLE, rc);
  const q = R.q;
  if (q === 0n) return sb >>> 0;
  if (q < 0n) return (sb | 0x7f800000) >>> 0;
  const n = bitLength(q);
  const E = R.lsb + n - 1;
  let bits: number;
  if (E >= -126) bits = ((E + 127) << 23) | (Number(q << BigInt(24 - n)) & 0x7fffff);
  else bits = Number(q << BigInt(R.lsb + 149));
  return (sb | bits) >>> 0;
}

/** The 64-bit significand as two uint32 words. */
export function words(x: F80): [number, number] {
  return [Number(x.m & 0xffffffffn), Number((x.m >> 32n) & 0xffffffffn)];
}

export function fromWords(lo: number, hi: number, se: number): F80 {
  return f80((se >> 15) & 1, se & 0x7fff, ((BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0)) & M64);
}
