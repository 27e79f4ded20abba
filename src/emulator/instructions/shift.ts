/**
 * Shifts and rotates: shl/sal shr sar rol ror rcl rcr shld shrd.
 *
 * The count (immediate, CL or 1) is masked to 5 bits (6 for 64-bit operands). A masked count of 0
 * changes nothing, not even the flags. Flags per Intel SDM:
 *  - shl/shr/sar: CF = last bit shifted out, SF ZF PF from the result, OF defined for count 1
 *    (shl: MSB(result) ^ CF, shr: MSB(original), sar: 0); AF undefined (here 0); for shl/shr with
 *    a count >= the operand width (8/16-bit operands) CF is undefined (here 0).
 *  - rol/ror/rcl/rcr: only CF and OF; OF defined for count 1 only.
 *  - shld/shrd: CF, SF ZF PF, OF for count 1; AF undefined; result and flags undefined when the
 *    count exceeds a 16-bit operand's width.
 */
import { CF, OF, getCF, materialize, setEager, setRes32, setRes64 } from "../flags.js";
import type { Machine } from "../machine.js";
import type { Handler, Op } from "../op.js";
import { T, ea, ldS, rdS, stN, wrD } from "../operands.js";
import { RCX } from "../registers.js";
import { mn, type Decoding, type InstrDef } from "./def.js";

const SHL = 0;
const SHR = 1;
const SAR = 2;
const ROL = 3;
const ROR = 4;
const RCL = 5;
const RCR = 6;

/** The raw count: CL (aux = 1) or the immediate. */
function count(m: Machine, o: Op): number {
  return (o.aux === 1 ? m.r[RCX] : o.ilo) & (o.size === 8 ? 63 : 31);
}

/** Shifts a value sign-extended to 32 bits (width 32 - sx); returns the result, T[0] = flag bits. */
function shift32(op: number, v: number, c: number, sx: number): number {
  const n = 32 - sx;
  let res: number;
  let cf: number;
  let of: number;
  switch (op) {
    case SHL:
      res = ((v << c) << sx) >> sx;
      cf = c <= n ? (v >>> (n - c)) & 1 : 0;
      of = (res >>> 31) ^ cf;
      break;
    case SHR: {
      const u = (v << sx) >>> sx;
      res = ((c < 32 ? u >>> c : 0) << sx) >> sx;
      cf = c <= n ? (u >>> (c - 1)) & 1 : 0;
      of = v >>> 31;
      break;
    }
    default:
      res = v >> c;
      cf = (v >> (c - 1)) & 1;
      of = 0;
  }
  T[0] = cf | (of !== 0 ? OF : 0);
  return res;
}

/**
 * 64-bit shift of (l, h) by c in 1..63; returns lo, T[0] = hi, T[1] = flag bits. A small
 * dispatcher over one function per operation: translated blocks call it with a constant operation,
 * and V8 inlines the dispatcher and the one operation used instead of the whole switch (which
 * used up the block's inlining budget, leaving memory accesses as calls).
 */
function shift64(op: number, l: number, h: number, c: number): number {
  return op === SHL ? shlFlags64(l, h, c) : op === SHR ? shrFlags64(l, h, c) : sarFlags64(l, h, c);
}

function shlFlags64(l: number, h: number, c: number): number {
  let rl: number;
  let rh: number;
  let cf: number;
  if (c < 32) {
    rh = (h << c) | (l >>> (32 - c));
    rl = l << c;
    cf = (h >>> (32 - c)) & 1;
  } else {
    rh = l << (c - 32);
    rl = 0;
    cf = c === 32 ? h & 1 : (l >>> (64 - c)) & 1;
  }
  const of = (rh >>> 31) ^ cf;
  T[0] = rh;
  T[1] = cf | (of !== 0 ? OF : 0);
  return rl;
}

