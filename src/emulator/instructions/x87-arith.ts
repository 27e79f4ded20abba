/**
 * x87 arithmetic and comparisons: fadd fsub fsubr fmul fdiv fdivr in all forms (m32fp, m64fp,
 * st(0) op st(i), st(i) op st(0), the popping p forms and the fi* m16int/m32int forms), fcom fcomp
 * fcompp fucom fucomp fucompp ficom ficomp fcomi fcomip fucomi fucomip ftst fxam, fchs fabs fsqrt
 * frndint fscale fxtract fprem fprem1.
 *
 * Results are exact and rounded once at the control word's precision and rounding mode
 * (x87-float.ts). Comparisons set C3 C2 C0 (fcom*: > 000, < 001, = 100, unordered 111, C1 cleared)
 * or ZF PF CF (fcomi*: same pattern; OF SF AF cleared).
 */
import { CF, PF, ZF, setEager } from "../flags.js";
import type { Handler } from "../op.js";
import { C0, C1, C2, C3, CC_MASK, type X87 } from "../x87-state.js";
import {
  DE,
  FX,
  IE,
  INDEFINITE,
  K_DENORMAL,
  K_INF,
  K_NORMAL,
  K_QNAN,
  K_SNAN,
  K_ZERO,
  POS_ZERO,
  ZE,
  add,
  bitLength,
  compare,
  div,
  exp2Of,
  f80,
  fromInt,
  inf,
  isNaNKind,
  kind,
  leadExp2,
  mul,
  nanResult1,
  nanResult2,
  pcFormat,
  roundInt,
  roundTo80,
  sqrt,
  sub,
  zero,
  EXT64,
  type F80,
} from "../x87-float.js";
import { mn, type Decoding, type InstrDef } from "./def.js";
import { begin, end, loadMem, memOperand, noOperands, rc, stIndex, unary } from "./x87-operands.js";

const ADD = 0;
const MUL = 1;
const SUB = 2;
const SUBR = 3;
const DIV = 4;
const DIVR = 5;
/** Op.imm2 bit: pop after the operation. */
const POP = 8;

function compute(f: X87, op: number, a: F80, b: F80): F80 {
  const fmt = pcFormat(f.cw);
  const mode = rc(f);
  switch (op) {
    case ADD:
      return add(a, b, fmt, mode);
    case MUL:
      return mul(a, b, fmt, mode);
    case SUB:
      return sub(a, b, fmt, mode);
    case SUBR:
      return sub(b, a, fmt, mode);
    case DIV:
      return div(a, b, fmt, mode);
    default:
      return div(b, a, fmt, mode);
  }
}

/** dst = dst op src, dst and src ST numbers in o.d and o.s, or st(0) op memory. */
const arith: Handler = (m, o) => {
  const f = begin(m, o);
  const op = o.imm2 & 7;
  if (o.mm !== 0) {
    const b = loadMem(m, o);
    const memDenormal = FX.flags & DE;
    FX.flags &= ~DE;
    if (f.isEmpty(0)) {
      FX.flags = 0;
      f.underflow();
      f.set(0, INDEFINITE);
    } else {
      const a = f.get(0);
      const r = compute(f, op, a, b);
      if (!isNaNKind(kind(a)) && !isNaNKind(kind(b)) && (FX.flags & (IE | ZE)) === 0) FX.flags |= memDenormal;
      f.set(0, r);
    }
  } else if (f.isEmpty(o.d) || f.isEmpty(o.s)) {
    f.underflow();
    f.set(o.d, INDEFINITE);
  } else f.set(o.d, compute(f, op, f.get(o.d), f.get(o.s)));
  if (end(f) && (o.imm2 & POP) !== 0) f.pop();
};

function buildArith(op: number) {
  return (d: Decoding): Handler | null => {
    const o = d.op;
    o.imm2 = op;
    if (d.count === 1 && d.isMem(0)) return memOperand(d) ? arith : null;
    const a = stIndex(d, 0);
    const b = stIndex(d, 1);
    if (a < 0 || b < 0) return null;
    o.d = a;
    o.s = b;
    return arith;
  };
}

const arithPop = (op: number) => (d: Decoding) => {
  const h = buildArith(op | POP)(d);
  return d.op.mm === 0 ? h : null;
};

// ------------------------------------------------------------------ comparisons

