/**
 * Integer arithmetic and logic: add or adc sbb and sub xor cmp test, inc dec neg not.
 *
 * Each handler is a one-line function that passes a constant operation to a shared form function
 * (register/register, register/immediate, register/memory, memory/register, memory/immediate, for
 * up to 32 bits and for 64 bits). The form functions are small enough for V8 to inline, so the
 * `switch (op)` inside them folds away and every handler is specialised.
 *
 * Memory destinations are read, computed, written, and only then are the flags recorded, so a
 * write fault leaves the machine state untouched (as on hardware).
 */
import {
  getCF,
  FA,
  FAH,
  FB,
  FBH,
  FK,
  FR,
  FRH,
  FX,
  K_RES32,
  K_RES64,
  K_ADC32,
  K_ADC64,
  K_ADD32,
  K_ADD64,
  K_DEC32,
  K_DEC64,
  K_INC32,
  K_INC64,
  K_SBB32,
  K_SBB64,
  K_SUB32,
  K_SUB64,
  set32,
  set64,
} from "../flags.js";
import type { Machine } from "../machine.js";
import { cond } from "../flags.js";
import { Op, type Handler } from "../op.js";
import { ea, ldS, rdS, stN, T, wrD } from "../operands.js";
import { mn, type Decoding, type InstrDef } from "./def.js";

const TWO32 = 4294967296;

const ADD = 0;
const OR = 1;
const ADC = 2;
const SBB = 3;
const AND = 4;
const SUB = 5;
const XOR = 6;
const CMP = 7;
const TEST = 8;

const INC = 0;
const DEC = 1;
const NEG = 2;
const NOT = 3;

function carryIn(f: Int32Array, op: number): number {
  return op === ADC || op === SBB ? getCF(f) : 0;
}

/** Result of op on values sign-extended to 32 bits, sign-extended from the operand size. */
function res32(op: number, a: number, b: number, c: number, sx: number): number {
  switch (op) {
    case ADD:
      return ((a + b) << sx) >> sx;
    case ADC:
      return ((a + b + c) << sx) >> sx;
    case SUB:
    case CMP:
      return ((a - b) << sx) >> sx;
    case SBB:
      return ((a - b - c) << sx) >> sx;
    case AND:
    case TEST:
      return a & b;
    case OR:
      return a | b;
    default:
      return a ^ b;
  }
}

/** Lazy-flag kinds per operation (logic operations record a result with CF = OF = AF = 0). */
const KIND32 = Int32Array.of(K_ADD32, K_RES32, K_ADC32, K_SBB32, K_RES32, K_SUB32, K_RES32, K_SUB32, K_RES32);
const KIND64 = Int32Array.of(K_ADD64, K_RES64, K_ADC64, K_SBB64, K_RES64, K_SUB64, K_RES64, K_SUB64, K_RES64);

/** Records the flags of op (c is the carry-in of adc/sbb, 0 otherwise: also FX of the logic kinds). */
function flags32(f: Int32Array, op: number, a: number, b: number, r: number, c: number): void {
  f[FK] = KIND32[op];
  f[FA] = a;
  f[FB] = b;
  f[FR] = r;
  f[FX] = c;
}

/** 64-bit result: returns the low word, T[0] receives the high word. */
function res64(op: number, al: number, ah: number, bl: number, bh: number, c: number): number {
  if (op === ADD || op === ADC) {
    const s = (al >>> 0) + (bl >>> 0) + c;
    T[0] = (ah + bh + (s >= TWO32 ? 1 : 0)) | 0;
    return s | 0;
  }
  if (op === SUB || op === CMP || op === SBB) {
    const s = (al >>> 0) - (bl >>> 0) - c;
    T[0] = (ah - bh - (s < 0 ? 1 : 0)) | 0;
    return s | 0;
  }
  if (op === OR) {
    T[0] = ah | bh;
    return al | bl;
  }
  if (op === XOR) {
    T[0] = ah ^ bh;
    return al ^ bl;
  }
  T[0] = ah & bh;
  return al & bl;
}

function flags64(
  f: Int32Array,
  op: number,
  al: number,
  ah: number,
  bl: number,
  bh: number,
  rl: number,
  rh: number,
  c: number,
): void {
  f[FK] = KIND64[op];
  f[FA] = al;
  f[FAH] = ah;
  f[FB] = bl;
  f[FBH] = bh;
  f[FR] = rl;
  f[FRH] = rh;
  f[FX] = c;
}