function shrFlags64(l: number, h: number, c: number): number {
  let rl: number;
  let rh: number;
  let cf: number;
  if (c < 32) {
    rl = (l >>> c) | (h << (32 - c));
    rh = h >>> c;
    cf = (l >>> (c - 1)) & 1;
  } else {
    rl = h >>> (c - 32);
    rh = 0;
    cf = c === 32 ? l >>> 31 : (h >>> (c - 33)) & 1;
  }
  T[0] = rh | 0;
  T[1] = cf | (h >>> 31 !== 0 ? OF : 0);
  return rl | 0;
}

function sarFlags64(l: number, h: number, c: number): number {
  let rl: number;
  let rh: number;
  let cf: number;
  if (c < 32) {
    rl = (l >>> c) | (h << (32 - c));
    rh = h >> c;
    cf = (l >>> (c - 1)) & 1;
  } else {
    rl = h >> (c - 32);
    rh = h >> 31;
    cf = c === 32 ? l >>> 31 : (h >> (c - 33)) & 1;
  }
  T[0] = rh;
  T[1] = cf;
  return rl | 0;
}

/** A masked count of 0 changes nothing, except that a 32-bit register is still written (zero-extended). */
function noShift(m: Machine, o: Op): void {
  if (o.size === 4 && o.mm === 0) m.r[o.d + 1] = 0;
}

const shR32: Handler = (m, o) => {
  const c = count(m, o);
  if (c === 0) return noShift(m, o);
  const r = m.r;
  const v = shift32(o.cc, rdS(r, o.d, o.dsh, o.sx), c, o.sx);
  wrD(r, o, v);
  setRes32(m.fl, v, T[0]);
};
const shM32: Handler = (m, o) => {
  const c = count(m, o);
  if (c === 0) return;
  const mem = m.memory;
  const a = ea(m, o);
  const v = shift32(o.cc, ldS(mem, a, o.size), c, o.sx);
  const x = T[0];
  stN(mem, a, v, o.size);
  setRes32(m.fl, v, x);
};
const shR64: Handler = (m, o) => {
  const c = count(m, o);
  if (c === 0) return;
  const r = m.r;
  const lo = shift64(o.cc, r[o.d], r[o.d + 1], c);
  const hi = T[0];
  r[o.d] = lo;
  r[o.d + 1] = hi;
  setRes64(m.fl, lo, hi, T[1]);
};
const shM64: Handler = (m, o) => {
  const c = count(m, o);
  if (c === 0) return;
  const mem = m.memory;
  const a = ea(m, o);
  const lo = shift64(o.cc, mem.load32(a), mem.load32(a + 4), c);
  const hi = T[0];
  const x = T[1];
  mem.store64(a, lo, hi);
  setRes64(m.fl, lo, hi, x);
};

// ------------------------------------------------------------------ rotates

/**
 * Rotates (l, h) of `bits` width (8, 16, 32 or 64) by the masked count c (> 0). For rcl/rcr `cf` is
 * the carry in. Returns lo, T[0] = hi, T[1] = new CF | OF bits (OF computed for every count; it is
 * only defined for count 1).
 */
