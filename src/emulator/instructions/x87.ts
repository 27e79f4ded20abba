/**
 * x87 floating point, 80-bit exact (float80.ts does the arithmetic): loads and stores of m32/m64/m80
 * reals and m16/m32/m64 integers, fxch, constants, fadd fsub fsubr fmul fdiv fdivr in all forms
 * (memory real, memory integer, st(0)/st(i) both ways, popping), fchs fabs fsqrt frndint fscale
 * fprem fprem1, compares (fcom fucom ficom ftst fxam and fcomi fucomi, which set EFLAGS), fcmovcc,
 * control and status (fldcw fnstcw fnstsw fnclex fninit fnstenv fldenv ffree fincstp fdecstp
 * fwait fnop).
 *
 * Honoured: precision control (24/53/64 bits) and rounding control for arithmetic, stores and
 * integer conversions; NaN propagation and the indefinite; stack overflow/underflow (masked).
 * Not modelled: unmasked exceptions (#MF), the last instruction/data pointers (fnstenv stores
 * zeros), transcendental instructions (fsin fcos fptan fpatan f2xm1 fyl2x ...: #UD).
 *
 * Flags: fcomi/fucomi(p) set ZF PF CF (unordered: all three) and clear OF SF AF; fcmovcc reads
 * EFLAGS; everything else leaves EFLAGS alone.
 */
import iced from "iced-x86";
import * as F from "../float80.js";
import { SW_B, SW_C1, SW_C2, SW_ES, SW_SF, type Fpu } from "../fpu-state.js";
import { CF, PF, ZF, cond, setEager } from "../flags.js";
import type { Machine } from "../machine.js";
import type { Handler, Op } from "../op.js";
import { ea } from "../operands.js";
import { mn, type Decoding, type InstrDef } from "./def.js";

const { Code, Register, MemorySize } = iced;

type F80 = F.F80;

// ------------------------------------------------------------------ memory operands

function loadReal(m: Machine, a: number, size: number): { v: F80; de: boolean } {
  const mem = m.memory;
  if (size === 4) {
    const w = mem.load32(a);
    return { v: F.fromSingle(w), de: (w & 0x7f800000) === 0 && (w & 0x7fffff) !== 0 };
  }
  if (size === 8) {
    const lo = mem.load64(a);
    const hi = mem.hi[0];
    return { v: F.fromDouble(hi, lo), de: (hi & 0x7ff00000) === 0 && ((hi & 0xfffff) | lo) !== 0 };
  }
  const lo = mem.load64(a);
  const hi = mem.hi[0];
  const se = mem.load16(a + 8);
  const mant = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
  return { v: { sign: se >>> 15, exp: se & 0x7fff, mant }, de: false };
}

function loadInt(m: Machine, a: number, size: number): bigint {
  const mem = m.memory;
  if (size === 2) return BigInt((mem.load16(a) << 16) >> 16);
  if (size === 4) return BigInt(mem.load32(a));
  const lo = mem.load64(a);
  return (BigInt(mem.hi[0]) << 32n) | BigInt(lo >>> 0);
}

function storeBits(m: Machine, a: number, bits: bigint, size: number): void {
  const mem = m.memory;
  mem.probeWrite(a, size);
  if (size === 2) mem.store16(a, Number(bits & 0xffffn));
  else if (size === 4) mem.store32(a, Number(BigInt.asIntN(32, bits)));
  else mem.store64(a, Number(BigInt.asIntN(32, bits)), Number(BigInt.asIntN(32, bits >> 32n)));
}

function storeExt(m: Machine, a: number, v: F80): void {
  const mem = m.memory;
  mem.probeWrite(a, 10);
  mem.store64(a, Number(BigInt.asIntN(32, v.mant)), Number(BigInt.asIntN(32, v.mant >> 32n)));
  mem.store16(a + 8, (v.sign << 15) | v.exp);
}

// ------------------------------------------------------------------ loads and stores

/** fld m32/m64/m80 (aux = size), fld st(i) (s = i, aux = 0). */
function fld(m: Machine, o: Op): void {
  const f = m.fpu;
  if (o.aux === 0) {
    const v = f.get(o.s);
    f.sw &= ~SW_C1;
    f.push(v);
    return;
  }
  const { v, de } = loadReal(m, ea(m, o), o.aux);
  if (o.aux === 10) {
    f.sw &= ~SW_C1;
    f.push(v);
    return;
  }
  const r = F.loadConvert(v);
  f.raise(r.flags | (de ? F.DE : 0));
  f.sw &= ~SW_C1;
  f.push(r.value);
}

