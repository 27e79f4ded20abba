/**
 * x87 data movement and control: fld fst fstp (m32fp m64fp m80fp st(i)), fild fist fistp fisttp
 * (m16int m32int m64int), fld1 fldz fldpi fldl2e fldl2t fldlg2 fldln2, fxch,
 * fcmovcc, ffree ffreep fincstp fdecstp fnop fwait, fnstsw (ax, m16) fnstcw fldcw fnclex fninit
 * fnstenv fldenv fnsave frstor (and their waiting forms fstsw fstcw fclex finit fstenv fsave).
 *
 * Environment images use the 28-byte protected-mode layout (the 64-bit default): reserved halves
 * are stored as 0xffff like the hardware does; the instruction and data pointers (FIP FCS FOP FDP
 * FDS) are stored as zero because they are not tracked.
 */
import { MemorySize, Mnemonic } from "../iced-enums.js";
import { cond } from "../flags.js";
import type { Machine } from "../machine.js";
import type { Handler, Op } from "../op.js";
import { ea } from "../operands.js";
import { RAX } from "../registers.js";
import { B, C1, ES, type X87 } from "../x87-state.js";
import {
  EXT64,
  DE,
  FX,
  INDEFINITE,
  fromInt,
  kind,
  nanResult1,
  K_SNAN,
  roundTo80,
  toDouble,
  toFloat,
  toIntBits,
  type F80,
} from "../x87-float.js";
import { FBITS, FIX_ONE, LN10_FIX, LN2_FIX, PI_FIX } from "../x87-transcendental.js";
import { mn, type Decoding, type InstrDef } from "./def.js";
import {
  MK_F32,
  MK_F64,
  MK_F80,
  MK_I16,
  MK_I32,
  begin,
  end,
  load80,
  loadMem,
  memOperand,
  noOperands,
  rc,
  stIndex,
  store80,
  unmaskedStoreFault,
  waitCheck,
} from "./x87-operands.js";

/** Op.imm2 bits. */
const POP = 1;
const TRUNCATE = 2;

// ------------------------------------------------------------------ loads

const fldMem: Handler = (m, o) => {
  const f = begin(m, o);
  let v = loadMem(m, o);
  if (kind(v) === K_SNAN && o.aux !== MK_F80) v = nanResult1(v, K_SNAN);
  if (f.full()) FX.flags = 0;
  // A denormal operand does not stop a load, even unmasked.
  const denormal = FX.flags & DE;
  FX.flags &= ~DE;
  f.push(v);
  if (end(f) && denormal !== 0) f.signal(DE);
};

const fldReg: Handler = (m, o) => {
  const f = begin(m, o);
  const empty = f.isEmpty(o.s);
  const v = empty ? INDEFINITE : f.raw(o.s);
  f.push(v);
  // An underflow reads C1 = 0 even when the push also overflows.
  if (empty) f.underflow();
  end(f);
};

function buildLoad(d: Decoding): Handler | null {
  if (d.count !== 1) return null;
  if (d.isMem(0)) return memOperand(d) ? fldMem : null;
  const i = stIndex(d, 0);
  if (i < 0) return null;
  d.op.s = i;
  return fldReg;
}

// ------------------------------------------------------------------ constants

const P = BigInt(FBITS);
const ONE_FIX = FIX_ONE;
const PI = PI_FIX;
const LN2 = LN2_FIX;
const LN10 = LN10_FIX;
/** Fixed-point constants (value * 2^P, truncated; far from any rounding boundary at 64 bits). */
const CONSTANTS = {
  pi: PI,
  l2e: (ONE_FIX << P) / LN2,
  l2t: (LN10 << P) / LN2,
  lg2: (LN2 << P) / LN10,
  ln2: LN2,
};

function constant(v: bigint | null): Handler {
  return (m, o) => {
    const f = begin(m, o);
    let x: F80;
    if (v === null) x = fromInt(0n, 0);
    else if (v === ONE_FIX) x = fromInt(1n, 0);
    else {
      x = roundTo80(0, (v << 1n) | 1n, -Number(P) - 1, EXT64, rc(f));
      FX.flags = 0;
      FX.c1 = 0;
    }
    f.push(x);
    end(f);
  };
}

