/**
 * Multiplication and division: mul, imul (one, two and three operands), div, idiv.
 *
 * Products are computed exactly without BigInt: 32x32 bits with one 16-bit split, 64x64 bits with
 * 16-bit limbs (every partial product and column sum stays below 2^53). Division uses doubles when
 * the dividend is below 2^53 (floor(a/b) is then exact), 16-bit long division for 64/32 bits, and
 * BigInt only for genuinely 128-bit dividends.
 *
 * Flags: mul/imul set CF = OF = "the high half is significant"; SF ZF AF PF are undefined (here:
 * SF ZF PF follow the low half of the result, AF = 0). div/idiv leave all flags undefined (here:
 * unchanged). #DE (SIGFPE) on a zero divisor or a quotient that does not fit.
 */
import { GuestFaultError } from "../errors.js";
import { CF, OF, setRes32, setRes64 } from "../flags.js";
import type { Machine } from "../machine.js";
import type { Handler, Op } from "../op.js";
import { T, ea, wr32 } from "../operands.js";
import { RAX, RDX } from "../registers.js";
import { mn, type Decoding, type InstrDef } from "./def.js";

const TWO32 = 4294967296;

/** The 128-bit product of mulU64, little-endian words. */
const W = new Int32Array(4);

/** Unsigned 32x32 → 64: returns the low word, T[0] = high word. */
export function mulU32(a: number, b: number): number {
  a >>>= 0;
  b >>>= 0;
  const p0 = a * (b & 0xffff);
  const p1 = a * (b >>> 16);
  const mid = p0 + (p1 % 65536) * 65536;
  T[0] = (Math.floor(p1 / 65536) + Math.floor(mid / TWO32)) | 0;
  return (mid % TWO32) | 0;
}

/** Unsigned 64x64 → 128 into W. */
export function mulU64(al: number, ah: number, bl: number, bh: number): void {
  const a0 = al & 0xffff;
  const a1 = al >>> 16;
  const a2 = ah & 0xffff;
  const a3 = ah >>> 16;
  const b0 = bl & 0xffff;
  const b1 = bl >>> 16;
  const b2 = bh & 0xffff;
  const b3 = bh >>> 16;
  let t = a0 * b0;
  const l0 = t % 65536;
  t = (t - l0) / 65536 + a0 * b1 + a1 * b0;
  const l1 = t % 65536;
  t = (t - l1) / 65536 + a0 * b2 + a1 * b1 + a2 * b0;
  const l2 = t % 65536;
  t = (t - l2) / 65536 + a0 * b3 + a1 * b2 + a2 * b1 + a3 * b0;
  const l3 = t % 65536;
  t = (t - l3) / 65536 + a1 * b3 + a2 * b2 + a3 * b1;
  const l4 = t % 65536;
  t = (t - l4) / 65536 + a2 * b3 + a3 * b2;
  const l5 = t % 65536;
  t = (t - l5) / 65536 + a3 * b3;
  const l6 = t % 65536;
  const l7 = ((t - l6) / 65536) % 65536;
  W[0] = l0 | (l1 << 16);
  W[1] = l2 | (l3 << 16);
  W[2] = l4 | (l5 << 16);
  W[3] = l6 | (l7 << 16);
}

/** Signed high 64 bits of W given the signs of the factors: hi -= (a<0 ? b : 0) + (b<0 ? a : 0). */
function signedHigh64(al: number, ah: number, bl: number, bh: number): void {
  let lo = W[2] >>> 0;
  let hi = W[3];
  if (ah < 0) {
    lo -= bl >>> 0;
    hi -= bh;
  }
  if (bh < 0) {
    lo -= al >>> 0;
    hi -= ah;
  }
  const borrow = Math.floor(lo / TWO32);
  W[2] = lo | 0;
  W[3] = (hi + borrow) | 0;
}

/** Reads the r/m source of the op's size: unsigned for sizes below 8 (32-bit as int32); 64 → lo, T[1] = hi. */
function source(m: Machine, o: Op): number {
  const r = m.r;
  if (o.mm === 0) {
    if (o.size === 8) {
      T[1] = r[o.s + 1];
      return r[o.s];
    }
    const v = r[o.s] >> o.ssh;
    return o.size === 1 ? v & 0xff : o.size === 2 ? v & 0xffff : v;
  }
  const a = ea(m, o);
  const mem = m.memory;
  switch (o.size) {
    case 1:
      return mem.load8(a);
    case 2:
      return mem.load16(a);
    case 4:
      return mem.load32(a);
    default: {
      const lo = mem.load32(a);
      T[1] = mem.load32(a + 4);
      return lo;
    }
  }
}