const writes = (op: number): boolean => op !== CMP && op !== TEST;

// ------------------------------------------------------------------ forms, up to 32 bits

function rr32(m: Machine, o: Op, op: number): void {
  const r = m.r;
  const f = m.fl;
  const a = rdS(r, o.d, o.dsh, o.sx);
  const b = rdS(r, o.s, o.ssh, o.sx);
  const c = carryIn(f, op);
  const v = res32(op, a, b, c, o.sx);
  if (writes(op)) wrD(r, o, v);
  flags32(f, op, a, b, v, c);
}

function ri32(m: Machine, o: Op, op: number): void {
  const r = m.r;
  const f = m.fl;
  const a = rdS(r, o.d, o.dsh, o.sx);
  const b = o.ilo;
  const c = carryIn(f, op);
  const v = res32(op, a, b, c, o.sx);
  if (writes(op)) wrD(r, o, v);
  flags32(f, op, a, b, v, c);
}

function rm32(m: Machine, o: Op, op: number): void {
  const r = m.r;
  const f = m.fl;
  const b = ldS(m.memory, ea(m, o), o.size);
  const a = rdS(r, o.d, o.dsh, o.sx);
  const c = carryIn(f, op);
  const v = res32(op, a, b, c, o.sx);
  if (writes(op)) wrD(r, o, v);
  flags32(f, op, a, b, v, c);
}

function mr32(m: Machine, o: Op, op: number): void {
  const f = m.fl;
  const mem = m.memory;
  const addr = ea(m, o);
  const a = ldS(mem, addr, o.size);
  const b = rdS(m.r, o.s, o.ssh, o.sx);
  const c = carryIn(f, op);
  const v = res32(op, a, b, c, o.sx);
  if (writes(op)) stN(mem, addr, v, o.size);
  flags32(f, op, a, b, v, c);
}

function mi32(m: Machine, o: Op, op: number): void {
  const f = m.fl;
  const mem = m.memory;
  const addr = ea(m, o);
  const a = ldS(mem, addr, o.size);
  const b = o.ilo;
  const c = carryIn(f, op);
  const v = res32(op, a, b, c, o.sx);
  if (writes(op)) stN(mem, addr, v, o.size);
  flags32(f, op, a, b, v, c);
}

// ------------------------------------------------------------------ forms, 64 bits

function rr64(m: Machine, o: Op, op: number): void {
  const r = m.r;
  const f = m.fl;
  const al = r[o.d];
  const ah = r[o.d + 1];
  const bl = r[o.s];
  const bh = r[o.s + 1];
  const c = carryIn(f, op);
  const rl = res64(op, al, ah, bl, bh, c);
  const rh = T[0];
  if (writes(op)) {
    r[o.d] = rl;
    r[o.d + 1] = rh;
  }
  flags64(f, op, al, ah, bl, bh, rl, rh, c);
}

function ri64(m: Machine, o: Op, op: number): void {
  const r = m.r;
  const f = m.fl;
  const al = r[o.d];
  const ah = r[o.d + 1];
  const bl = o.ilo;
  const bh = o.ihi;
  const c = carryIn(f, op);
  const rl = res64(op, al, ah, bl, bh, c);
  const rh = T[0];
  if (writes(op)) {
    r[o.d] = rl;
    r[o.d + 1] = rh;
  }
  flags64(f, op, al, ah, bl, bh, rl, rh, c);
}

function rm64(m: Machine, o: Op, op: number): void {
  const r = m.r;
  const f = m.fl;
  const mem = m.memory;
  const bl = mem.load64(ea(m, o));
  const bh = mem.hi[0];
  const al = r[o.d];
  const ah = r[o.d + 1];
  const c = carryIn(f, op);
  const rl = res64(op, al, ah, bl, bh, c);
  const rh = T[0];
  if (writes(op)) {
    r[o.d] = rl;
    r[o.d + 1] = rh;
  }
  flags64(f, op, al, ah, bl, bh, rl, rh, c);
}