/** Op.imm2 for comparisons: number of pops (bits 0-1), unordered (4), sets EFLAGS (8), with zero (16). */
const UNORDERED = 4;
const EFLAGS = 8;
const WITH_ZERO = 16;

const CC_OF = [C0, C3, 0, C0 | C2 | C3];
const FL_OF = [CF, ZF, 0, ZF | PF | CF];

const fcom: Handler = (m, o) => {
  const f = begin(m, o);
  // fcomi leaves C1 alone (but a stack underflow clears it).
  if ((o.imm2 & EFLAGS) !== 0) FX.c1 = FX.c1Base = (f.sw & C1) !== 0 ? 1 : 0;
  let b: F80;
  let empty = f.isEmpty(0);
  let memDenormal = 0;
  if (o.mm !== 0) {
    b = loadMem(m, o);
    memDenormal = FX.flags & DE;
    FX.flags &= ~DE;
  } else if ((o.imm2 & WITH_ZERO) !== 0) b = POS_ZERO;
  else {
    empty ||= f.isEmpty(o.s);
    b = f.raw(o.s);
  }
  let r: number;
  if (empty) {
    FX.flags = 0;
    f.underflow();
    r = 2;
  } else {
    const a = f.get(0);
    if (!isNaNKind(kind(a)) && !isNaNKind(kind(b))) FX.flags |= memDenormal;
    r = compare(a, b, (o.imm2 & UNORDERED) === 0);
  }
  const idx = r < 0 ? 0 : r === 0 ? 1 : r === 1 ? 2 : 3;
  if ((o.imm2 & EFLAGS) !== 0) setEager(m.fl, FL_OF[idx]);
  else f.sw = (f.sw & ~CC_MASK) | CC_OF[idx];
  if (!end(f)) return;
  for (let k = o.imm2 & 3; k > 0; k--) f.pop();
};

function buildCompare(flags: number) {
  return (d: Decoding): Handler | null => {
    const o = d.op;
    o.imm2 = flags;
    if (d.count === 0) {
      o.s = 1;
      return fcom;
    }
    if (d.count === 1 && d.isMem(0)) return memOperand(d) ? fcom : null;
    const i = stIndex(d, d.count - 1);
    if (i < 0 || (d.count === 2 && stIndex(d, 0) !== 0)) return null;
    o.s = i;
    return fcom;
  };
}

const ftst = buildCompare(WITH_ZERO);

/** fxam: C1 = sign; C3 C2 C0 = class (empty 101, NaN 001, normal 010, inf 011, zero 100, denormal 110). */
const fxam: Handler = (m, o) => {
  const f = begin(m, o);
  const x = f.raw(0);
  let cc: number;
  if (f.isEmpty(0)) cc = C3 | C0;
  else {
    switch (kind(x)) {
      case K_ZERO:
        cc = C3;
        break;
      case K_DENORMAL:
        cc = C3 | C2;
        break;
      case K_NORMAL:
        cc = C2;
        break;
      case K_INF:
        cc = C2 | C0;
        break;
      case K_QNAN:
      case K_SNAN:
        cc = C0;
        break;
      default:
        cc = 0;
    }
  }
  f.sw = (f.sw & ~CC_MASK) | cc | (x.s !== 0 ? C1 : 0);
};

// ------------------------------------------------------------------ one-operand operations

const fchs = unary((_f, x) => f80(x.s ^ 1, x.e, x.m));
const fabs = unary((_f, x) => f80(0, x.e, x.m));
const fsqrt = unary((f, x) => sqrt(x, pcFormat(f.cw), rc(f)));
const frndint = unary((f, x) => roundInt(x, rc(f)));

function scale(f: X87, x: F80, y: F80): F80 {
  const kx = kind(x);
  const ky = kind(y);
  if (isNaNKind(kx) || isNaNKind(ky)) return nanResult2(x, kx, y, ky);
  if (kx === K_DENORMAL || ky === K_DENORMAL) FX.flags |= DE;
  if (ky === K_INF) {
    if ((y.s === 0 && kx === K_ZERO) || (y.s !== 0 && kx === K_INF)) {
      FX.flags |= IE;
      return INDEFINITE;
    }
    if (kx === K_INF || kx === K_ZERO) return x;
    return y.s === 0 ? inf(x.s) : zero(x.s);
  }
  if (kx === K_ZERO || kx === K_INF) return x;
  let n = 0;
  if (ky !== K_ZERO) {
    const e = leadExp2(y);
    if (e > 20) n = y.s !== 0 ? -100000 : 100000;
    else {
      const shift = exp2Of(y);
      const mag = Number(y.m >> BigInt(-shift));
      n = y.s !== 0 ? -mag : mag;
    }
  }
  return roundTo80(x.s, x.m, exp2Of(x) + n, EXT64, rc(f));
}

