/**
 * Bit instructions: bt bts btr btc, bsf bsr, lzcnt tzcnt popcnt, and BMI1 (andn bextr blsi blsmsk
 * blsr; tzcnt is BMI1 too). CPUID reports POPCNT, LZCNT (ABM) and BMI1 accordingly.
 *
 * Flags (Intel SDM): bt*: CF = the bit, ZF unchanged, OF SF AF PF undefined (here unchanged).
 * bsf/bsr: ZF = (source = 0), others undefined (here unchanged); with a zero source the
 * destination is left unchanged (AMD documents this; Intel CPUs do the same).
 * lzcnt/tzcnt: CF = (source = 0), ZF = (result = 0), others undefined (here unchanged).
 * popcnt: ZF = (source = 0), OF SF AF CF PF cleared.
 */
import { CF, ZF, setEager, setRes32, setRes64, updateFlags } from "../flags.js";
import type { Machine } from "../machine.js";
import type { Handler, Op } from "../op.js";
import { T, ea, toAddr, wrD } from "../operands.js";
import { mn, type Decoding, type InstrDef } from "./def.js";

const BT = 0;
const BTS = 1;
const BTR = 2;
const BTC = 3;

/** Reads the r/m operand (op size 2, 4 or 8): 16-bit zero-extended, 32 as int32; 64 → lo, T[1] = hi. */
function readRM(m: Machine, o: Op): number {
  const r = m.r;
  T[1] = 0;
  if (o.mm === 0) {
    if (o.size === 8) T[1] = r[o.s + 1];
    return o.size === 2 ? r[o.s] & 0xffff : r[o.s];
  }
  const a = ea(m, o);
  const mem = m.memory;
  if (o.size === 2) return mem.load16(a);
  if (o.size === 8) T[1] = mem.load32(a + 4);
  return mem.load32(a);
}

/** Writes a result to the destination register d (size 2 merges, 4 zero-extends, 8 both words). */
function writeDst(r: Int32Array, o: Op, lo: number, hi: number): void {
  if (o.size === 2) wrD(r, o, lo);
  else {
    r[o.d] = lo;
    r[o.d + 1] = o.size === 8 ? hi : 0;
  }
}

const bitOp: Handler = (m, o) => {
  const r = m.r;
  const mem = m.memory;
  const bits = o.size * 8;
  const isMem = o.mm !== 0;
  let bit: number;
  let addr = 0;
  if (o.aux === 1) {
    if (isMem) {
      let off: number;
      if (o.size === 2) off = (r[o.s] << 16) >> 16;
      else if (o.size === 4) off = r[o.s];
      else off = toAddr(r[o.s], r[o.s + 1]); // signed: the high word is an int32
      const q = Math.floor(off / bits);
      bit = off - q * bits;
      addr = ea(m, o) + q * o.size;
    } else bit = r[o.s] & (bits - 1);
  } else {
    bit = o.ilo & (bits - 1);
    if (isMem) addr = ea(m, o);
  }
  let lo: number;
  let hi = 0;
  if (isMem) {
    lo = o.size === 2 ? mem.load16(addr) : mem.load32(addr);
    if (o.size === 8) hi = mem.load32(addr + 4);
  } else {
    lo = r[o.d];
    hi = r[o.d + 1];
  }
  const inHi = bit >= 32;
  const b = inHi ? bit - 32 : bit;
  const word = inHi ? hi : lo;
  const cf = (word >>> b) & 1;
  const op = o.cc;
  if (op !== BT) {
    const mask = 1 << b;
    const nw = op === BTS ? word | mask : op === BTR ? word & ~mask : word ^ mask;
    if (inHi) hi = nw;
    else lo = nw;
    if (isMem) {
      if (o.size === 2) mem.store16(addr, lo);
      else if (o.size === 4) mem.store32(addr, lo);
      else mem.store64(addr, lo, hi);
    } else writeDst(r, o, lo, hi);
  }
  updateFlags(m.fl, CF, cf);
};