function mr64(m: Machine, o: Op, op: number): void {
  const r = m.r;
  const f = m.fl;
  const mem = m.memory;
  const addr = ea(m, o);
  const al = mem.load64(addr);
  const ah = mem.hi[0];
  const bl = r[o.s];
  const bh = r[o.s + 1];
  const c = carryIn(f, op);
  const rl = res64(op, al, ah, bl, bh, c);
  const rh = T[0];
  if (writes(op)) mem.store64(addr, rl, rh);
  flags64(f, op, al, ah, bl, bh, rl, rh, c);
}

function mi64(m: Machine, o: Op, op: number): void {
  const f = m.fl;
  const mem = m.memory;
  const addr = ea(m, o);
  const al = mem.load64(addr);
  const ah = mem.hi[0];
  const bl = o.ilo;
  const bh = o.ihi;
  const c = carryIn(f, op);
  const rl = res64(op, al, ah, bl, bh, c);
  const rh = T[0];
  if (writes(op)) mem.store64(addr, rl, rh);
  flags64(f, op, al, ah, bl, bh, rl, rh, c);
}

interface BinForms {
  rr32: Handler | null;
  ri32: Handler | null;
  rm32: Handler | null;
  mr32: Handler | null;
  mi32: Handler | null;
  rr64: Handler | null;
  ri64: Handler | null;
  rm64: Handler | null;
  mr64: Handler | null;
  mi64: Handler | null;
}

/** One distinct function per operation and form, so that V8 specialises each. */
const BIN: Record<number, BinForms> = {
  [ADD]: {
    rr32: (m, o) => rr32(m, o, ADD),
    ri32: (m, o) => ri32(m, o, ADD),
    rm32: (m, o) => rm32(m, o, ADD),
    mr32: (m, o) => mr32(m, o, ADD),
    mi32: (m, o) => mi32(m, o, ADD),
    rr64: (m, o) => rr64(m, o, ADD),
    ri64: (m, o) => ri64(m, o, ADD),
    rm64: (m, o) => rm64(m, o, ADD),
    mr64: (m, o) => mr64(m, o, ADD),
    mi64: (m, o) => mi64(m, o, ADD),
  },
  [OR]: {
    rr32: (m, o) => rr32(m, o, OR),
    ri32: (m, o) => ri32(m, o, OR),
    rm32: (m, o) => rm32(m, o, OR),
    mr32: (m, o) => mr32(m, o, OR),
    mi32: (m, o) => mi32(m, o, OR),
    rr64: (m, o) => rr64(m, o, OR),
    ri64: (m, o) => ri64(m, o, OR),
    rm64: (m, o) => rm64(m, o, OR),
    mr64: (m, o) => mr64(m, o, OR),
    mi64: (m, o) => mi64(m, o, OR),
  },
  [ADC]: {
    rr32: (m, o) => rr32(m, o, ADC),
    ri32: (m, o) => ri32(m, o, ADC),
    rm32: (m, o) => rm32(m, o, ADC),
    mr32: (m, o) => mr32(m, o, ADC),
    mi32: (m, o) => mi32(m, o, ADC),
    rr64: (m, o) => rr64(m, o, ADC),
    ri64: (m, o) => ri64(m, o, ADC),
    rm64: (m, o) => rm64(m, o, ADC),
    mr64: (m, o) => mr64(m, o, ADC),
    mi64: (m, o) => mi64(m, o, ADC),
  },
  [SBB]: {
    rr32: (m, o) => rr32(m, o, SBB),
    ri32: (m, o) => ri32(m, o, SBB),
    rm32: (m, o) => rm32(m, o, SBB),
    mr32: (m, o) => mr32(m, o, SBB),
    mi32: (m, o) => mi32(m, o, SBB),
    rr64: (m, o) => rr64(m, o, SBB),
    ri64: (m, o) => ri64(m, o, SBB),
    rm64: (m, o) => rm64(m, o, SBB),
    mr64: (m, o) => mr64(m, o, SBB),
    mi64: (m, o) => mi64(m, o, SBB),
  },
  [AND]: {
    rr32: (m, o) => rr32(m, o, AND),
    ri32: (m, o) => ri32(m, o, AND),
    rm32: (m, o) => rm32(m, o, AND),
    mr32: (m, o) => mr32(m, o, AND),
    mi32: (m, o) => mi32(m, o, AND),
    rr64: (m, o) => rr64(m, o, AND),
    ri64: (m, o) => ri64(m, o, AND),
    rm64: (m, o) => rm64(m, o, AND),
    mr64: (m, o) => mr64(m, o, AND),
    mi64: (m, o) => mi64(m, o, AND),
  },
  [SUB]: {
    rr32: (m, o) => rr32(m, o, SUB),
    ri32: (m, o) => ri32(m, o, SUB),
    rm32: (m, o) => rm32(m, o, SUB),
    mr32: (m, o) => mr32(m, o, SUB),
    mi32: (m, o) => mi32(m, o, SUB),
    rr64: (m, o) => rr64(m, o, SUB),
    ri64: (m, o) => ri64(m, o, SUB),
    rm64: (m, o) => rm64(m, o, SUB),
    mr64: (m, o) => mr64(m, o, SUB),
    mi64: (m, o) => mi64(m, o, SUB),
  },
  [XOR]: {
    rr32: (m, o) => rr32(m, o, XOR),
    ri32: (m, o) => ri32(m, o, XOR),
    rm32: (m, o) => rm32(m, o, XOR),
    mr32: (m, o) => mr32(m, o, XOR),
    mi32: (m, o) => mi32(m, o, XOR),
    rr64: (m, o) => rr64(m, o, XOR),
    ri64: (m, o) => ri64(m, o, XOR),
    rm64: (m, o) => rm64(m, o, XOR),
    mr64: (m, o) => mr64(m, o, XOR),
    mi64: (m, o) => mi64(m, o, XOR),
  },
  [CMP]: {
    rr32: (m, o) => rr32(m, o, CMP),
    ri32: (m, o) => ri32(m, o, CMP),
    rm32: (m, o) => rm32(m, o, CMP),
    mr32: (m, o) => mr32(m, o, CMP),
    mi32: (m, o) => mi32(m, o, CMP),
    rr64: (m, o) => rr64(m, o, CMP),
    ri64: (m, o) => ri64(m, o, CMP),
    rm64: (m, o) => rm64(m, o, CMP),
    mr64: (m, o) => mr64(m, o, CMP),
    mi64: (m, o) => mi64(m, o, CMP),
  },
  [TEST]: {
    rr32: (m, o) => rr32(m, o, TEST),
    ri32: (m, o) => ri32(m, o, TEST),
    rm32: null,
    mr32: (m, o) => mr32(m, o, TEST),
    mi32: (m, o) => mi32(m, o, TEST),
    rr64: (m, o) => rr64(m, o, TEST),
    ri64: (m, o) => ri64(m, o, TEST),
    rm64: null,
    mr64: (m, o) => mr64(m, o, TEST),
    mi64: (m, o) => mi64(m, o, TEST),
  },
};