const fscale: Handler = (m, o) => {
  const f = begin(m, o);
  if (f.isEmpty(0) || f.isEmpty(1)) {
    f.underflow();
    f.set(0, INDEFINITE);
  } else f.set(0, scale(f, f.get(0), f.get(1)));
  end(f);
};

/** fxtract: ST(0) = significand, ST(1) = exponent. */
const fxtract: Handler = (m, o) => {
  const f = begin(m, o);
  if (f.isEmpty(0)) {
    f.set(0, INDEFINITE);
    f.push(INDEFINITE);
    // An underflow reads C1 = 0 even when the push also overflows.
    f.underflow();
    end(f);
    return;
  }
  if (f.full()) {
    f.set(0, INDEFINITE);
    f.push(INDEFINITE);
    end(f);
    return;
  }
  const x = f.get(0);
  const k = kind(x);
  let e: F80;
  let s: F80;
  if (isNaNKind(k)) {
    e = s = nanResult1(x, k);
  } else if (k === K_ZERO) {
    FX.flags |= ZE;
    e = inf(1);
    s = x;
  } else if (k === K_INF) {
    e = inf(0);
    s = x;
  } else {
    if (k === K_DENORMAL) FX.flags |= DE;
    const ex = leadExp2(x);
    e = fromInt(BigInt(Math.abs(ex)), ex < 0 ? 1 : 0);
    const n = bitLength(x.m);
    s = f80(x.s, 16383, x.m << BigInt(64 - n));
  }
  f.set(0, e);
  f.push(s);
  end(f);
};

/** fprem (truncating quotient) and fprem1 (round-to-nearest quotient): ST(0) = ST(0) rem ST(1). */
function remainder(f: X87, a: F80, b: F80, ieee: boolean): F80 {
  const ka = kind(a);
  const kb = kind(b);
  f.sw &= ~C2;
  if (isNaNKind(ka) || isNaNKind(kb)) return nanResult2(a, ka, b, kb);
  if (ka === K_INF || kb === K_ZERO) {
    FX.flags |= IE;
    return INDEFINITE;
  }
  if (ka === K_DENORMAL || kb === K_DENORMAL) FX.flags |= DE;
  f.sw &= ~(C0 | C3);
  // (a pseudo-denormal dividend comes back in its normal encoding)
  if (kb === K_INF || ka === K_ZERO) return a.e === 0 && a.m >= 1n << 63n ? f80(a.s, 1, a.m) : a;
  const ea = exp2Of(a);
  const eb = exp2Of(b);
  const d = leadExp2(a) - leadExp2(b);
  if (d >= 64) {
    const n = 32 + (d & 31);
    const shift = d - n;
    const e = Math.min(ea, eb + shift);
    const va = a.m << BigInt(ea - e);
    const vb = b.m << BigInt(eb + shift - e);
    const q = va / vb;
    const r = va - q * vb;
    f.sw |= C2;
    return r === 0n ? zero(a.s) : roundTo80(a.s, r, e, EXT64, 0);
  }
  const e = Math.min(ea, eb);
  const va = a.m << BigInt(ea - e);
  const vb = b.m << BigInt(eb - e);
  let q = va / vb;
  let r = va - q * vb;
  if (ieee && (2n * r > vb || (2n * r === vb && (q & 1n) !== 0n))) {
    q += 1n;
    r -= vb;
  }
  if ((q & 4n) !== 0n) f.sw |= C0;
  if ((q & 2n) !== 0n) f.sw |= C3;
  if ((q & 1n) !== 0n) FX.c1 = 1;
  if (r === 0n) return zero(a.s);
  return roundTo80(r < 0n ? a.s ^ 1 : a.s, r < 0n ? -r : r, e, EXT64, 0);
}