function buildBt(op: number): (d: Decoding) => Handler | null {
  return (d) => {
    const o = d.op;
    const size = d.size(0);
    if (size < 2 || size > 8) return null;
    d.setSize(size);
    o.cc = op;
    if (d.isReg(1)) {
      d.src(1);
      o.aux = 1;
    } else if (d.isImm(1)) o.ilo = Number(d.immValue(1)) & 0xff;
    else return null;
    if (d.isReg(0)) d.dst(0);
    else if (!d.isMem(0) || !d.mem()) return null;
    return bitOp;
  };
}

function ctz32(x: number): number {
  return 31 - Math.clz32(x & -x);
}

const bsf: Handler = (m, o) => {
  const lo = readRM(m, o);
  const hi = T[1];
  if ((lo | hi) === 0) {
    updateFlags(m.fl, ZF, ZF);
    return;
  }
  writeDst(m.r, o, lo !== 0 ? ctz32(lo) : 32 + ctz32(hi), 0);
  updateFlags(m.fl, ZF, 0);
};
const bsr: Handler = (m, o) => {
  const lo = readRM(m, o);
  const hi = T[1];
  if ((lo | hi) === 0) {
    updateFlags(m.fl, ZF, ZF);
    return;
  }
  writeDst(m.r, o, hi !== 0 ? 63 - Math.clz32(hi) : 31 - Math.clz32(lo), 0);
  updateFlags(m.fl, ZF, 0);
};
const lzcnt: Handler = (m, o) => {
  const lo = readRM(m, o);
  const hi = T[1];
  let n: number;
  if (o.size === 2) n = Math.clz32(lo) - 16;
  else if (o.size === 4) n = Math.clz32(lo);
  else n = hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo);
  writeDst(m.r, o, n, 0);
  updateFlags(m.fl, CF | ZF, ((lo | hi) === 0 ? CF : 0) | (n === 0 ? ZF : 0));
};
const tzcnt: Handler = (m, o) => {
  const lo = readRM(m, o);
  const hi = T[1];
  let n: number;
  if ((lo | hi) === 0) n = o.size * 8;
  else n = lo !== 0 ? ctz32(lo) : 32 + ctz32(hi);
  writeDst(m.r, o, n, 0);
  updateFlags(m.fl, CF | ZF, ((lo | hi) === 0 ? CF : 0) | (n === 0 ? ZF : 0));
};

function popcount32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

const popcnt: Handler = (m, o) => {
  const lo = readRM(m, o);
  const hi = T[1];
  writeDst(m.r, o, popcount32(lo) + popcount32(hi), 0);
  setEager(m.fl, (lo | hi) === 0 ? ZF : 0);
};

function buildCount(h: Handler): (d: Decoding) => Handler | null {
  return (d) => {
    const size = d.dst(0);
    if (size < 2) return null;
    d.setSize(size);
    if (d.isReg(1)) d.src(1);
    else if (!d.isMem(1) || !d.mem()) return null;
    return h;
  };
}

// ------------------------------------------------------------------ BMI1

/** Records ZF SF PF from a result of the op's size; CF from cf; OF = 0. */
function resFlags(m: Machine, o: Op, lo: number, hi: number, cf: number): void {
  if (o.size === 8) setRes64(m.fl, lo, hi, cf);
  else setRes32(m.fl, lo, cf);
}

const andn: Handler = (m, o) => {
  const bl = readRM(m, o);
  const bh = T[1];
  const r = m.r;
  const lo = ~r[o.s2] & bl;
  const hi = o.size === 8 ? ~r[o.s2 + 1] & bh : 0;
  writeDst(r, o, lo, hi);
  resFlags(m, o, lo, hi, 0);
};

const bextr: Handler = (m, o) => {
  const lo = readRM(m, o);
  const hi = T[1];
  const r = m.r;
  const start = r[o.s2] & 0xff;
  const len = (r[o.s2] >> 8) & 0xff;
  const bits = o.size * 8;
  let v = ((BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0)) & ((1n << BigInt(bits)) - 1n);
  v = start >= bits ? 0n : v >> BigInt(start);
  if (len < bits) v &= (1n << BigInt(len)) - 1n;
  const rl = Number(BigInt.asIntN(32, v));
  const rh = Number(BigInt.asIntN(32, v >> 32n));
  writeDst(r, o, rl, rh);
  resFlags(m, o, rl, rh, 0);
};