const mul1: Handler = (m, o) => {
  const b = source(m, o);
  const r = m.r;
  const f = m.fl;
  switch (o.size) {
    case 1: {
      const p = (r[RAX] & 0xff) * b;
      r[RAX] = (r[RAX] & ~0xffff) | p;
      setRes32(f, (p << 24) >> 24, p > 0xff ? CF | OF : 0);
      return;
    }
    case 2: {
      const p = (r[RAX] & 0xffff) * b;
      r[RAX] = (r[RAX] & ~0xffff) | (p & 0xffff);
      r[RDX] = (r[RDX] & ~0xffff) | (p >>> 16);
      setRes32(f, (p << 16) >> 16, p > 0xffff ? CF | OF : 0);
      return;
    }
    case 4: {
      const lo = mulU32(r[RAX], b);
      const hi = T[0];
      wr32(r, RAX, lo);
      wr32(r, RDX, hi);
      setRes32(f, lo, hi !== 0 ? CF | OF : 0);
      return;
    }
    default: {
      mulU64(r[RAX], r[RAX + 1], b, T[1]);
      r[RAX] = W[0];
      r[RAX + 1] = W[1];
      r[RDX] = W[2];
      r[RDX + 1] = W[3];
      setRes64(f, W[0], W[1], (W[2] | W[3]) !== 0 ? CF | OF : 0);
    }
  }
};

const imul1: Handler = (m, o) => {
  const b = source(m, o);
  const r = m.r;
  const f = m.fl;
  switch (o.size) {
    case 1: {
      const p = ((r[RAX] << 24) >> 24) * ((b << 24) >> 24);
      r[RAX] = (r[RAX] & ~0xffff) | (p & 0xffff);
      const lo = (p << 24) >> 24;
      setRes32(f, lo, lo !== p ? CF | OF : 0);
      return;
    }
    case 2: {
      const p = ((r[RAX] << 16) >> 16) * ((b << 16) >> 16);
      r[RAX] = (r[RAX] & ~0xffff) | (p & 0xffff);
      r[RDX] = (r[RDX] & ~0xffff) | ((p >> 16) & 0xffff);
      const lo = (p << 16) >> 16;
      setRes32(f, lo, lo !== p ? CF | OF : 0);
      return;
    }
    case 4: {
      const a = r[RAX];
      const lo = mulU32(a, b);
      let hi = T[0];
      if (a < 0) hi -= b;
      if (b < 0) hi -= a;
      hi |= 0;
      wr32(r, RAX, lo);
      wr32(r, RDX, hi);
      setRes32(f, lo, hi !== lo >> 31 ? CF | OF : 0);
      return;
    }
    default: {
      const al = r[RAX];
      const ah = r[RAX + 1];
      const bh = T[1];
      mulU64(al, ah, b, bh);
      signedHigh64(al, ah, b, bh);
      r[RAX] = W[0];
      r[RAX + 1] = W[1];
      r[RDX] = W[2];
      r[RDX + 1] = W[3];
      const s = W[1] >> 31;
      setRes64(f, W[0], W[1], W[2] !== s || W[3] !== s ? CF | OF : 0);
    }
  }
};

/** imul r, r/m (a = destination) and imul r, r/m, imm (a = immediate, in ilo/ihi). */
function imulN(m: Machine, o: Op, three: boolean): void {
  const b = source(m, o);
  const bh = T[1];
  const r = m.r;
  const f = m.fl;
  switch (o.size) {
    case 2: {
      const a = three ? (o.ilo << 16) >> 16 : (r[o.d] << 16) >> 16;
      const p = a * ((b << 16) >> 16);
      const lo = (p << 16) >> 16;
      r[o.d] = (r[o.d] & ~0xffff) | (p & 0xffff);
      setRes32(f, lo, lo !== p ? CF | OF : 0);
      return;
    }
    case 4: {
      const a = three ? o.ilo : r[o.d];
      const lo = Math.imul(a, b);
      r[o.d] = lo;
      r[o.d + 1] = 0;
      setRes32(f, lo, lo !== a * b ? CF | OF : 0);
      return;
    }
    default: {
      const al = three ? o.ilo : r[o.d];
      const ah = three ? o.ihi : r[o.d + 1];
      if (ah === al >> 31 && bh === b >> 31) {
        // Two sign-extended 32-bit factors (fixnum arithmetic, index scaling): the product is
        // exact in a double when it is below 2^53, and then fits in 64 bits (CF = OF = 0).
        const p = al * b;
        if (p <= Number.MAX_SAFE_INTEGER && p >= -Number.MAX_SAFE_INTEGER) {
          const lo = p | 0;
          const hi = Math.floor(p / TWO32) | 0;
          r[o.d] = lo;
          r[o.d + 1] = hi;
          setRes64(f, lo, hi, 0);
          return;
        }
      }
      mulU64(al, ah, b, bh);
      signedHigh64(al, ah, b, bh);
      r[o.d] = W[0];
      r[o.d + 1] = W[1];
      const s = W[1] >> 31;
      setRes64(f, W[0], W[1], W[2] !== s || W[3] !== s ? CF | OF : 0);
    }
  }
}