function buildBin(op: number): (d: Decoding) => Handler | null {
  return (d) => {
    const o = d.op;
    const size = d.size(0);
    if (size === 0 || size > 8) return null;
    d.setSize(size);
    const h = BIN[op];
    const w = size === 8;
    if (d.isReg(0)) {
      d.dst(0);
      if (d.isReg(1)) {
        d.src(1);
        return w ? h.rr64 : h.rr32;
      }
      if (d.isImm(1)) {
        d.imm(1);
        if (!w) o.ilo = (o.ilo << o.sx) >> o.sx;
        return w ? h.ri64 : h.ri32;
      }
      if (d.isMem(1) && d.mem()) return w ? h.rm64 : h.rm32;
      return null;
    }
    if (!d.isMem(0) || !d.mem()) return null;
    if (d.isReg(1)) {
      d.src(1);
      return w ? h.mr64 : h.mr32;
    }
    if (d.isImm(1)) {
      d.imm(1);
      if (!w) o.ilo = (o.ilo << o.sx) >> o.sx;
      return w ? h.mi64 : h.mi32;
    }
    return null;
  };
}

// ------------------------------------------------------------------ inc dec neg not

function un32(f: Int32Array, op: number, a: number, sx: number): number {
  switch (op) {
    case INC:
      return ((a + 1) << sx) >> sx;
    case DEC:
      return ((a - 1) << sx) >> sx;
    case NEG:
      return ((0 - a) << sx) >> sx;
    default:
      return ~a;
  }
}

function unFlags32(f: Int32Array, op: number, a: number, v: number, cf: number): void {
  switch (op) {
    case INC:
      set32(f, K_INC32, a, 1, v);
      f[FX] = cf;
      return;
    case DEC:
      set32(f, K_DEC32, a, 1, v);
      f[FX] = cf;
      return;
    case NEG:
      set32(f, K_SUB32, 0, a, v);
      return;
    default:
  }
}