function fild(m: Machine, o: Op): void {
  const f = m.fpu;
  const v = F.fromInteger(loadInt(m, ea(m, o), o.aux));
  f.sw &= ~SW_C1;
  f.push(v);
}

/** fst/fstp m32/m64/m80 (aux = size; imm2 = pop) and st(i) (aux = 0). */
function fst(m: Machine, o: Op): void {
  const f = m.fpu;
  const v = f.get(0);
  if (o.aux === 0) {
    f.sw &= ~SW_C1;
    f.set(o.s, v);
  } else if (o.aux === 10) {
    storeExt(m, ea(m, o), v);
    f.sw &= ~SW_C1;
  } else {
    const r = o.aux === 4 ? F.toSingle(v, f.rc) : F.toDouble(v, f.rc);
    storeBits(m, ea(m, o), r.bits, o.aux);
    f.result(r.flags);
  }
  if (o.imm2) f.pop();
}

/** fist/fistp/fisttp m16/m32/m64 (aux = size; imm2 = pop; ilo = 1 truncates). */
function fist(m: Machine, o: Op): void {
  const f = m.fpu;
  const r = F.toInteger(f.get(0), o.aux * 8, o.ilo ? F.RZ : f.rc);
  storeBits(m, ea(m, o), BigInt.asUintN(o.aux * 8, r.value), o.aux);
  f.result(r.flags);
  if (o.imm2) f.pop();
}

function fxch(m: Machine, o: Op): void {
  const f = m.fpu;
  const a = f.get(0);
  const b = f.get(o.s);
  f.set(0, b);
  f.set(o.s, a);
  f.sw &= ~SW_C1;
}

/** 128-bit values of the constants (value = sig * 2^e), rounded per RC when loaded. */
const CONSTANTS: Record<number, [bigint, number] | null> = {
  [Code.Fldz]: null,
  [Code.Fld1]: [1n, 0],
  [Code.Fldpi]: [0xc90fdaa22168c234c4c6628b80dc1cd1n, -126],
  [Code.Fldl2e]: [0xb8aa3b295c17f0bbbe87fed0691d3e88n, -127],
  [Code.Fldl2t]: [0xd49a784bcd1b8afe492bf6ff4dafdb4cn, -126],
  [Code.Fldlg2]: [0x9a209a84fbcff7988f8959ac0b7c9178n, -129],
  [Code.Fldln2]: [0xb17217f7d1cf79abc9e3b39803f2f6afn, -128],
};

function fldConst(m: Machine, o: Op): void {
  const f = m.fpu;
  const c = CONSTANTS[o.code];
  const v = c ? F.roundExact(0, c[0], c[1], c[0] !== 1n, 64, f.rc).value : F.ZERO;
  f.sw &= ~SW_C1;
  f.push(v);
}

// ------------------------------------------------------------------ arithmetic

/**
 * Stack underflow: if st(i) or st(j) is empty, the masked response writes the indefinite to st(dst)
 * (IE, SF, C1 clear) and the operation does nothing else. Returns whether it happened.
 */
function stackUnderflow(f: Fpu, i: number, j: number, dst: number): boolean {
  if (!f.isEmpty(i) && !f.isEmpty(j)) return false;
  f.raise(F.IE | SW_SF);
  f.sw &= ~SW_C1;
  f.set(dst, F.INDEFINITE);
  return true;
}

const OPS: Record<string, [number, boolean]> = {
  add: [F.OP_ADD, false],
  sub: [F.OP_SUB, false],
  subr: [F.OP_SUB, true],
  mul: [F.OP_MUL, false],
  div: [F.OP_DIV, false],
  divr: [F.OP_DIV, true],
};

/** Forms of a two-operand arithmetic instruction. */
const MEM_REAL = 1;
const MEM_INT = 2;
const ST0_STI = 3;
const STI_ST0 = 4;

