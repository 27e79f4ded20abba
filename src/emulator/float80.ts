/**
 * Software x87 arithmetic on the 80-bit extended format, exact as the hardware computes it: every
 * operation is carried out on exact values (BigInt significands) and rounded once, to the precision
 * and rounding mode of the x87 control word, or to binary32/binary64 when storing.
 *
 * An `F80` is the register image: sign, 15-bit biased exponent, 64-bit significand with its explicit
 * integer bit. Exceptions are reported as x87 status-word bits (IE DE ZE OE UE PE); none is unmasked
 * by the guests we run (Linux starts with all masked), so masked responses are what we produce.
 */

export interface F80 {
  sign: number;
  exp: number;
  mant: bigint;
}

export const IE = 0x01;
export const DE = 0x02;
export const ZE = 0x04;
export const OE = 0x08;
export const UE = 0x10;
export const PE = 0x20;
/** Not an exception: the result was rounded up in magnitude (the x87 reports it in C1). */
export const C1_UP = 0x200;

const INT_BIT = 1n << 63n;
const MANT_MASK = (1n << 64n) - 1n;
/** The "real indefinite" QNaN the x87 produces for invalid operations. */
export const INDEFINITE: F80 = { sign: 1, exp: 0x7fff, mant: 0xc000000000000000n };

export const ZERO: F80 = { sign: 0, exp: 0, mant: 0n };

export function f80(sign: number, exp: number, mant: bigint): F80 {
  return { sign, exp, mant };
}

export function isNaN80(x: F80): boolean {
  return x.exp === 0x7fff && (x.mant & ~INT_BIT) !== 0n;
}
export function isInf80(x: F80): boolean {
  return x.exp === 0x7fff && x.mant === INT_BIT;
}
export function isZero80(x: F80): boolean {
  return x.exp === 0 && x.mant === 0n;
}
/** Unnormals, pseudo-NaNs and pseudo-infinities: formats the x87 rejects as invalid operands. */
export function isUnsupported80(x: F80): boolean {
  return x.exp !== 0 && (x.mant & INT_BIT) === 0n;
}
export function isSNaN80(x: F80): boolean {
  return isNaN80(x) && (x.mant & (1n << 62n)) === 0n;
}

/** A finite value as sig * 2^e (sig >= 0). */
interface Exact {
  sign: number;
  sig: bigint;
  e: number;
}

function exact(x: F80): Exact {
  return { sign: x.sign, sig: x.mant, e: (x.exp === 0 ? 1 : x.exp) - 16383 - 63 };
}

/** The format a rounded result goes to: significand bits, lowest lsb exponent, highest lsb exponent. */
export interface Format {
  p: number;
  minLsb: number;
  maxLsb: number;
}
export const EXT: Format = { p: 64, minLsb: -16445, maxLsb: 32766 - 16383 - 63 };
export const DOUBLE: Format = { p: 53, minLsb: -1074, maxLsb: 971 };
export const SINGLE: Format = { p: 24, minLsb: -149, maxLsb: 104 };

/** Rounding modes (x87 RC field): nearest-even, down, up, toward zero. */
export const RN = 0;
export const RD = 1;
export const RU = 2;
export const RZ = 3;

function bitLength(v: bigint): number {
  return v === 0n ? 0 : v.toString(2).length;
}

/** A rounded finite or infinite result, as sign, significand (up to p bits) and lsb exponent. */
interface Rounded {
  sign: number;
  sig: bigint;
  lsb: number;
  inf: boolean;
  flags: number;
}