// ------------------------------------------------------------------ stores

const fstMem: Handler = (m, o) => {
  const f = begin(m, o);
  const a = ea(m, o);
  const mem = m.memory;
  const x = f.get(0);
  const mode = (o.imm2 & TRUNCATE) !== 0 ? 3 : rc(f);
  let lo = 0;
  let hi = 0;
  switch (o.aux) {
    case MK_F32:
      lo = toFloat(x, mode) | 0;
      break;
    case MK_F64:
      [lo, hi] = toDouble(x, mode);
      break;
    case MK_F80:
      break;
    case MK_I16:
      lo = Number(toIntBits(x, mode, 16));
      break;
    case MK_I32:
      lo = Number(toIntBits(x, mode, 32));
      break;
    default: {
      const v = toIntBits(x, mode, 64);
      lo = Number(v & 0xffffffffn);
      hi = Number(v >> 32n);
    }
  }
  // With an unmasked exception (other than precision) the destination is not written.
  const store = !unmaskedStoreFault(f);
  if (store) {
    switch (o.aux) {
      case MK_F32:
      case MK_I32:
        mem.store32(a, lo | 0);
        break;
      case MK_I16:
        mem.store16(a, lo);
        break;
      case MK_F80:
        store80(mem, a, x);
        break;
      default:
        mem.store64(a, lo | 0, hi | 0);
    }
  }
  if (end(f) && store && (o.imm2 & POP) !== 0) f.pop();
};

const fstReg: Handler = (m, o) => {
  const f = begin(m, o);
  if (o.aux === 1 && f.isEmpty(0)) {
    // fstpnce (D9 D8+i, "fstp1", store and pop with No Check of Empty) from an empty st(0): no
    // stack underflow, st(i) is not written, st(0) is popped (measured on the CPU, also with st(i)
    // full; fstp st(i) underflows and writes the indefinite).
    if (end(f)) f.pop();
    return;
  }
  f.set(o.d, f.get(0));
  if (end(f) && (o.imm2 & POP) !== 0) f.pop();
};

function buildStore(flags: number) {
  return (d: Decoding): Handler | null => {
    d.op.imm2 = flags;
    if (d.count !== 1) return null;
    if (d.isMem(0)) return memOperand(d) ? fstMem : null;
    const i = stIndex(d, 0);
    if (i < 0 || (flags & TRUNCATE) !== 0) return null;
    d.op.d = i;
    d.op.aux = d.ins.mnemonic === Mnemonic.Fstpnce ? 1 : 0;
    return fstReg;
  };
}

// ------------------------------------------------------------------ register operations

const fxch: Handler = (m, o) => {
  const f = begin(m, o);
  const e0 = f.isEmpty(0);
  const ei = f.isEmpty(o.s);
  if (e0 || ei) f.underflow();
  const a = e0 ? INDEFINITE : f.raw(0);
  const b = ei ? INDEFINITE : f.raw(o.s);
  f.set(0, b);
  f.set(o.s, a);
  end(f);
};

const fcmov: Handler = (m, o) => {
  const f = begin(m, o);
  FX.c1 = FX.c1Base = (f.sw & C1) !== 0 ? 1 : 0;
  if (f.isEmpty(0) || f.isEmpty(o.s)) {
    f.underflow();
    f.set(0, INDEFINITE);
  } else if (cond(m.fl, o.cc)) f.set(0, f.raw(o.s));
  end(f);
};

function buildFcmov(cc: number) {
  return (d: Decoding): Handler | null => {
    const i = stIndex(d, 1);
    if (i < 0) return null;
    d.op.s = i;
    d.op.cc = cc;
    return fcmov;
  };
}

const ffree: Handler = (m, o) => {
  const f = begin(m, o);
  f.free(o.d);
  if (end(f) && (o.imm2 & POP) !== 0) f.pop();
};