function un64(op: number, al: number, ah: number): number {
  switch (op) {
    case INC: {
      const s = (al >>> 0) + 1;
      T[0] = (ah + (s >= TWO32 ? 1 : 0)) | 0;
      return s | 0;
    }
    case DEC: {
      const s = (al >>> 0) - 1;
      T[0] = (ah - (s < 0 ? 1 : 0)) | 0;
      return s | 0;
    }
    case NEG: {
      const s = 0 - (al >>> 0);
      T[0] = (0 - ah - (s < 0 ? 1 : 0)) | 0;
      return s | 0;
    }
    default:
      T[0] = ~ah;
      return ~al;
  }
}

function unFlags64(
  f: Int32Array,
  op: number,
  al: number,
  ah: number,
  rl: number,
  rh: number,
  cf: number,
): void {
  switch (op) {
    case INC:
      set64(f, K_INC64, al, ah, 1, 0, rl, rh);
      f[FX] = cf;
      return;
    case DEC:
      set64(f, K_DEC64, al, ah, 1, 0, rl, rh);
      f[FX] = cf;
      return;
    case NEG:
      set64(f, K_SUB64, 0, 0, al, ah, rl, rh);
      return;
    default:
  }
}

const oldCF = (f: Int32Array, op: number): number => (op === INC || op === DEC ? getCF(f) : 0);

function ur32(m: Machine, o: Op, op: number): void {
  const r = m.r;
  const f = m.fl;
  const a = rdS(r, o.d, o.dsh, o.sx);
  const cf = oldCF(f, op);
  const v = un32(f, op, a, o.sx);
  wrD(r, o, v);
  unFlags32(f, op, a, v, cf);
}

function um32(m: Machine, o: Op, op: number): void {
  const f = m.fl;
  const mem = m.memory;
  const addr = ea(m, o);
  const a = ldS(mem, addr, o.size);
  const cf = oldCF(f, op);
  const v = un32(f, op, a, o.sx);
  stN(mem, addr, v, o.size);
  unFlags32(f, op, a, v, cf);
}

function ur64(m: Machine, o: Op, op: number): void {
  const r = m.r;
  const f = m.fl;
  const al = r[o.d];
  const ah = r[o.d + 1];
  const cf = oldCF(f, op);
  const rl = un64(op, al, ah);
  const rh = T[0];
  r[o.d] = rl;
  r[o.d + 1] = rh;
  unFlags64(f, op, al, ah, rl, rh, cf);
}

function um64(m: Machine, o: Op, op: number): void {
  const f = m.fl;
  const mem = m.memory;
  const addr = ea(m, o);
  const al = mem.load64(addr);
  const ah = mem.hi[0];
  const cf = oldCF(f, op);
  const rl = un64(op, al, ah);
  const rh = T[0];
  mem.store64(addr, rl, rh);
  unFlags64(f, op, al, ah, rl, rh, cf);
}

const UN: Record<number, { r32: Handler; m32: Handler; r64: Handler; m64: Handler }> = {
  [INC]: {
    r32: (m, o) => ur32(m, o, INC),
    m32: (m, o) => um32(m, o, INC),
    r64: (m, o) => ur64(m, o, INC),
    m64: (m, o) => um64(m, o, INC),
  },
  [DEC]: {
    r32: (m, o) => ur32(m, o, DEC),
    m32: (m, o) => um32(m, o, DEC),
    r64: (m, o) => ur64(m, o, DEC),
    m64: (m, o) => um64(m, o, DEC),
  },
  [NEG]: {
    r32: (m, o) => ur32(m, o, NEG),
    m32: (m, o) => um32(m, o, NEG),
    r64: (m, o) => ur64(m, o, NEG),
    m64: (m, o) => um64(m, o, NEG),
  },
  [NOT]: {
    r32: (m, o) => ur32(m, o, NOT),
    m32: (m, o) => um32(m, o, NOT),
    r64: (m, o) => ur64(m, o, NOT),
    m64: (m, o) => um64(m, o, NOT),
  },
};

function buildUn(op: number): (d: Decoding) => Handler | null {
  return (d) => {
    const size = d.size(0);
    if (size === 0 || size > 8) return null;
    d.setSize(size);
    const h = UN[op];
    if (d.isReg(0)) {
      d.dst(0);
      return size === 8 ? h.r64 : h.r32;
    }
    if (!d.isMem(0) || !d.mem()) return null;
    return size === 8 ? h.m64 : h.m32;
  };
}