/** Rounds sig * 2^e (sticky: nonzero bits lie below sig's lsb) to the format. */
function round(sign: number, sig: bigint, e: number, sticky: boolean, fmt: Format, rc: number): Rounded {
  if (sticky) {
    // Two guard bits: a sticky remainder never looks like an exact half.
    sig = (sig << 2n) | 1n;
    e -= 2;
  }
  if (sig === 0n) return { sign, sig: 0n, lsb: fmt.minLsb, inf: false, flags: 0 };
  const n = bitLength(sig);
  const lsb = Math.max(e + n - fmt.p, fmt.minLsb);
  let q: bigint;
  let flags = 0;
  let out = lsb;
  if (lsb > e) {
    const shift = BigInt(lsb - e);
    q = sig >> shift;
    const rem = sig & ((1n << shift) - 1n);
    if (rem !== 0n) {
      flags |= PE;
      const half = 1n << (shift - 1n);
      let up: boolean;
      switch (rc) {
        case RN:
          up = rem > half || (rem === half && (q & 1n) === 1n);
          break;
        case RD:
          up = sign === 1;
          break;
        case RU:
          up = sign === 0;
          break;
        default:
          up = false;
      }
      // Tiny: the exact result is below the smallest normal (denormal range), and inexact.
      if (q < 1n << BigInt(fmt.p - 1)) flags |= UE;
      if (up) {
        flags |= C1_UP;
        q += 1n;
        if (q === 1n << BigInt(fmt.p)) {
          q >>= 1n;
          out++;
        }
      }
    }
  } else {
    q = sig << BigInt(e - lsb);
  }
  if (out > fmt.maxLsb) {
    flags |= OE | PE;
    const toInf = rc === RN || (rc === RU && sign === 0) || (rc === RD && sign === 1);
    if (toInf) return { sign, sig: 0n, lsb: 0, inf: true, flags: flags | C1_UP };
    return { sign, sig: (1n << BigInt(fmt.p)) - 1n, lsb: fmt.maxLsb, inf: false, flags: flags & ~C1_UP };
  }
  return { sign, sig: q, lsb: out, inf: false, flags };
}

function toF80(r: Rounded): F80 {
  if (r.inf) return { sign: r.sign, exp: 0x7fff, mant: INT_BIT };
  if (r.sig === 0n) return { sign: r.sign, exp: 0, mant: 0n };
  // Normalise to 64 significant bits (a result rounded to fewer bits by precision control).
  const n = bitLength(r.sig);
  let mant = r.sig << BigInt(64 - n);
  let lsb = r.lsb - (64 - n);
  let exp = lsb + 16383 + 63;
  if (exp <= 0) {
    // Denormal: shift back so that the lsb exponent is the format's lowest.
    mant = mant >> BigInt(1 - exp);
    lsb = -16445;
    exp = 0;
  }
  return { sign: r.sign, exp, mant: mant & MANT_MASK };
}

/** Result of an operation: the value and the exception bits it raised. */
export interface Result {
  value: F80;
  flags: number;
}

/** Rounds an exact value to the extended format with the control word's precision and rounding. */
export function roundExact(
  sign: number,
  sig: bigint,
  e: number,
  sticky: boolean,
  precision: number,
  rc: number,
): Result {
  const fmt: Format =
    precision === 64
      ? EXT
      : { p: precision, minLsb: -16382 - (precision - 1), maxLsb: EXT.maxLsb + 64 - precision };
  const r = round(sign, sig, e, sticky, fmt, rc);
  return { value: toF80(r), flags: r.flags };
}

function quiet(x: F80): F80 {
  return { sign: x.sign, exp: x.exp, mant: x.mant | (1n << 62n) };
}

/** NaN operands: the x87 rule (the NaN with the larger significand, quietened; an SNaN raises IE). */
function nanResult(a: F80, b: F80 | null): Result | null {
  const an = isNaN80(a);
  const bn = b !== null && isNaN80(b);
  if (!an && !bn) return null;
  const flags = isSNaN80(a) || (b !== null && isSNaN80(b)) ? IE : 0;
  if (an && bn) {
    const am = a.mant | (1n << 62n);
    const bm = b.mant | (1n << 62n);
    const pick = am > bm ? a : bm > am ? b : a.sign === 0 ? a : b;
    return { value: quiet(pick), flags };
  }
  return { value: quiet(an ? a : b!), flags };
}

function invalid(): Result {
  return { value: INDEFINITE, flags: IE };
}

function denormalFlag(...xs: F80[]): number {
  return xs.some((x) => x.exp === 0 && x.mant !== 0n) ? DE : 0;
}

export const OP_ADD = 0;
export const OP_SUB = 1;
export const OP_MUL = 2;
export const OP_DIV = 3;