function arithHandler(op: number, reverse: boolean, form: number, pop: boolean, size: number): Handler {
  return (m: Machine, o: Op) => {
    const f = m.fpu;
    let a: F80;
    let b: F80;
    let dst: number;
    let de = false;
    if (form === MEM_REAL || form === MEM_INT) {
      const addr = ea(m, o);
      if (form === MEM_REAL) {
        const l = loadReal(m, addr, size);
        b = l.v;
        de = l.de;
      } else b = F.fromInteger(loadInt(m, addr, size));
      if (stackUnderflow(f, 0, 0, 0)) return;
      a = f.get(0);
      dst = 0;
    } else if (form === ST0_STI) {
      if (stackUnderflow(f, 0, o.s, 0)) return;
      a = f.get(0);
      b = f.get(o.s);
      dst = 0;
    } else {
      if (stackUnderflow(f, o.s, 0, o.s)) {
        if (pop) f.pop();
        return;
      }
      a = f.get(o.s);
      b = f.get(0);
      dst = o.s;
    }
    const r = reverse ? F.arith(op, b, a, f.precision, f.rc) : F.arith(op, a, b, f.precision, f.rc);
    // A denormal memory operand is reported unless the operation was invalid, divided by zero or had a
    // NaN operand.
    const nan = F.isNaN80(a) || F.isNaN80(b) || (r.flags & (F.IE | F.ZE)) !== 0;
    f.result(r.flags | (de && !nan ? F.DE : 0));
    f.set(dst, r.value);
    if (pop) f.pop();
  };
}

function arithEntry(name: string): InstrDef[] {
  const [op, reverse] = OPS[name];
  const plain = mn(("F" + name) as keyof typeof iced.Mnemonic);
  const popping = mn(("F" + name + "p") as keyof typeof iced.Mnemonic);
  const integer = mn(("Fi" + name) as keyof typeof iced.Mnemonic);
  return [
    {
      mnemonics: plain,
      family: "x87",
      build: (d) => {
        if (d.count === 1 && d.isMem(0)) {
          if (!d.mem()) return null;
          return arithHandler(op, reverse, MEM_REAL, false, d.memSize());
        }
        if (d.count !== 2) return null;
        if (d.reg(0) === (Register.ST0 as number)) {
          d.op.s = d.reg(1) - Register.ST0;
          return arithHandler(op, reverse, ST0_STI, false, 0);
        }
        d.op.s = d.reg(0) - Register.ST0;
        return arithHandler(op, reverse, STI_ST0, false, 0);
      },
    },
    {
      mnemonics: popping,
      family: "x87",
      build: (d) => {
        d.op.s = d.reg(0) - Register.ST0;
        return arithHandler(op, reverse, STI_ST0, true, 0);
      },
    },
    {
      mnemonics: integer,
      family: "x87",
      build: (d) => (d.mem() ? arithHandler(op, reverse, MEM_INT, false, d.memSize()) : null),
    },
  ];
}

function unary(fn: (m: Machine, v: F80) => F80): Handler {
  return (m: Machine) => {
    const f = m.fpu;
    if (stackUnderflow(f, 0, 0, 0)) return;
    const v = f.get(0);
    f.set(0, fn(m, v));
  };
}

function fchs(m: Machine, v: F80): F80 {
  m.fpu.sw &= ~SW_C1;
  return { ...v, sign: v.sign ^ 1 };
}
function fabs(m: Machine, v: F80): F80 {
  m.fpu.sw &= ~SW_C1;
  return { ...v, sign: 0 };
}
function fsqrt(m: Machine, v: F80): F80 {
  const r = F.sqrt80(v, m.fpu.precision, m.fpu.rc);
  m.fpu.result(r.flags);
  return r.value;
}
function frndint(m: Machine, v: F80): F80 {
  const r = F.roundToIntegral(v, m.fpu.rc);
  m.fpu.result(r.flags);
  return r.value;
}

function fscale(m: Machine): void {
  const f = m.fpu;
  if (stackUnderflow(f, 0, 1, 0)) return;
  // Precision control does not apply to fscale (only to + - * / and fsqrt).
  const r = F.scale80(f.get(0), f.get(1), 64, f.rc);
  f.result(r.flags);
  f.set(0, r.value);
}

/** fprem (aux 0) and fprem1 (aux 1). */
function fprem(m: Machine, o: Op): void {
  const f = m.fpu;
  if (stackUnderflow(f, 0, 1, 0)) {
    f.sw &= ~SW_C2; // C0 and C3 are left as they were
    return;
  }
  const r = F.partialRemainder(f.get(0), f.get(1), o.aux === 1);
  f.raise(r.flags);
  f.set(0, r.value);
  if (F.isNaN80(r.value)) {
    f.sw &= ~(SW_C1 | SW_C2);
    return;
  }
  if (r.complete) f.setCC((r.q & 4 ? 1 : 0) | (r.q & 1 ? 2 : 0) | (r.q & 2 ? 8 : 0));
  else f.setCC(4);
}