const imul2: Handler = (m, o) => imulN(m, o, false);
const imul3: Handler = (m, o) => imulN(m, o, true);

/**
 * The low 64 bits of the signed product of (al, ah) and (bl, bh): returns the low word, T[0]
 * receives the high word and T[1] imul's flag bits (CF | OF when the product does not fit).
 */
export function imul64(al: number, ah: number, bl: number, bh: number): number {
  mulU64(al, ah, bl, bh);
  signedHigh64(al, ah, bl, bh);
  const s = W[1] >> 31;
  T[0] = W[1];
  T[1] = W[2] !== s || W[3] !== s ? CF | OF : 0;
  return W[0];
}

/** The two- and three-operand imul handlers (translate.ts generates code for them). */
export const IMUL_HANDLERS = { imul2, imul3 } as const;

// ------------------------------------------------------------------ division

function divideError(what: string): GuestFaultError {
  return new GuestFaultError("SIGFPE", `divide error: ${what}`);
}

const DIV_ZERO = "division by zero";
const OVERFLOW = "quotient does not fit in the destination";

function big64(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

function setBig(r: Int32Array, slot: number, v: bigint): void {
  const u = BigInt.asUintN(64, v);
  r[slot] = Number(u & 0xffffffffn) | 0;
  r[slot + 1] = Number(u >> 32n) | 0;
}

/** Sets register slot from an integer number with |v| < 2^53 (two's complement). */
function setNum64(r: Int32Array, slot: number, v: number): void {
  const hi = Math.floor(v / TWO32);
  r[slot] = (v - hi * TWO32) | 0;
  r[slot + 1] = hi | 0;
}

const div: Handler = (m, o) => {
  const d = source(m, o);
  const dh = T[1];
  const r = m.r;
  switch (o.size) {
    case 1: {
      if (d === 0) throw divideError(DIV_ZERO);
      const n = r[RAX] & 0xffff;
      const q = Math.floor(n / d);
      if (q > 0xff) throw divideError(OVERFLOW);
      r[RAX] = (r[RAX] & ~0xffff) | ((n - q * d) << 8) | q;
      return;
    }
    case 2: {
      if (d === 0) throw divideError(DIV_ZERO);
      const n = (r[RDX] & 0xffff) * 65536 + (r[RAX] & 0xffff);
      const q = Math.floor(n / d);
      if (q > 0xffff) throw divideError(OVERFLOW);
      r[RAX] = (r[RAX] & ~0xffff) | q;
      r[RDX] = (r[RDX] & ~0xffff) | (n - q * d);
      return;
    }
    case 4: {
      const du = d >>> 0;
      if (du === 0) throw divideError(DIV_ZERO);
      const hi = r[RDX] >>> 0;
      if (hi >= du) throw divideError(OVERFLOW);
      const lo = r[RAX] >>> 0;
      let cur = hi * 65536 + (lo >>> 16);
      const q1 = Math.floor(cur / du);
      cur = (cur - q1 * du) * 65536 + (lo & 0xffff);
      const q0 = Math.floor(cur / du);
      wr32(r, RAX, (q1 * 65536 + q0) | 0);
      wr32(r, RDX, (cur - q0 * du) | 0);
      return;
    }
    default: {
      if ((d | dh) === 0) throw divideError(DIV_ZERO);
      if ((r[RDX] | r[RDX + 1]) === 0 && r[RAX + 1] >>> 21 === 0) {
        const n = (r[RAX + 1] >>> 0) * TWO32 + (r[RAX] >>> 0);
        if (dh >>> 21 !== 0) {
          r[RDX] = r[RAX];
          r[RDX + 1] = r[RAX + 1];
          r[RAX] = 0;
          r[RAX + 1] = 0;
          return;
        }
        const dv = (dh >>> 0) * TWO32 + (d >>> 0);
        const q = Math.floor(n / dv);
        setNum64(r, RAX, q);
        setNum64(r, RDX, n - q * dv);
        return;
      }
      const hiN = big64(r[RDX], r[RDX + 1]);
      const dvB = big64(d, dh);
      if (hiN >= dvB) throw divideError(OVERFLOW);
      const n = (hiN << 64n) | big64(r[RAX], r[RAX + 1]);
      setBig(r, RAX, n / dvB);
      setBig(r, RDX, n % dvB);
    }
  }
};

const idiv: Handler = (m, o) => {
  const d = source(m, o);
  const dh = T[1];
  const r = m.r;
  switch (o.size) {
    case 1: {
      const dv = (d << 24) >> 24;
      if (dv === 0) throw divideError(DIV_ZERO);
      const n = (r[RAX] << 16) >> 16;
      const q = Math.trunc(n / dv);
      if (q < -128 || q > 127) throw divideError(OVERFLOW);
      r[RAX] = (r[RAX] & ~0xffff) | (((n - q * dv) & 0xff) << 8) | (q & 0xff);
      return;
    }
    case 2: {
      const dv = (d << 16) >> 16;
      if (dv === 0) throw divideError(DIV_ZERO);
      const n = ((r[RDX] & 0xffff) << 16) | (r[RAX] & 0xffff);
      const q = Math.trunc(n / dv);
      if (q < -32768 || q > 32767) throw divideError(OVERFLOW);
      r[RAX] = (r[RAX] & ~0xffff) | (q & 0xffff);
      r[RDX] = (r[RDX] & ~0xffff) | ((n - q * dv) & 0xffff);
      return;
    }
    case 4: {
      if (d === 0) throw divideError(DIV_ZERO);
      const lo = r[RAX];
      const hi = r[RDX];
      let q: number;
      let rem: number;
      if (hi === lo >> 31) {
        q = Math.trunc(lo / d);
        rem = lo - q * d;
      } else {
        const n = (BigInt(hi) << 32n) | BigInt(lo >>> 0);
        const qb = n / BigInt(d);
        if (qb < -2147483648n || qb > 2147483647n) throw divideError(OVERFLOW);
        q = Number(qb);
        rem = Number(n % BigInt(d));
      }
      if (q < -2147483648 || q > 2147483647) throw divideError(OVERFLOW);
      wr32(r, RAX, q | 0);
      wr32(r, RDX, rem | 0);
      return;
    }
    default: {
      if ((d | dh) === 0) throw divideError(DIV_ZERO);
      const al = r[RAX];
      const ah = r[RAX + 1];
      const s = ah >> 31;
      const small = (x: number): boolean => (x + 0x200000) >>> 22 === 0;
      if (r[RDX] === s && r[RDX + 1] === s && small(ah) && small(dh)) {
        const n = ah * TWO32 + (al >>> 0);
        const dv = dh * TWO32 + (d >>> 0);
        const q = Math.trunc(n / dv);
        setNum64(r, RAX, q);
        setNum64(r, RDX, n - q * dv);
        return;
      }
      const n = (BigInt(r[RDX + 1]) << 96n) | (BigInt(r[RDX] >>> 0) << 64n) | big64(al, ah);
      const dvB = BigInt.asIntN(64, big64(d, dh));
      const q = n / dvB;
      if (q < -(1n << 63n) || q >= 1n << 63n) throw divideError(OVERFLOW);
      setBig(r, RAX, q);
      setBig(r, RDX, n % dvB);
    }
  }
};

function buildOne(h: Handler): (d: Decoding) => Handler | null {
  return (d) => {
    const size = d.size(0);
    if (size === 0 || size > 8) return null;
    d.setSize(size);
    if (d.isReg(0)) d.src(0);
    else if (!d.isMem(0) || !d.mem()) return null;
    return h;
  };
}

function buildImul(d: Decoding): Handler | null {
  if (d.count === 1) return buildOne(imul1)(d);
  const size = d.dst(0);
  if (size < 2) return null;
  d.setSize(size);
  if (d.isReg(1)) d.src(1);
  else if (!d.isMem(1) || !d.mem()) return null;
  if (d.count === 2) return imul2;
  d.imm(2);
  return imul3;
}

export const MULDIV: InstrDef[] = [
  { mnemonics: mn("Mul"), family: "muldiv", writes: "OC", undef: "SZAP", build: buildOne(mul1) },
  { mnemonics: mn("Imul"), family: "muldiv", writes: "OC", undef: "SZAP", build: buildImul },
  { mnemonics: mn("Div"), family: "muldiv", undef: "OSZAPC", build: buildOne(div) },
  { mnemonics: mn("Idiv"), family: "muldiv", undef: "OSZAPC", build: buildOne(idiv) },
];