/** a op b, rounded per the control word (precision 24/53/64, rc). */
export function arith(op: number, a: F80, b: F80, precision: number, rc: number): Result {
  if (isUnsupported80(a) || isUnsupported80(b)) return invalid();
  const n = nanResult(a, b);
  if (n) return n;
  const de = denormalFlag(a, b);
  const ai = isInf80(a);
  const bi = isInf80(b);
  switch (op) {
    case OP_ADD:
    case OP_SUB: {
      const bs = op === OP_SUB ? b.sign ^ 1 : b.sign;
      if (ai || bi) {
        if (ai && bi && a.sign !== bs) return invalid();
        return { value: ai ? a : { ...b, sign: bs }, flags: de };
      }
      const x = exact(a);
      const y = exact(b);
      y.sign = bs;
      if (x.sig === 0n && y.sig === 0n) {
        const sign = x.sign === y.sign ? x.sign : rc === RD ? 1 : 0;
        return { value: { sign, exp: 0, mant: 0n }, flags: de };
      }
      if (x.sig === 0n) return finish(y.sign, y.sig, y.e, false, precision, rc, de);
      if (y.sig === 0n) return finish(x.sign, x.sig, x.e, false, precision, rc, de);
      // Align; an operand far below the other only contributes a sticky bit.
      const [hi, lo] = x.e >= y.e ? [x, y] : [y, x];
      const gap = hi.e - lo.e;
      if (gap > 140) {
        // lo is far below hi's last bit: it only decides the rounding, as a tiny amount eight bits down.
        const s8 = hi.sig << 8n;
        return finish(hi.sign, hi.sign === lo.sign ? s8 + 1n : s8 - 1n, hi.e - 8, false, precision, rc, de);
      }
      const hs = hi.sig << BigInt(gap);
      const sum = (hi.sign ? -hs : hs) + (lo.sign ? -lo.sig : lo.sig);
      if (sum === 0n) return { value: { sign: rc === RD ? 1 : 0, exp: 0, mant: 0n }, flags: de };
      return finish(sum < 0n ? 1 : 0, sum < 0n ? -sum : sum, lo.e, false, precision, rc, de);
    }
    case OP_MUL: {
      const sign = a.sign ^ b.sign;
      if (ai || bi) {
        if (isZero80(a) || isZero80(b)) return invalid();
        return { value: { sign, exp: 0x7fff, mant: INT_BIT }, flags: de };
      }
      const x = exact(a);
      const y = exact(b);
      return finish(sign, x.sig * y.sig, x.e + y.e, false, precision, rc, de);
    }
    default: {
      const sign = a.sign ^ b.sign;
      if (ai && bi) return invalid();
      if (ai) return { value: { sign, exp: 0x7fff, mant: INT_BIT }, flags: de };
      if (bi) return { value: { sign, exp: 0, mant: 0n }, flags: de };
      if (isZero80(b)) {
        if (isZero80(a)) return invalid();
        return { value: { sign, exp: 0x7fff, mant: INT_BIT }, flags: ZE };
      }
      const x = exact(a);
      const y = exact(b);
      if (x.sig === 0n) return { value: { sign, exp: 0, mant: 0n }, flags: de };
      // Enough quotient bits (>= 66 significant) for a correctly rounded result, plus a sticky remainder.
      const k = Math.max(0, 70 - (bitLength(x.sig) - bitLength(y.sig)));
      const num = x.sig << BigInt(k);
      const q = num / y.sig;
      const rem = num - q * y.sig;
      return finish(sign, q, x.e - y.e - k, rem !== 0n, precision, rc, de);
    }
  }
}

function finish(
  sign: number,
  sig: bigint,
  e: number,
  sticky: boolean,
  precision: number,
  rc: number,
  flags: number,
): Result {
  const r = roundExact(sign, sig, e, sticky, precision, rc);
  return { value: r.value, flags: r.flags | flags };
}

/** Square root, correctly rounded. */
export function sqrt80(a: F80, precision: number, rc: number): Result {
  if (isUnsupported80(a)) return invalid();
  const n = nanResult(a, null);
  if (n) return n;
  if (isZero80(a)) return { value: a, flags: 0 };
  if (a.sign === 1) return invalid();
  if (isInf80(a)) return { value: a, flags: 0 };
  const x = exact(a);
  let sig = x.sig;
  let e = x.e;
  // Make the exponent even and the radicand large enough for 70 result bits.
  const shift = Math.max(0, 140 - bitLength(sig));
  sig <<= BigInt(shift);
  e -= shift;
  if (e & 1) {
    sig <<= 1n;
    e -= 1;
  }
  const r = isqrt(sig);
  return finish(0, r, e / 2, r * r !== sig, precision, rc, denormalFlag(a));
}