function prem(ieee: boolean): Handler {
  return (m, o) => {
    const f = begin(m, o);
    f.sw &= ~C2;
    if (f.isEmpty(0) || f.isEmpty(1)) {
      f.underflow();
      f.set(0, INDEFINITE);
      end(f);
      return;
    }
    const cc = f.sw & (C0 | C3);
    f.set(0, remainder(f, f.get(0), f.get(1), ieee));
    // Not completed (unmasked exception): no quotient bits, no partial-remainder flag.
    if (!end(f)) f.sw = (f.sw & ~(C0 | C2 | C3)) | cc;
  };
}

export const X87_ARITH: InstrDef[] = [
  { mnemonics: mn("Fadd"), family: "x87", build: buildArith(ADD) },
  { mnemonics: mn("Fmul"), family: "x87", build: buildArith(MUL) },
  { mnemonics: mn("Fsub"), family: "x87", build: buildArith(SUB) },
  { mnemonics: mn("Fsubr"), family: "x87", build: buildArith(SUBR) },
  { mnemonics: mn("Fdiv"), family: "x87", build: buildArith(DIV) },
  { mnemonics: mn("Fdivr"), family: "x87", build: buildArith(DIVR) },
  { mnemonics: mn("Faddp"), family: "x87", build: arithPop(ADD) },
  { mnemonics: mn("Fmulp"), family: "x87", build: arithPop(MUL) },
  { mnemonics: mn("Fsubp"), family: "x87", build: arithPop(SUB) },
  { mnemonics: mn("Fsubrp"), family: "x87", build: arithPop(SUBR) },
  { mnemonics: mn("Fdivp"), family: "x87", build: arithPop(DIV) },
  { mnemonics: mn("Fdivrp"), family: "x87", build: arithPop(DIVR) },
  { mnemonics: mn("Fiadd"), family: "x87", build: buildArith(ADD) },
  { mnemonics: mn("Fimul"), family: "x87", build: buildArith(MUL) },
  { mnemonics: mn("Fisub"), family: "x87", build: buildArith(SUB) },
  { mnemonics: mn("Fisubr"), family: "x87", build: buildArith(SUBR) },
  { mnemonics: mn("Fidiv"), family: "x87", build: buildArith(DIV) },
  { mnemonics: mn("Fidivr"), family: "x87", build: buildArith(DIVR) },
  { mnemonics: mn("Fcom"), family: "x87", build: buildCompare(0) },
  { mnemonics: mn("Fcomp"), family: "x87", build: buildCompare(1) },
  { mnemonics: mn("Fcompp"), family: "x87", build: buildCompare(2) },
  { mnemonics: mn("Fucom"), family: "x87", build: buildCompare(UNORDERED) },
  { mnemonics: mn("Fucomp"), family: "x87", build: buildCompare(UNORDERED | 1) },
  { mnemonics: mn("Fucompp"), family: "x87", build: buildCompare(UNORDERED | 2) },
  { mnemonics: mn("Ficom"), family: "x87", build: buildCompare(0) },
  { mnemonics: mn("Ficomp"), family: "x87", build: buildCompare(1) },
  { mnemonics: mn("Fcomi"), family: "x87", writes: "OSZAPC", build: buildCompare(EFLAGS) },
  { mnemonics: mn("Fcomip"), family: "x87", writes: "OSZAPC", build: buildCompare(EFLAGS | 1) },
  { mnemonics: mn("Fucomi"), family: "x87", writes: "OSZAPC", build: buildCompare(EFLAGS | UNORDERED) },
  { mnemonics: mn("Fucomip"), family: "x87", writes: "OSZAPC", build: buildCompare(EFLAGS | UNORDERED | 1) },
  { mnemonics: mn("Ftst"), family: "x87", build: (d) => (d.count === 0 ? ftst(d) : null) },
  { mnemonics: mn("Fxam"), family: "x87", build: noOperands(fxam) },
  { mnemonics: mn("Fchs"), family: "x87", build: noOperands(fchs) },
  { mnemonics: mn("Fabs"), family: "x87", build: noOperands(fabs) },
  { mnemonics: mn("Fsqrt"), family: "x87", build: noOperands(fsqrt) },
  { mnemonics: mn("Frndint"), family: "x87", build: noOperands(frndint) },
  { mnemonics: mn("Fscale"), family: "x87", build: noOperands(fscale) },
  { mnemonics: mn("Fxtract"), family: "x87", build: noOperands(fxtract) },
  { mnemonics: mn("Fprem"), family: "x87", build: noOperands(prem(false)) },
  { mnemonics: mn("Fprem1"), family: "x87", build: noOperands(prem(true)) },
];