// ------------------------------------------------------------------ cmp/test + jcc fusion

/** Fuses a cmp or test that cannot fault (register and immediate forms) with the jcc after it. */
const FUSED = new Map<Handler, Handler>([
  [BIN[CMP].rr32!, (m, o) => (rr32(m, o, CMP), jump(m, o))],
  [BIN[CMP].ri32!, (m, o) => (ri32(m, o, CMP), jump(m, o))],
  [BIN[CMP].rr64!, (m, o) => (rr64(m, o, CMP), jump(m, o))],
  [BIN[CMP].ri64!, (m, o) => (ri64(m, o, CMP), jump(m, o))],
  [BIN[TEST].rr32!, (m, o) => (rr32(m, o, TEST), jump(m, o))],
  [BIN[TEST].ri32!, (m, o) => (ri32(m, o, TEST), jump(m, o))],
  [BIN[TEST].rr64!, (m, o) => (rr64(m, o, TEST), jump(m, o))],
  [BIN[TEST].ri64!, (m, o) => (ri64(m, o, TEST), jump(m, o))],
]);

function jump(m: Machine, o: Op): boolean {
  if (!cond(m.fl, o.cc)) return false;
  m.rip = o.target;
  return true;
}

/**
 * The fused op for `first` followed by the conditional branch `branch`, or null. It executes both
 * and counts as two instructions; the run loop keeps the unfused ops for precise stepping.
 */
export function fuseWithJcc(first: Op, branch: Op): Op | null {
  const h = FUSED.get(first.fn);
  if (h === undefined || branch.cc < 0) return null;
  const o = Object.assign(new Op(h), first);
  o.fn = h;
  o.cc = branch.cc;
  o.target = branch.target;
  o.nextIp = branch.nextIp;
  return o;
}

export const ALU: InstrDef[] = [
  { mnemonics: mn("Add"), family: "alu", writes: "OSZAPC", build: buildBin(ADD) },
  { mnemonics: mn("Adc"), family: "alu", reads: "C", writes: "OSZAPC", build: buildBin(ADC) },
  { mnemonics: mn("Sub"), family: "alu", writes: "OSZAPC", build: buildBin(SUB) },
  { mnemonics: mn("Sbb"), family: "alu", reads: "C", writes: "OSZAPC", build: buildBin(SBB) },
  { mnemonics: mn("Cmp"), family: "alu", writes: "OSZAPC", build: buildBin(CMP) },
  {
    mnemonics: mn("And"),
    family: "alu",
    writes: "OSZPC",
    undef: "A",
    note: "OF and CF cleared",
    build: buildBin(AND),
  },
  {
    mnemonics: mn("Or"),
    family: "alu",
    writes: "OSZPC",
    undef: "A",
    note: "OF and CF cleared",
    build: buildBin(OR),
  },
  {
    mnemonics: mn("Xor"),
    family: "alu",
    writes: "OSZPC",
    undef: "A",
    note: "OF and CF cleared",
    build: buildBin(XOR),
  },
  {
    mnemonics: mn("Test"),
    family: "alu",
    writes: "OSZPC",
    undef: "A",
    note: "OF and CF cleared",
    build: buildBin(TEST),
  },
  { mnemonics: mn("Inc"), family: "alu", writes: "OSZAP", note: "CF unchanged", build: buildUn(INC) },
  { mnemonics: mn("Dec"), family: "alu", writes: "OSZAP", note: "CF unchanged", build: buildUn(DEC) },
  { mnemonics: mn("Neg"), family: "alu", writes: "OSZAPC", note: "CF = (operand != 0)", build: buildUn(NEG) },
  { mnemonics: mn("Not"), family: "alu", build: buildUn(NOT) },
];

/** For the block translator (translate.ts): the operation codes and their handler tables. */
export const ALU_OPS = { ADD, OR, ADC, SBB, AND, SUB, XOR, CMP, TEST, INC, DEC, NEG, NOT } as const;
export const ALU_BIN: Readonly<Record<number, BinForms>> = BIN;
export const ALU_UN: Readonly<Record<number, { r32: Handler; m32: Handler; r64: Handler; m64: Handler }>> =
  UN;