function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt(Math.ceil(bitLength(n) / 2));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

// ------------------------------------------------------------------ conversions

/** binary64 bits (hi, lo words) to F80 (exact; an SNaN is kept as it is: fld quietens it). */
export function fromDouble(hi: number, lo: number): F80 {
  const sign = hi >>> 31;
  const e = (hi >>> 20) & 0x7ff;
  const frac = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo >>> 0);
  if (e === 0x7ff) return { sign, exp: 0x7fff, mant: INT_BIT | (frac << 11n) };
  if (e === 0) {
    if (frac === 0n) return { sign, exp: 0, mant: 0n };
    const r = roundExact(sign, frac, -1074, false, 64, RN);
    return r.value;
  }
  return { sign, exp: e - 1023 + 16383, mant: INT_BIT | (frac << 11n) };
}

export function fromSingle(w: number): F80 {
  const sign = w >>> 31;
  const e = (w >>> 23) & 0xff;
  const frac = BigInt(w & 0x7fffff);
  if (e === 0xff) return { sign, exp: 0x7fff, mant: INT_BIT | (frac << 40n) };
  if (e === 0) {
    if (frac === 0n) return { sign, exp: 0, mant: 0n };
    return roundExact(sign, frac, -149, false, 64, RN).value;
  }
  return { sign, exp: e - 127 + 16383, mant: INT_BIT | (frac << 40n) };
}

export function fromInteger(v: bigint): F80 {
  if (v === 0n) return { sign: 0, exp: 0, mant: 0n };
  const sign = v < 0n ? 1 : 0;
  return roundExact(sign, v < 0n ? -v : v, 0, false, 64, RN).value;
}

/** Loading a value marks an SNaN operand invalid and quietens it (fld m32/m64). */
export function loadConvert(x: F80): Result {
  if (isSNaN80(x)) return { value: quiet(x), flags: IE };
  return { value: x, flags: x.exp === 0 && x.mant !== 0n ? DE : 0 };
}

/** F80 to binary64 (as a bigint of its bits), rounded per rc. */
export function toDouble(x: F80, rc: number): { bits: bigint; flags: number } {
  return toBinary(x, rc, DOUBLE, 11, 52);
}

export function toSingle(x: F80, rc: number): { bits: bigint; flags: number } {
  return toBinary(x, rc, SINGLE, 8, 23);
}

function toBinary(
  x: F80,
  rc: number,
  fmt: Format,
  ebits: number,
  fbits: number,
): { bits: bigint; flags: number } {
  const signBit = BigInt(x.sign) << BigInt(ebits + fbits);
  const expMax = (1n << BigInt(ebits)) - 1n;
  if (isUnsupported80(x))
    return {
      bits: (1n << BigInt(ebits + fbits)) | (expMax << BigInt(fbits)) | (1n << BigInt(fbits - 1)),
      flags: IE,
    };
  if (x.exp === 0x7fff) {
    if (x.mant === INT_BIT) return { bits: signBit | (expMax << BigInt(fbits)), flags: 0 };
    const payload = ((x.mant & ~INT_BIT) >> BigInt(63 - fbits)) | (1n << BigInt(fbits - 1));
    return { bits: signBit | (expMax << BigInt(fbits)) | payload, flags: isSNaN80(x) ? IE : 0 };
  }
  if (isZero80(x)) return { bits: signBit, flags: 0 };
  const v = exact(x);
  const r = round(x.sign, v.sig, v.e, false, fmt, rc);
  const flags = r.flags | denormalFlag(x);
  if (r.inf) return { bits: signBit | (expMax << BigInt(fbits)), flags };
  if (r.sig === 0n) return { bits: signBit, flags };
  const hidden = 1n << BigInt(fbits);
  if (r.sig < hidden) return { bits: signBit | r.sig, flags };
  const bexp = BigInt(r.lsb - fmt.minLsb + 1);
  return { bits: signBit | (bexp << BigInt(fbits)) | (r.sig - hidden), flags };
}