function rotate(op: number, l: number, h: number, bits: number, c: number, cf: number): number {
  const mask = bits >= 32 ? -1 : (1 << bits) - 1;
  l &= mask;
  if (bits < 64) h = 0;
  let of = 0;
  if (op === ROL || op === ROR) {
    const e = c % bits;
    if (e !== 0) {
      if (bits === 64) {
        let a = l;
        let b = h;
        let k = e;
        if (op === ROR) k = 64 - e;
        if (k >= 32) {
          a = h;
          b = l;
          k -= 32;
        }
        if (k !== 0) {
          const nl = (a << k) | (b >>> (32 - k));
          const nh = (b << k) | (a >>> (32 - k));
          a = nl;
          b = nh;
        }
        l = a;
        h = b;
      } else {
        const k = op === ROL ? e : bits - e;
        l = ((l << k) | (l >>> (bits - k))) & mask;
      }
    }
    const msb = bits === 64 ? h >>> 31 : (l >>> (bits - 1)) & 1;
    if (op === ROL) {
      cf = l & 1;
      of = msb ^ cf;
    } else {
      cf = msb;
      const next = bits === 64 ? (h >>> 30) & 1 : (l >>> (bits - 2)) & 1;
      of = msb ^ next;
    }
  } else {
    const e = bits === 8 ? c % 9 : bits === 16 ? c % 17 : c;
    if (op === RCR) {
      const msb = bits === 64 ? h >>> 31 : (l >>> (bits - 1)) & 1;
      of = msb ^ cf;
    }
    for (let i = 0; i < e; i++) {
      if (op === RCL) {
        const out = bits === 64 ? h >>> 31 : (l >>> (bits - 1)) & 1;
        if (bits === 64) {
          h = (h << 1) | (l >>> 31);
          l = (l << 1) | cf;
        } else l = ((l << 1) | cf) & mask;
        cf = out;
      } else {
        const out = l & 1;
        if (bits === 64) {
          l = (l >>> 1) | (h << 31);
          h = (h >>> 1) | (cf << 31);
        } else l = ((l >>> 1) | (cf << (bits - 1))) & mask;
        cf = out;
      }
    }
    if (op === RCL) {
      const msb = bits === 64 ? h >>> 31 : (l >>> (bits - 1)) & 1;
      of = msb ^ cf;
    }
  }
  T[0] = h | 0;
  T[1] = cf | (of !== 0 ? OF : 0);
  return l | 0;
}

function rot(m: Machine, o: Op): void {
  const c = count(m, o);
  if (c === 0) return noShift(m, o);
  const r = m.r;
  const mem = m.memory;
  const isMem = o.mm !== 0;
  const a = isMem ? ea(m, o) : 0;
  let l: number;
  let h = 0;
  if (isMem) {
    l = ldS(mem, a, o.size === 8 ? 4 : o.size);
    if (o.size === 8) h = mem.load32(a + 4);
  } else if (o.size === 8) {
    l = r[o.d];
    h = r[o.d + 1];
  } else l = r[o.d] >> o.dsh;
  const f = m.fl;
  const rl = rotate(o.cc, l, h, o.size * 8, c, getCF(f));
  const rh = T[0];
  const x = T[1];
  if (isMem) {
    if (o.size === 8) mem.store64(a, rl, rh);
    else stN(mem, a, rl, o.size);
  } else if (o.size === 8) {
    r[o.d] = rl;
    r[o.d + 1] = rh;
  } else wrD(r, o, rl);
  const bits = materialize(f);
  setEager(f, (bits & ~(CF | OF)) | x);
}

const rotH: Handler = rot;

// ------------------------------------------------------------------ shld shrd

/** (l, h) << c for c in 1..63: returns lo, T[2] = hi. */
function shl64(l: number, h: number, c: number): number {
  if (c < 32) {
    T[2] = (h << c) | (l >>> (32 - c));
    return l << c;
  }
  T[2] = l << (c - 32);
  return 0;
}

/** (l, h) >>> c for c in 1..63: returns lo, T[2] = hi. */
function shr64(l: number, h: number, c: number): number {
  if (c < 32) {
    T[2] = h >>> c;
    return (l >>> c) | (h << (32 - c));
  }
  T[2] = 0;
  return h >>> (c - 32);
}

/**
 * shld (right = false) / shrd of dest (l, h) with src (sl, sh), width `bits`, count c in 1..width
 * (or up to 31 for 16-bit operands: undefined, done with BigInt like Intel CPUs). Returns lo,
 * T[0] = hi, T[1] = CF|OF.
 */