/** blsi (cc 0), blsmsk (1), blsr (2). */
const bls: Handler = (m, o) => {
  const lo = readRM(m, o);
  const hi = o.size === 8 ? T[1] : 0;
  const zero = (lo | hi) === 0;
  // x - 1 over 64 bits (32 for 32-bit operands, where hi stays 0 after masking below)
  const ml = (lo - 1) | 0;
  const mh = o.size === 8 ? (lo === 0 ? (hi - 1) | 0 : hi) : 0;
  let rl: number;
  let rh: number;
  if (o.cc === 0) {
    // x & -x
    const nl = -lo | 0;
    const nh = o.size === 8 ? (~hi + (lo === 0 ? 1 : 0)) | 0 : 0;
    rl = lo & nl;
    rh = hi & nh;
  } else if (o.cc === 1) {
    rl = lo ^ ml;
    rh = hi ^ mh;
  } else {
    rl = lo & ml;
    rh = hi & mh;
  }
  writeDst(m.r, o, rl, rh);
  const cf = o.cc === 0 ? (zero ? 0 : CF) : zero ? CF : 0;
  resFlags(m, o, rl, rh, cf);
};

function buildVex(h: Handler, kind: "andn" | "bextr" | "bls", cc = 0): (d: Decoding) => Handler | null {
  return (d) => {
    const size = d.dst(0);
    if (size !== 4 && size !== 8) return null;
    d.setSize(size);
    d.op.cc = cc;
    const rmIndex = kind === "andn" ? 2 : 1;
    if (kind !== "bls") {
      const other = kind === "andn" ? 1 : 2;
      const s2 = d.slot(other);
      if (s2 < 0) return null;
      d.op.s2 = s2;
    }
    if (d.isReg(rmIndex)) d.src(rmIndex);
    else if (!d.isMem(rmIndex) || !d.mem()) return null;
    return h;
  };
}

export const BITS: InstrDef[] = [
  {
    mnemonics: mn("Bt"),
    family: "bits",
    writes: "C",
    undef: "OSAP",
    note: "ZF unchanged",
    build: buildBt(BT),
  },
  {
    mnemonics: mn("Bts"),
    family: "bits",
    writes: "C",
    undef: "OSAP",
    note: "ZF unchanged",
    build: buildBt(BTS),
  },
  {
    mnemonics: mn("Btr"),
    family: "bits",
    writes: "C",
    undef: "OSAP",
    note: "ZF unchanged",
    build: buildBt(BTR),
  },
  {
    mnemonics: mn("Btc"),
    family: "bits",
    writes: "C",
    undef: "OSAP",
    note: "ZF unchanged",
    build: buildBt(BTC),
  },
  { mnemonics: mn("Bsf"), family: "bits", writes: "Z", undef: "OSAPC", build: buildCount(bsf) },
  { mnemonics: mn("Bsr"), family: "bits", writes: "Z", undef: "OSAPC", build: buildCount(bsr) },
  { mnemonics: mn("Lzcnt"), family: "bits", writes: "ZC", undef: "OSAP", build: buildCount(lzcnt) },
  { mnemonics: mn("Tzcnt"), family: "bits", writes: "ZC", undef: "OSAP", build: buildCount(tzcnt) },
  {
    mnemonics: mn("Popcnt"),
    family: "bits",
    writes: "OSZAPC",
    note: "all cleared but ZF",
    build: buildCount(popcnt),
  },
  { mnemonics: mn("Andn"), family: "bits", writes: "OSZC", undef: "AP", build: buildVex(andn, "andn") },
  { mnemonics: mn("Bextr"), family: "bits", writes: "OZC", undef: "SAP", build: buildVex(bextr, "bextr") },
  { mnemonics: mn("Blsi"), family: "bits", writes: "OSZC", undef: "AP", build: buildVex(bls, "bls", 0) },
  { mnemonics: mn("Blsmsk"), family: "bits", writes: "OSZC", undef: "AP", build: buildVex(bls, "bls", 1) },
  { mnemonics: mn("Blsr"), family: "bits", writes: "OSZC", undef: "AP", build: buildVex(bls, "bls", 2) },
];