/**
 * F80 to a signed integer of `bits` bits, rounded per rc (truncating for fisttp). Out of range or
 * NaN: the integer indefinite (the most negative value) and IE.
 */
export function toInteger(x: F80, bits: number, rc: number): { value: bigint; flags: number } {
  const indefinite = -(1n << BigInt(bits - 1));
  if (isUnsupported80(x) || x.exp === 0x7fff) return { value: indefinite, flags: IE };
  if (isZero80(x)) return { value: 0n, flags: 0 };
  const v = exact(x);
  let q: bigint;
  let inexact = false;
  let roundedUp = false;
  if (v.e >= 0) {
    if (v.e > bits) return { value: indefinite, flags: IE };
    q = v.sig << BigInt(v.e);
  } else {
    const shift = BigInt(-v.e);
    q = v.sig >> shift;
    const rem = v.sig & ((1n << shift) - 1n);
    if (rem !== 0n) {
      inexact = true;
      const half = 1n << (shift - 1n);
      const up =
        rc === RN
          ? rem > half || (rem === half && (q & 1n) === 1n)
          : rc === RD
            ? x.sign === 1
            : rc === RU
              ? x.sign === 0
              : false;
      if (up) {
        q += 1n;
        roundedUp = true;
      }
    }
  }
  const value = x.sign ? -q : q;
  if (value < indefinite || value > (1n << BigInt(bits - 1)) - 1n) return { value: indefinite, flags: IE };
  return { value, flags: (inexact ? PE : 0) | (roundedUp ? C1_UP : 0) };
}

/** Round to an integral value (frndint). */
export function roundToIntegral(x: F80, rc: number): Result {
  if (isUnsupported80(x)) return invalid();
  const n = nanResult(x, null);
  if (n) return n;
  if (x.exp === 0x7fff || isZero80(x)) return { value: x, flags: 0 };
  const v = exact(x);
  if (v.e >= 0) return { value: x, flags: 0 };
  const shift = BigInt(-v.e);
  let q = v.sig >> shift;
  const rem = v.sig & ((1n << shift) - 1n);
  if (rem === 0n) return { value: x, flags: denormalFlag(x) };
  const half = 1n << (shift - 1n);
  const up =
    rc === RN
      ? rem > half || (rem === half && (q & 1n) === 1n)
      : rc === RD
        ? x.sign === 1
        : rc === RU
          ? x.sign === 0
          : false;
  if (up) q += 1n;
  const flags = PE | (up ? C1_UP : 0) | denormalFlag(x);
  if (q === 0n) return { value: { sign: x.sign, exp: 0, mant: 0n }, flags };
  return { value: roundExact(x.sign, q, 0, false, 64, RN).value, flags };
}

/**
 * Comparison: -1 (a < b), 0 (equal), 1 (a > b), 2 (unordered). Quiet: only SNaN operands raise IE;
 * signalling (fcom): any NaN raises IE.
 */
export function compare80(a: F80, b: F80, signalling: boolean): { order: number; flags: number } {
  if (isUnsupported80(a) || isUnsupported80(b)) return { order: 2, flags: IE };
  if (isNaN80(a) || isNaN80(b)) {
    const snan = isSNaN80(a) || isSNaN80(b);
    return { order: 2, flags: signalling || snan ? IE : 0 };
  }
  const flags = denormalFlag(a, b);
  const ka = key(a);
  const kb = key(b);
  return { order: ka < kb ? -1 : ka > kb ? 1 : 0, flags };
}

/** An exact ordering key for non-NaN values (infinities included). */
function key(x: F80): bigint {
  if (isZero80(x)) return 0n;
  // exp 0 (denormal/pseudo-denormal) has the same scale as exp 1.
  const e = x.exp === 0 ? 1n : BigInt(x.exp);
  const k = (e << 64n) | x.mant;
  return x.sign ? -k : k;
}

/**
 * Partial remainder (fprem: truncating quotient; fprem1: nearest). Returns the new ST(0), the low
 * three quotient bits and whether the reduction is complete (C2 clear).
 */