function doubleShift(
  right: boolean,
  l: number,
  h: number,
  sl: number,
  sh: number,
  bits: number,
  c: number,
): number {
  if (c > bits) return doubleShiftWide(right, l, h, sl, sh, bits, c);
  let rl: number;
  let rh = 0;
  let cf: number;
  let msbD: number;
  let msbR: number;
  if (bits === 64) {
    if (right) {
      rl = shr64(l, h, c);
      rh = T[2];
      rl |= shl64(sl, sh, 64 - c);
      rh |= T[2];
      cf = c <= 32 ? (l >>> (c - 1)) & 1 : (h >>> (c - 33)) & 1;
    } else {
      rl = shl64(l, h, c);
      rh = T[2];
      rl |= shr64(sl, sh, 64 - c);
      rh |= T[2];
      cf = c <= 32 ? (h >>> (32 - c)) & 1 : (l >>> (64 - c)) & 1;
    }
    msbD = h >>> 31;
    msbR = rh >>> 31;
  } else {
    const mask = bits === 32 ? -1 : 0xffff;
    const d = l & mask;
    const s = sl & mask;
    if (right) {
      rl = ((d >>> c) | (s << (bits - c))) & mask;
      cf = (d >>> (c - 1)) & 1;
    } else {
      rl = ((d << c) | (s >>> (bits - c))) & mask;
      cf = (d >>> (bits - c)) & 1;
    }
    msbD = (d >>> (bits - 1)) & 1;
    msbR = (rl >>> (bits - 1)) & 1;
  }
  T[0] = rh | 0;
  T[1] = cf | (msbD !== msbR ? OF : 0);
  return rl | 0;
}

/** 16-bit shld/shrd with a count above 16 (undefined result): the source repeats, as on Intel. */
function doubleShiftWide(
  right: boolean,
  l: number,
  h: number,
  sl: number,
  sh: number,
  bits: number,
  c: number,
): number {
  const big = (x: number, y: number): bigint => (BigInt(y >>> 0) << 32n) | BigInt(x >>> 0);
  const n = BigInt(bits);
  const mask = (1n << n) - 1n;
  const dv = big(l, h) & mask;
  const sv = big(sl, sh) & mask;
  const cb = BigInt(c);
  let res: bigint;
  let cf: bigint;
  if (!right) {
    // Bits beyond the width (16-bit operands, count > 16) come from the source again, as on Intel.
    const cat = (dv << n) | sv;
    const wide = c > bits ? (cat << n) | dv : cat;
    const total = c > bits ? 3n * n : 2n * n;
    res = (wide >> (total - n - cb)) & mask;
    cf = (wide >> (total - cb)) & 1n;
  } else {
    const cat = (sv << n) | dv;
    const wide = c > bits ? (dv << (2n * n)) | cat : cat;
    res = (wide >> cb) & mask;
    cf = (wide >> (cb - 1n)) & 1n;
  }
  const msbRes = (res >> (n - 1n)) & 1n;
  const msbDst = (dv >> (n - 1n)) & 1n;
  T[0] = Number(BigInt.asIntN(32, res >> 32n));
  T[1] = Number(cf) | (msbRes !== msbDst ? OF : 0);
  return Number(BigInt.asIntN(32, res));
}

const shxd: Handler = (m, o) => {
  const c = (o.aux === 1 ? m.r[RCX] : o.ilo) & (o.size === 8 ? 63 : 31);
  if (c === 0) return noShift(m, o);
  const r = m.r;
  const mem = m.memory;
  const isMem = o.mm !== 0;
  const a = isMem ? ea(m, o) : 0;
  let l: number;
  let h = 0;
  if (isMem) {
    l = mem.load32(a);
    if (o.size === 8) h = mem.load32(a + 4);
    else if (o.size === 2) l &= 0xffff;
  } else {
    l = r[o.d];
    h = r[o.d + 1];
  }
  const rl = doubleShift(o.cc === 1, l, h, r[o.s], r[o.s + 1], o.size * 8, c);
  const rh = T[0];
  const x = T[1];
  if (isMem) {
    if (o.size === 8) mem.store64(a, rl, rh);
    else stN(mem, a, rl, o.size);
  } else if (o.size === 8) {
    r[o.d] = rl;
    r[o.d + 1] = rh;
  } else wrD(r, o, rl);
  const sx = o.size === 8 ? 0 : 32 - 8 * o.size;
  if (o.size === 8) setRes64(m.fl, rl, rh, x);
  else setRes32(m.fl, (rl << sx) >> sx, x);
};