// ------------------------------------------------------------------ compares

/** C3 C2 C0 for an order: > 000, < 001, = 100, unordered 111. */
function orderCC(order: number): number {
  return order === 1 ? 0 : order === -1 ? 1 : order === 0 ? 8 : 13;
}

/**
 * fcom/fcomp/fcompp/fucom/fucomp/fucompp/ficom/ficomp/ftst. aux: operand source (0 st(i) in s,
 * 1 memory real, 2 memory integer, 3 zero); imm2: pops (0-2); ilo: 1 = unordered-quiet (fucom).
 */
function fcom(m: Machine, o: Op): void {
  const f = m.fpu;
  let b: F80;
  let de = false;
  if (o.aux === 0) b = f.get(o.s);
  else if (o.aux === 1) {
    const l = loadReal(m, ea(m, o), o.size);
    b = l.v;
    de = l.de;
  } else if (o.aux === 2) b = F.fromInteger(loadInt(m, ea(m, o), o.size));
  else b = F.ZERO;
  const a = f.get(0);
  const r = F.compare80(a, b, o.ilo === 0);
  f.raise(r.flags | (de && r.order !== 2 ? F.DE : 0));
  f.setCC(orderCC(r.order));
  for (let k = 0; k < o.imm2; k++) f.pop();
}

/** fcomi/fcomip/fucomi/fucomip: EFLAGS from the comparison of st(0) and st(i). */
function fcomi(m: Machine, o: Op): void {
  const f = m.fpu;
  const a = f.get(0);
  const b = f.get(o.s);
  const r = F.compare80(a, b, o.ilo === 0);
  f.raise(r.flags); // C1 is left as it was (measured; the SDM says cleared)
  setEager(m.fl, r.order === 2 ? ZF | PF | CF : r.order === 0 ? ZF : r.order === -1 ? CF : 0);
  if (o.imm2) f.pop();
}

function fxam(m: Machine): void {
  const f = m.fpu;
  const sign = f.regs[f.top].sign;
  if (f.isEmpty(0)) {
    f.setCC(0b1001 | (sign << 1));
    return;
  }
  const v = f.regs[f.top];
  let c: number;
  if (F.isUnsupported80(v)) c = 0b0000;
  else if (F.isNaN80(v)) c = 0b0001;
  else if (F.isInf80(v)) c = 0b0101;
  else if (F.isZero80(v)) c = 0b1000;
  else if (v.exp === 0) c = 0b1100;
  else c = 0b0100;
  f.setCC(c | (sign << 1));
}

/** fcmovcc: aux = the condition code (EFLAGS encoding). */
function fcmov(m: Machine, o: Op): void {
  const f = m.fpu;
  const underflow = f.isEmpty(0) || f.isEmpty(o.s);
  const v = f.get(o.s);
  f.get(0);
  // A stack underflow (either register empty) writes the indefinite whatever the condition.
  if (underflow || cond(m.fl, o.cc)) f.set(0, v); // C1 is left as it was (measured)
}

// ------------------------------------------------------------------ control

function fldcw(m: Machine, o: Op): void {
  m.fpu.cw = (m.memory.load16(ea(m, o)) & 0x1f3f) | 0x40;
  m.fpu.raise(0);
  if ((m.fpu.sw & 0x3f & ~m.fpu.cw) === 0) m.fpu.sw &= ~(SW_ES | SW_B);
}

function fnstcw(m: Machine, o: Op): void {
  const a = ea(m, o);
  m.memory.probeWrite(a, 2);
  m.memory.store16(a, m.fpu.cw);
}

/** fnstsw m16 (aux 0) or ax (aux 1). */
function fnstsw(m: Machine, o: Op): void {
  const sw = m.fpu.status;
  if (o.aux === 1) {
    m.r[0] = (m.r[0] & ~0xffff) | sw;
    return;
  }
  const a = ea(m, o);
  m.memory.probeWrite(a, 2);
  m.memory.store16(a, sw);
}

function fnclex(m: Machine): void {
  m.fpu.sw &= ~(0xff | SW_B);
}

function fninit(m: Machine): void {
  m.fpu.reset();
}

/** fnstenv: the 28-byte environment (instruction and data pointers stored as zero); masks all exceptions. */
function fnstenv(m: Machine, o: Op): void {
  const f = m.fpu;
  const a = ea(m, o);
  m.memory.probeWrite(a, 28);
  const words = [f.cw | 0xffff0000, f.status | 0xffff0000, f.tagWord | 0xffff0000, 0, 0, 0, 0xffff0000];
  words.forEach((w, k) => m.memory.store32(a + 4 * k, w));
  f.cw |= 0x3f;
  f.sw &= ~(SW_ES | SW_B);
}