export function partialRemainder(
  a: F80,
  b: F80,
  nearest: boolean,
): { value: F80; flags: number; q: number; complete: boolean } {
  if (isUnsupported80(a) || isUnsupported80(b)) return { value: INDEFINITE, flags: IE, q: 0, complete: true };
  const n = nanResult(a, b);
  if (n) return { ...n, q: 0, complete: true };
  if (isInf80(a) || isZero80(b)) return { value: INDEFINITE, flags: IE, q: 0, complete: true };
  const de = denormalFlag(a, b);
  if (isInf80(b) || isZero80(a)) return { value: a, flags: de, q: 0, complete: true };
  const x = exact(a);
  const y = exact(b);
  const ea = unbiased(a);
  const eb = unbiased(b);
  const d = ea - eb;
  if (d >= 64) {
    // Partial reduction: subtract a multiple of b scaled by 2^(d - n), n in 32..63.
    const nbits = 32 + ((d - 64) % 32);
    const scaleE = y.e + (d - nbits);
    const common = Math.min(x.e, scaleE);
    const xs = x.sig << BigInt(x.e - common);
    const ys = y.sig << BigInt(scaleE - common);
    const q = xs / ys;
    const r = xs - q * ys;
    const value =
      r === 0n ? { sign: a.sign, exp: 0, mant: 0n } : roundExact(a.sign, r, common, false, 64, RN).value;
    return { value, flags: de, q: 0, complete: false };
  }
  const common = Math.min(x.e, y.e);
  const xs = x.sig << BigInt(x.e - common);
  const ys = y.sig << BigInt(y.e - common);
  let q = xs / ys;
  let r = xs - q * ys;
  let sign = a.sign;
  if (nearest) {
    const twice = r * 2n;
    if (twice > ys || (twice === ys && (q & 1n) === 1n)) {
      q += 1n;
      r = ys - r;
      sign ^= 1;
    }
  }
  const value =
    r === 0n ? { sign: a.sign, exp: 0, mant: 0n } : roundExact(sign, r, common, false, 64, RN).value;
  return { value, flags: de, q: Number(q & 7n), complete: true };
}

/** The exponent of a finite nonzero value, normalised (denormals: of their leading bit). */
function unbiased(x: F80): number {
  const v = exact(x);
  return v.e + bitLength(v.sig) - 1;
}

/** fscale: a * 2^trunc(b). */
export function scale80(a: F80, b: F80, precision: number, rc: number): Result {
  if (isUnsupported80(a) || isUnsupported80(b)) return invalid();
  const n = nanResult(a, b);
  if (n) return n;
  if (isInf80(b)) {
    if (b.sign === 0)
      return isZero80(a) ? invalid() : { value: { ...a, exp: 0x7fff, mant: INT_BIT }, flags: 0 };
    return isInf80(a) ? invalid() : { value: { sign: a.sign, exp: 0, mant: 0n }, flags: 0 };
  }
  if (isInf80(a) || isZero80(a)) return { value: a, flags: 0 };
  const t = toInteger(b, 64, RZ);
  const k = Math.max(-70000, Math.min(70000, Number(t.flags & IE ? (b.sign ? -70000n : 70000n) : t.value)));
  const x = exact(a);
  return finish(a.sign, x.sig, x.e + k, false, precision, rc, denormalFlag(a, b));
}

/** Bytes of an F80 as stored in memory (10 bytes, little-endian). */
export function toBytes(x: F80): Uint8Array {
  const out = new Uint8Array(10);
  let m = x.mant;
  for (let i = 0; i < 8; i++) {
    out[i] = Number(m & 0xffn);
    m >>= 8n;
  }
  const se = (x.sign << 15) | x.exp;
  out[8] = se & 0xff;
  out[9] = se >>> 8;
  return out;
}

export function fromBytes(b: Uint8Array): F80 {
  let m = 0n;
  for (let i = 7; i >= 0; i--) m = (m << 8n) | BigInt(b[i]);
  const se = b[8] | (b[9] << 8);
  return { sign: se >>> 15, exp: se & 0x7fff, mant: m };
}

/** The x87 tag of a register's contents: 0 valid, 1 zero, 2 special (NaN, inf, denormal, unsupported). */
export function tagOf(x: F80): number {
  if (isZero80(x)) return 1;
  if (x.exp === 0x7fff || x.exp === 0 || (x.mant & INT_BIT) === 0n) return 2;
  return 0;
}