// ------------------------------------------------------------------ builders

function countOperand(d: Decoding, i: number): boolean {
  const o = d.op;
  if (d.isReg(i)) {
    o.aux = 1; // CL
    return true;
  }
  if (!d.isImm(i)) return false;
  o.ilo = Number(d.immValue(i)) & 0xff;
  return true;
}

function buildShift(op: number): (d: Decoding) => Handler | null {
  return (d) => {
    const o = d.op;
    const size = d.size(0);
    if (size === 0 || size > 8 || !countOperand(d, 1)) return null;
    d.setSize(size);
    o.cc = op;
    if (d.isReg(0)) d.dst(0);
    else if (!d.isMem(0) || !d.mem()) return null;
    if (op >= ROL) return rotH;
    if (d.isReg(0)) return size === 8 ? shR64 : shR32;
    return size === 8 ? shM64 : shM32;
  };
}

function buildShxd(right: boolean): (d: Decoding) => Handler | null {
  return (d) => {
    const o = d.op;
    const size = d.size(0);
    if (size < 2 || size > 8 || !countOperand(d, 2)) return null;
    d.setSize(size);
    o.cc = right ? 1 : 0;
    d.src(1);
    if (d.isReg(0)) d.dst(0);
    else if (!d.isMem(0) || !d.mem()) return null;
    return shxd;
  };
}

export const SHIFT: InstrDef[] = [
  {
    mnemonics: mn("Shl", "Sal"),
    family: "shift",
    writes: "SZPC",
    undef: "OA",
    note: "count 0: no flags change; OF undefined unless count is 1; CF undefined if count >= width",
    build: buildShift(SHL),
  },
  {
    mnemonics: mn("Shr"),
    family: "shift",
    writes: "SZPC",
    undef: "OA",
    note: "count 0: no flags change; OF undefined unless count is 1; CF undefined if count >= width",
    build: buildShift(SHR),
  },
  {
    mnemonics: mn("Sar"),
    family: "shift",
    writes: "SZPC",
    undef: "OA",
    note: "count 0: no flags change; OF undefined unless count is 1",
    build: buildShift(SAR),
  },
  {
    mnemonics: mn("Rol"),
    family: "shift",
    writes: "C",
    undef: "O",
    note: "count 0: no flags change; OF undefined unless count is 1",
    build: buildShift(ROL),
  },
  {
    mnemonics: mn("Ror"),
    family: "shift",
    writes: "C",
    undef: "O",
    note: "count 0: no flags change; OF undefined unless count is 1",
    build: buildShift(ROR),
  },
  {
    mnemonics: mn("Rcl"),
    family: "shift",
    reads: "C",
    writes: "C",
    undef: "O",
    note: "count 0: no flags change; OF undefined unless count is 1",
    build: buildShift(RCL),
  },
  {
    mnemonics: mn("Rcr"),
    family: "shift",
    reads: "C",
    writes: "C",
    undef: "O",
    note: "count 0: no flags change; OF undefined unless count is 1",
    build: buildShift(RCR),
  },
  {
    mnemonics: mn("Shld"),
    family: "shift",
    writes: "SZPC",
    undef: "OA",
    note: "count 0: no change; OF undefined unless count is 1; result and flags undefined if count > width",
    build: buildShxd(false),
  },
  {
    mnemonics: mn("Shrd"),
    family: "shift",
    writes: "SZPC",
    undef: "OA",
    note: "count 0: no change; OF undefined unless count is 1; result and flags undefined if count > width",
    build: buildShxd(true),
  },
];

/** For the block translator (translate.ts): register shifts and the functions computing them. */
export const SHIFT_HANDLERS = { shR32, shR64 } as const;
export const SHIFT_OPS = { SHL, SHR, SAR } as const;
export { shift32, shift64 };