function buildFree(flags: number) {
  return (d: Decoding): Handler | null => {
    const i = stIndex(d, 0);
    if (i < 0) return null;
    d.op.d = i;
    d.op.imm2 = flags;
    return ffree;
  };
}

const fincstp: Handler = (m, o) => {
  const f = begin(m, o);
  f.top = (f.top + 1) & 7;
  end(f);
};

const fdecstp: Handler = (m, o) => {
  const f = begin(m, o);
  f.top = (f.top - 1) & 7;
  end(f);
};

const fnop: Handler = (m, o) => {
  begin(m, o);
};

const fwait: Handler = (m, o) => {
  waitCheck(m.fpu, o);
};

// ------------------------------------------------------------------ control and status

/** Op.imm2 for control instructions: the waiting (non-fn) form checks pending exceptions first. */
const WAIT = 4;

function control(fn: (m: Machine, f: X87, o: Op) => void): (d: Decoding) => Handler | null {
  const h: Handler = (m, o) => {
    const f = m.fpu;
    if ((o.imm2 & WAIT) !== 0) waitCheck(f, o);
    fn(m, f, o);
  };
  return (d) => {
    const size = d.ins.memorySize;
    if (size === MemorySize.FpuEnv14 || size === MemorySize.FpuState94) return null;
    if (d.count === 1 && d.isMem(0) && !d.mem()) return null;
    return h;
  };
}

function waiting(b: (d: Decoding) => Handler | null): (d: Decoding) => Handler | null {
  return (d) => {
    d.op.imm2 |= WAIT;
    return b(d);
  };
}

const fnstsw = control((m, f, o) => {
  if (o.mm === 0) {
    const r = m.r;
    r[RAX] = (r[RAX] & ~0xffff) | f.status();
  } else m.memory.store16(ea(m, o), f.status());
});

const fnstcw = control((m, f, o) => m.memory.store16(ea(m, o), f.cw));

function setCw(f: X87, v: number): void {
  f.cw = (v & 0x1f3f) | 0x40;
  if ((f.sw & ~f.cw & 0x3f) !== 0) f.sw |= ES | B;
  else f.sw &= ~(ES | B);
}

const fldcw = control((m, f, o) => setCw(f, m.memory.load16(ea(m, o))));

const fnclex = control((_m, f) => {
  f.sw &= ~0x80ff;
});

const fninit = control((_m, f) => f.reset());

function storeEnv(m: Machine, f: X87, a: number): void {
  const mem = m.memory;
  mem.probeWrite(a, 28);
  mem.store32(a, f.cw | 0xffff0000);
  mem.store32(a + 4, f.status() | 0xffff0000);
  mem.store32(a + 8, f.tagWord() | 0xffff0000);
  for (let k = 12; k < 24; k += 4) mem.store32(a + k, 0);
  mem.store32(a + 24, 0xffff0000 | 0);
}

function loadEnv(m: Machine, f: X87, a: number): void {
  const mem = m.memory;
  const cw = mem.load16(a);
  const sw = mem.load16(a + 4);
  const tw = mem.load16(a + 8);
  f.setStatus(sw);
  f.setTagWord(tw);
  setCw(f, cw);
}

const fnstenv = control((m, f, o) => {
  storeEnv(m, f, ea(m, o));
  f.cw |= 0x3f;
});

const fldenv = control((m, f, o) => loadEnv(m, f, ea(m, o)));

const fnsave = control((m, f, o) => {
  const a = ea(m, o);
  const mem = m.memory;
  mem.probeWrite(a, 108);
  storeEnv(m, f, a);
  for (let i = 0; i < 8; i++) store80(mem, a + 28 + 10 * i, f.raw(i));
  f.reset();
});

const frstor = control((m, f, o) => {
  const a = ea(m, o);
  const mem = m.memory;
  const regs: F80[] = [];
  for (let i = 0; i < 8; i++) regs.push(load80(mem, a + 28 + 10 * i));
  loadEnv(m, f, a);
  f.loadStack(regs);
});