function fldenv(m: Machine, o: Op): void {
  const f = m.fpu;
  const a = ea(m, o);
  f.cw = (m.memory.load16(a) & 0x1f3f) | 0x40;
  const sw = m.memory.load16(a + 4);
  const tw = m.memory.load16(a + 8);
  f.top = (sw >> 11) & 7;
  f.sw = sw & ~0x3800;
  f.empty = 0;
  for (let r = 0; r < 8; r++) if (((tw >> (2 * r)) & 3) === 3) f.empty |= 1 << r;
  f.raise(0);
}

function ffree(m: Machine, o: Op): void {
  const f = m.fpu;
  f.empty |= 1 << ((f.top + o.s) & 7);
  f.sw &= ~SW_C1; // measured (the SDM leaves C0-C3 undefined)
  if (o.aux) f.pop();
}

function fincstp(m: Machine, o: Op): void {
  const f = m.fpu;
  f.top = (f.top + (o.aux === 1 ? 1 : 7)) & 7;
  f.sw &= ~SW_C1;
}

function nothing(): void {}

// ------------------------------------------------------------------ the table

const memSizeBytes: Record<number, number> = {
  [MemorySize.Float32]: 4,
  [MemorySize.Float64]: 8,
  [MemorySize.Float80]: 10,
  [MemorySize.Int16]: 2,
  [MemorySize.Int32]: 4,
  [MemorySize.Int64]: 8,
};

function sti(d: Decoding, i: number): number {
  return d.reg(i) - Register.ST0;
}

/** The st(i) operand of a two-register form (whichever of the two is not st(0), or st(0) itself). */
function otherSt(d: Decoding): number {
  if (d.count === 1) return sti(d, 0);
  return d.reg(0) === (Register.ST0 as number) ? sti(d, 1) : sti(d, 0);
}

const FCC: Record<string, number> = { b: 2, e: 4, be: 6, u: 10, nb: 3, ne: 5, nbe: 7, nu: 11 };