const FCMOV: [string, number][] = [
  ["Fcmovb", 2],
  ["Fcmovnb", 3],
  ["Fcmove", 4],
  ["Fcmovne", 5],
  ["Fcmovbe", 6],
  ["Fcmovnbe", 7],
  ["Fcmovu", 10],
  ["Fcmovnu", 11],
];

export const X87_DATA: InstrDef[] = [
  { mnemonics: mn("Fld", "Fild"), family: "x87", build: buildLoad },
  { mnemonics: mn("Fst", "Fist"), family: "x87", build: buildStore(0) },
  { mnemonics: mn("Fstp", "Fistp", "Fstpnce"), family: "x87", build: buildStore(POP) },
  { mnemonics: mn("Fisttp"), family: "x87", build: buildStore(POP | TRUNCATE) },
  { mnemonics: mn("Fldz"), family: "x87", build: noOperands(constant(null)) },
  { mnemonics: mn("Fld1"), family: "x87", build: noOperands(constant(ONE_FIX)) },
  { mnemonics: mn("Fldpi"), family: "x87", build: noOperands(constant(CONSTANTS.pi)) },
  { mnemonics: mn("Fldl2e"), family: "x87", build: noOperands(constant(CONSTANTS.l2e)) },
  { mnemonics: mn("Fldl2t"), family: "x87", build: noOperands(constant(CONSTANTS.l2t)) },
  { mnemonics: mn("Fldlg2"), family: "x87", build: noOperands(constant(CONSTANTS.lg2)) },
  { mnemonics: mn("Fldln2"), family: "x87", build: noOperands(constant(CONSTANTS.ln2)) },
  {
    mnemonics: mn("Fxch"),
    family: "x87",
    build: (d) => {
      const i = stIndex(d, d.count - 1);
      if (i < 0) return null;
      d.op.s = i;
      return fxch;
    },
  },
  ...FCMOV.map(([name, cc]) => ({
    mnemonics: mn(name as keyof typeof Mnemonic),
    family: "x87" as const,
    reads: cc >= 10 ? "P" : cc >= 6 ? "ZC" : cc >= 4 ? "Z" : "C",
    build: buildFcmov(cc),
  })),
  { mnemonics: mn("Ffree"), family: "x87", build: buildFree(0) },
  { mnemonics: mn("Ffreep"), family: "x87", build: buildFree(POP) },
  { mnemonics: mn("Fincstp"), family: "x87", build: noOperands(fincstp) },
  { mnemonics: mn("Fdecstp"), family: "x87", build: noOperands(fdecstp) },
  { mnemonics: mn("Fnop"), family: "x87", build: noOperands(fnop) },
  { mnemonics: mn("Wait"), family: "x87", build: noOperands(fwait) },
  { mnemonics: mn("Fnstsw"), family: "x87", build: fnstsw },
  { mnemonics: mn("Fstsw"), family: "x87", build: waiting(fnstsw) },
  { mnemonics: mn("Fnstcw"), family: "x87", build: fnstcw },
  { mnemonics: mn("Fstcw"), family: "x87", build: waiting(fnstcw) },
  { mnemonics: mn("Fldcw"), family: "x87", build: fldcw },
  { mnemonics: mn("Fnclex"), family: "x87", build: fnclex },
  { mnemonics: mn("Fclex"), family: "x87", build: waiting(fnclex) },
  { mnemonics: mn("Fninit"), family: "x87", build: fninit },
  { mnemonics: mn("Finit"), family: "x87", build: waiting(fninit) },
  { mnemonics: mn("Fnstenv"), family: "x87", build: fnstenv },
  { mnemonics: mn("Fstenv"), family: "x87", build: waiting(fnstenv) },
  { mnemonics: mn("Fldenv"), family: "x87", build: fldenv },
  { mnemonics: mn("Fnsave"), family: "x87", build: fnsave },
  { mnemonics: mn("Fsave"), family: "x87", build: waiting(fnsave) },
  { mnemonics: mn("Frstor"), family: "x87", build: frstor },
];