export const X87: InstrDef[] = [
  {
    mnemonics: mn("Fld"),
    family: "x87",
    build: (d) => {
      if (d.isMem(0)) {
        if (!d.mem()) return null;
        d.op.aux = memSizeBytes[d.ins.memorySize] ?? 0;
        return d.op.aux ? fld : null;
      }
      d.op.s = sti(d, 0);
      d.op.aux = 0;
      return fld;
    },
  },
  {
    mnemonics: mn("Fild"),
    family: "x87",
    build: (d) => {
      if (!d.mem()) return null;
      d.op.aux = memSizeBytes[d.ins.memorySize] ?? 0;
      return fild;
    },
  },
  {
    mnemonics: mn("Fst", "Fstp"),
    family: "x87",
    build: (d) => {
      d.op.imm2 = d.ins.mnemonic === iced.Mnemonic.Fstp ? 1 : 0;
      if (d.isMem(0)) {
        if (!d.mem()) return null;
        d.op.aux = memSizeBytes[d.ins.memorySize] ?? 0;
        return d.op.aux ? fst : null;
      }
      d.op.s = sti(d, 0);
      d.op.aux = 0;
      return fst;
    },
  },
  {
    mnemonics: mn("Fist", "Fistp", "Fisttp"),
    family: "x87",
    build: (d) => {
      if (!d.mem()) return null;
      d.op.aux = memSizeBytes[d.ins.memorySize] ?? 0;
      d.op.imm2 = d.ins.mnemonic === iced.Mnemonic.Fist ? 0 : 1;
      d.op.ilo = d.ins.mnemonic === iced.Mnemonic.Fisttp ? 1 : 0;
      return fist;
    },
  },
  {
    mnemonics: mn("Fxch"),
    family: "x87",
    build: (d) => {
      d.op.s = otherSt(d);
      return fxch;
    },
  },
  {
    mnemonics: mn("Fldz", "Fld1", "Fldpi", "Fldl2e", "Fldl2t", "Fldlg2", "Fldln2"),
    family: "x87",
    build: () => fldConst,
  },
  ...["add", "sub", "subr", "mul", "div", "divr"].flatMap(arithEntry),
  { mnemonics: mn("Fchs"), family: "x87", build: () => unary(fchs) },
  { mnemonics: mn("Fabs"), family: "x87", build: () => unary(fabs) },
  { mnemonics: mn("Fsqrt"), family: "x87", build: () => unary(fsqrt) },
  { mnemonics: mn("Frndint"), family: "x87", build: () => unary(frndint) },
  { mnemonics: mn("Fscale"), family: "x87", build: () => fscale },
  {
    mnemonics: mn("Fprem", "Fprem1"),
    family: "x87",
    build: (d) => {
      d.op.aux = d.ins.mnemonic === iced.Mnemonic.Fprem1 ? 1 : 0;
      return fprem;
    },
  },
  {
    mnemonics: mn("Fcom", "Fcomp", "Fcompp", "Fucom", "Fucomp", "Fucompp", "Ficom", "Ficomp", "Ftst"),
    family: "x87",
    build: (d) => {
      const name = iced.Mnemonic[d.ins.mnemonic];
      const o = d.op;
      o.ilo = name.startsWith("Fucom") ? 1 : 0;
      o.imm2 = name.endsWith("pp") ? 2 : name.endsWith("p") ? 1 : 0;
      if (name === "Ftst") {
        o.aux = 3;
        return fcom;
      }
      if (d.count >= 1 && d.isMem(0)) {
        if (!d.mem()) return null;
        o.size = memSizeBytes[d.ins.memorySize] ?? 0;
        o.aux = name.startsWith("Fi") ? 2 : 1;
        return fcom;
      }
      o.aux = 0;
      o.s = d.count === 0 ? 1 : otherSt(d);
      return fcom;
    },
  },
  {
    mnemonics: mn("Fcomi", "Fcomip", "Fucomi", "Fucomip"),
    family: "x87",
    writes: "OSZAPC",
    note: "OF SF AF cleared",
    build: (d) => {
      const name = iced.Mnemonic[d.ins.mnemonic];
      d.op.ilo = name.startsWith("Fucom") ? 1 : 0;
      d.op.imm2 = name.endsWith("p") ? 1 : 0;
      d.op.s = otherSt(d);
      return fcomi;
    },
  },
  { mnemonics: mn("Fxam"), family: "x87", build: () => fxam },
  ...Object.entries(FCC).map(([cc, code]): InstrDef => ({
    mnemonics: mn(("Fcmov" + cc) as keyof typeof iced.Mnemonic),
    family: "x87",
    reads: cc.includes("u") ? "P" : cc.includes("be") ? "ZC" : cc.includes("e") ? "Z" : "C",
    build: (d) => {
      d.op.s = otherSt(d);
      d.op.cc = code;
      return fcmov;
    },
  })),
  { mnemonics: mn("Fldcw"), family: "x87", build: (d) => (d.mem() ? fldcw : null) },
  { mnemonics: mn("Fnstcw", "Fstcw"), family: "x87", build: (d) => (d.mem() ? fnstcw : null) },
  {
    mnemonics: mn("Fnstsw", "Fstsw"),
    family: "x87",
    build: (d) => {
      if (d.isReg(0)) {
        d.op.aux = 1;
        return fnstsw;
      }
      d.op.aux = 0;
      return d.mem() ? fnstsw : null;
    },
  },
  { mnemonics: mn("Fnclex", "Fclex"), family: "x87", build: () => fnclex },
  { mnemonics: mn("Fninit", "Finit"), family: "x87", build: () => fninit },
  {
    mnemonics: mn("Fnstenv", "Fstenv"),
    family: "x87",
    build: (d) =>
      (d.code === Code.Fnstenv_m28byte || d.code === Code.Fstenv_m28byte) && d.mem() ? fnstenv : null,
  },
  {
    mnemonics: mn("Fldenv"),
    family: "x87",
    build: (d) => (d.code === Code.Fldenv_m28byte && d.mem() ? fldenv : null),
  },
  {
    mnemonics: mn("Ffree", "Ffreep"),
    family: "x87",
    build: (d) => {
      d.op.s = sti(d, 0);
      d.op.aux = d.ins.mnemonic === iced.Mnemonic.Ffreep ? 1 : 0;
      return ffree;
    },
  },
  {
    mnemonics: mn("Fincstp", "Fdecstp"),
    family: "x87",
    build: (d) => {
      d.op.aux = d.ins.mnemonic === iced.Mnemonic.Fincstp ? 1 : 0;
      return fincstp;
    },
  },
  { mnemonics: mn("Fnop", "Wait"), family: "x87", build: () => nothing },
];
