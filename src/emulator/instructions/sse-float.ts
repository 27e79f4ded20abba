/**
 * SSE/SSE2 floating point: add sub mul div min max sqrt in ss sd ps pd forms, cmpss cmpsd cmpps
 * cmppd (predicates 0-7), ucomiss ucomisd comiss comisd, and conversions cvtsi2sd cvtsi2ss
 * cvt(t)sd2si cvt(t)ss2si cvtsd2ss cvtss2sd cvtdq2pd cvtdq2ps cvt(t)ps2dq cvt(t)pd2dq cvtps2pd
 * cvtpd2ps.
 *
 * Results are bit-exact with the hardware for round-to-nearest (the default MXCSR): JS doubles are
 * IEEE binary64, float32 results are rounded once with Math.fround (exact for + - * / sqrt), NaN
 * results follow the SSE rules (first NaN operand, quietened, else the default NaN
 * 0xFFF8000000000000 / 0xFFC00000), min/max return the second operand when unordered or equal.
 * MXCSR rounding control is honoured by the float→integer conversions only; arithmetic always
 * rounds to nearest, and exception flags are not recorded.
 *
 * Flags: (u)comis* set ZF PF CF (unordered: all three) and clear OF SF AF.
 */
import { Code } from "../iced-enums.js";
import { CF, PF, ZF, setEager } from "../flags.js";
import type { Machine } from "../machine.js";
import type { Handler, Op } from "../op.js";
import { T, ea } from "../operands.js";
import { mn, type Decoding, type InstrDef } from "./def.js";
import { directed, nearestF32, roundExact } from "./rounding.js";
import { XS, XSF32, XSF64, loadSrc128, loadSrc32, loadSrc64, xmmOperands } from "./xmm.js";

const ADD = 0;
const SUB = 1;
const MUL = 2;
const DIV = 3;
const MIN = 4;
const MAX = 5;
const SQRT = 6;

/** Formats (Op.imm2). */
const SD = 0;
const SS = 1;
const PD = 2;
const PS = 3;

function isNaN64(hi: number, lo: number): boolean {
  return (hi & 0x7ff00000) === 0x7ff00000 && ((hi & 0xfffff) | lo) !== 0;
}
function isNaN32(w: number): boolean {
  return (w & 0x7f800000) === 0x7f800000 && (w & 0x7fffff) !== 0;
}

/** One double lane: x32 words at xw (dest, = first operand) and XS words at sw (source). */
function laneF64(m: Machine, op: number, xw: number, sw: number): void {
  const x = m.x32;
  const xf = m.xf64;
  const a = xf[xw >> 1];
  const b = XSF64[sw >> 1];
  if (op === MIN || op === MAX) {
    if (op === MIN ? !(a < b) : !(a > b)) {
      x[xw] = XS[sw];
      x[xw + 1] = XS[sw + 1];
    }
    return;
  }
  let r: number;
  switch (op) {
    case ADD:
      r = a + b;
      break;
    case SUB:
      r = a - b;
      break;
    case MUL:
      r = a * b;
      break;
    case DIV:
      r = a / b;
      break;
    default:
      r = Math.sqrt(b);
  }
  if (r === r) {
    const mode = (m.mxcsr >> 13) & 3;
    xf[xw >> 1] = mode === 0 ? r : directed(op, op === SQRT ? b : a, b, r, mode, false);
    return;
  }
  if (op !== SQRT && isNaN64(x[xw + 1], x[xw])) {
    x[xw + 1] |= 0x80000;
  } else if (isNaN64(XS[sw + 1], XS[sw])) {
    x[xw] = XS[sw];
    x[xw + 1] = XS[sw + 1] | 0x80000;
  } else {
    x[xw] = 0;
    x[xw + 1] = 0xfff80000 | 0;
  }
}

function laneF32(m: Machine, op: number, xw: number, sw: number): void {
  const x = m.x32;
  const xf = m.xf32;
  const a = xf[xw];
  const b = XSF32[sw];
  if (op === MIN || op === MAX) {
    if (op === MIN ? !(a < b) : !(a > b)) x[xw] = XS[sw];
    return;
  }
  let r: number;
  switch (op) {
    case ADD:
      r = a + b;
      break;
    case SUB:
      r = a - b;
      break;
    case MUL:
      r = a * b;
      break;
    case DIV:
      r = a / b;
      break;
    default:
      r = Math.sqrt(b);
  }
  if (r === r) {
    const mode = (m.mxcsr >> 13) & 3;
    const r32 = Math.fround(r);
    xf[xw] = mode === 0 ? r32 : directed(op, op === SQRT ? b : a, b, r32, mode, true);
    return;
  }
  if (op !== SQRT && isNaN32(x[xw])) x[xw] |= 0x400000;
  else if (isNaN32(XS[sw])) x[xw] = XS[sw] | 0x400000;
  else x[xw] = 0xffc00000 | 0;
}

function loadSrc(m: Machine, o: Op): void {
  switch (o.imm2) {
    case SD:
      loadSrc64(m, o);
      return;
    case SS:
      loadSrc32(m, o);
      return;
    default:
      loadSrc128(m, o);
  }
}

const arith: Handler = (m, o) => {
  loadSrc(m, o);
  const b = o.d * 4;
  switch (o.imm2) {
    case SD:
      laneF64(m, o.cc, b, 0);
      return;
    case SS:
      laneF32(m, o.cc, b, 0);
      return;
    case PD:
      laneF64(m, o.cc, b, 0);
      laneF64(m, o.cc, b + 2, 2);
      return;
    default:
      for (let i = 0; i < 4; i++) laneF32(m, o.cc, b + i, i);
  }
};

function predicate(p: number, a: number, b: number): boolean {
  switch (p & 7) {
    case 0:
      return a === b;
    case 1:
      return a < b;
    case 2:
      return a <= b;
    case 3:
      return a !== a || b !== b;
    case 4:
      return !(a === b);
    case 5:
      return !(a < b);
    case 6:
      return !(a <= b);
    default:
      return a === a && b === b;
  }
}

const cmp: Handler = (m, o) => {
  loadSrc(m, o);
  const x = m.x32;
  const b = o.d * 4;
  const p = o.ilo;
  switch (o.imm2) {
    case SD:
    case PD: {
      const n = o.imm2 === SD ? 1 : 2;
      for (let i = 0; i < n; i++) {
        const v = predicate(p, m.xf64[(b >> 1) + i], XSF64[i]) ? -1 : 0;
        x[b + 2 * i] = v;
        x[b + 2 * i + 1] = v;
      }
      return;
    }
    default: {
      const n = o.imm2 === SS ? 1 : 4;
      for (let i = 0; i < n; i++) x[b + i] = predicate(p, m.xf32[b + i], XSF32[i]) ? -1 : 0;
    }
  }
};

const comis: Handler = (m, o) => {
  loadSrc(m, o);
  const a = o.imm2 === SD ? m.xf64[o.d * 2] : m.xf32[o.d * 4];
  const b = o.imm2 === SD ? XSF64[0] : XSF32[0];
  let bits: number;
  if (a !== a || b !== b) bits = ZF | PF | CF;
  else if (a > b) bits = 0;
  else if (a < b) bits = CF;
  else bits = ZF;
  setEager(m.fl, bits);
};

// ------------------------------------------------------------------ conversions

const TWO32 = 4294967296;

function roundMode(v: number, mode: number): number {
  switch (mode) {
    case 1:
      return Math.floor(v);
    case 2:
      return Math.ceil(v);
    case 3:
      return Math.trunc(v);
    default: {
      const f = Math.floor(v);
      const d = v - f;
      if (d > 0.5) return f + 1;
      if (d < 0.5) return f;
      return f % 2 === 0 ? f : f + 1;
    }
  }
}

/** float → int32/int64 with the "integer indefinite" value for NaN and overflow: lo, T[0] = hi. */
function toInt(v: number, bits: number, mode: number): number {
  if (v !== v) {
    T[0] = bits === 64 ? 0x80000000 | 0 : 0;
    return bits === 64 ? 0 : 0x80000000 | 0;
  }
  const t = roundMode(v, mode);
  if (bits === 32) {
    T[0] = 0;
    return t < -2147483648 || t > 2147483647 ? 0x80000000 | 0 : t | 0;
  }
  if (t < -9223372036854775808 || t >= 9223372036854775808) {
    T[0] = 0x80000000 | 0;
    return 0;
  }
  const hi = Math.floor(t / TWO32);
  T[0] = hi | 0;
  return (t - hi * TWO32) | 0;
}

/** Reads the integer source of cvtsi2s*: size 4 or 8 from a GPR or memory. lo, T[1] = hi (sign-extended for 4). */
function intSource(m: Machine, o: Op): number {
  let lo: number;
  let hi: number;
  if (o.mm !== 0) {
    const a = ea(m, o);
    lo = m.memory.load32(a);
    hi = o.size === 8 ? m.memory.load32(a + 4) : lo >> 31;
  } else {
    lo = m.r[o.s];
    hi = o.size === 8 ? m.r[o.s + 1] : lo >> 31;
  }
  T[1] = hi;
  return lo;
}

const cvtsi2sd: Handler = (m, o) => {
  const lo = intSource(m, o);
  const hi = T[1];
  const mode = (m.mxcsr >> 13) & 3;
  const v = hi * TWO32 + (lo >>> 0);
  m.xf64[o.d * 2] = mode === 0 ? v : roundExact(0, (BigInt(hi) << 32n) | BigInt(lo >>> 0), mode, false);
};
const cvtsi2ss: Handler = (m, o) => {
  const lo = intSource(m, o);
  const hi = T[1];
  const mode = (m.mxcsr >> 13) & 3;
  const v = hi * TWO32 + (lo >>> 0);
  const exact = Math.abs(v) <= 2 ** 53;
  m.xf32[o.d * 4] =
    mode === 0 && exact
      ? Math.fround(v)
      : mode === 0
        ? nearestF32((BigInt(hi) << 32n) | BigInt(lo >>> 0))
        : roundExact(0, (BigInt(hi) << 32n) | BigInt(lo >>> 0), mode, true);
};

/** cvt(t)sd2si / cvt(t)ss2si: o.imm2 = SD or SS, o.cc = 1 for truncation, o.size = 4 or 8. */
const cvt2si: Handler = (m, o) => {
  loadSrc(m, o);
  const v = o.imm2 === SD ? XSF64[0] : XSF32[0];
  const lo = toInt(v, o.size * 8, o.cc === 1 ? 3 : (m.mxcsr >> 13) & 3);
  const r = m.r;
  r[o.d] = lo;
  r[o.d + 1] = o.size === 8 ? T[0] : 0;
};

const F32 = new Float32Array(1);
const F32W = new Int32Array(F32.buffer);

function f64ToF32Bits(hi: number, lo: number, v: number, mode: number): number {
  if (isNaN64(hi, lo)) return (hi & 0x80000000) | 0x7fc00000 | ((hi & 0x7ffff) << 3) | (lo >>> 29);
  F32[0] = mode === 0 ? v : roundExact(v, null, mode, true);
  return F32W[0];
}

const cvtsd2ss: Handler = (m, o) => {
  loadSrc64(m, o);
  m.x32[o.d * 4] = f64ToF32Bits(XS[1], XS[0], XSF64[0], (m.mxcsr >> 13) & 3);
};

function f32ToF64(m: Machine, w: number, v: number, dw: number): void {
  const x = m.x32;
  if (isNaN32(w)) {
    x[dw + 1] = (w & 0x80000000) | 0x7ff80000 | ((w & 0x3fffff) >>> 3);
    x[dw] = (w & 7) << 29;
  } else m.xf64[dw >> 1] = v;
}

const cvtss2sd: Handler = (m, o) => {
  loadSrc32(m, o);
  f32ToF64(m, XS[0], XSF32[0], o.d * 4);
};

/** Packed conversions, o.cc selects. */
const CVTDQ2PD = 0;
const CVTDQ2PS = 1;
const CVTPS2DQ = 2;
const CVTTPS2DQ = 3;
const CVTPD2DQ = 4;
const CVTTPD2DQ = 5;
const CVTPS2PD = 6;
const CVTPD2PS = 7;

const cvtPacked: Handler = (m, o) => {
  if (o.cc === CVTDQ2PD || o.cc === CVTPS2PD) loadSrc64(m, o);
  else loadSrc128(m, o);
  const x = m.x32;
  const b = o.d * 4;
  const mode = (m.mxcsr >> 13) & 3;
  switch (o.cc) {
    case CVTDQ2PD: {
      const a0 = XS[0];
      const a1 = XS[1];
      m.xf64[b >> 1] = a0;
      m.xf64[(b >> 1) + 1] = a1;
      return;
    }
    case CVTDQ2PS:
      for (let i = 0; i < 4; i++)
        m.xf32[b + i] = mode === 0 ? Math.fround(XS[i]) : roundExact(0, BigInt(XS[i]), mode, true);
      return;
    case CVTPS2DQ:
    case CVTTPS2DQ:
      for (let i = 0; i < 4; i++) x[b + i] = toInt(XSF32[i], 32, o.cc === CVTTPS2DQ ? 3 : mode);
      return;
    case CVTPD2DQ:
    case CVTTPD2DQ:
      for (let i = 0; i < 2; i++) x[b + i] = toInt(XSF64[i], 32, o.cc === CVTTPD2DQ ? 3 : mode);
      x[b + 2] = 0;
      x[b + 3] = 0;
      return;
    case CVTPS2PD: {
      const w0 = XS[0];
      const w1 = XS[1];
      const v0 = XSF32[0];
      const v1 = XSF32[1];
      f32ToF64(m, w0, v0, b);
      f32ToF64(m, w1, v1, b + 2);
      return;
    }
    default: {
      const r0 = f64ToF32Bits(XS[1], XS[0], XSF64[0], mode);
      const r1 = f64ToF32Bits(XS[3], XS[2], XSF64[1], mode);
      x[b] = r0;
      x[b + 1] = r1;
      x[b + 2] = 0;
      x[b + 3] = 0;
    }
  }
};

// ------------------------------------------------------------------ builders

function buildArith(op: number, fmt: number): (d: Decoding) => Handler | null {
  return (d) => {
    d.op.cc = op;
    d.op.imm2 = fmt;
    return xmmOperands(d, 0, 1, fmt >= PD) ? arith : null;
  };
}

function fmtOf(name: string): number {
  return name.endsWith("sd") ? SD : name.endsWith("ss") ? SS : name.endsWith("pd") ? PD : PS;
}

function buildCmp(d: Decoding): Handler | null {
  const o = d.op;
  o.imm2 = fmtOf(d.ins.name);
  if (!xmmOperands(d, 0, 1, o.imm2 >= PD)) return null;
  o.ilo = Number(d.immValue(2)) & 0xff;
  if (o.ilo > 7) return null; // AVX predicates
  return cmp;
}

export function buildCmpsdSse(d: Decoding): Handler | null {
  return d.code === Code.Cmpsd_xmm_xmmm64_imm8 ? buildCmp(d) : null;
}

function arithDefs(op: number, base: string): InstrDef[] {
  const names = [base + "sd", base + "ss", base + "pd", base + "ps"];
  return names.map((n) => ({
    mnemonics: mn((n[0].toUpperCase() + n.slice(1)) as Parameters<typeof mn>[0]),
    family: "sse-float" as const,
    build: buildArith(op, fmtOf(n)),
  }));
}

function buildCvtsi2(h: Handler): (d: Decoding) => Handler | null {
  return (d) => {
    const o = d.op;
    o.d = d.xmm(0);
    if (o.d < 0) return null;
    if (d.isReg(1)) o.size = d.src(1);
    else if (d.isMem(1) && d.mem()) o.size = d.memSize();
    else return null;
    return o.size === 4 || o.size === 8 ? h : null;
  };
}

function buildCvt2si(fmt: number, truncate: boolean): (d: Decoding) => Handler | null {
  return (d) => {
    const o = d.op;
    const size = d.dst(0);
    if (size !== 4 && size !== 8) return null;
    o.size = size;
    o.imm2 = fmt;
    o.cc = truncate ? 1 : 0;
    if (d.isReg(1)) {
      o.s = d.xmm(1);
      return o.s < 0 ? null : cvt2si;
    }
    return d.mem() ? cvt2si : null;
  };
}

function buildCvtPacked(kind: number): (d: Decoding) => Handler | null {
  return (d) => {
    d.op.cc = kind;
    return xmmOperands(d, 0, 1, kind !== CVTDQ2PD && kind !== CVTPS2PD) ? cvtPacked : null;
  };
}

export const SSE_FLOAT: InstrDef[] = [
  ...arithDefs(ADD, "add"),
  ...arithDefs(SUB, "sub"),
  ...arithDefs(MUL, "mul"),
  ...arithDefs(DIV, "div"),
  ...arithDefs(MIN, "min"),
  ...arithDefs(MAX, "max"),
  ...arithDefs(SQRT, "sqrt"),
  { mnemonics: mn("Cmpss", "Cmppd", "Cmpps"), family: "sse-float", build: buildCmp },
  {
    mnemonics: mn("Ucomisd", "Comisd"),
    family: "sse-float",
    writes: "OSZAPC",
    note: "OF SF AF cleared",
    build: (d) => {
      d.op.imm2 = SD;
      return xmmOperands(d, 0, 1, false) ? comis : null;
    },
  },
  {
    mnemonics: mn("Ucomiss", "Comiss"),
    family: "sse-float",
    writes: "OSZAPC",
    note: "OF SF AF cleared",
    build: (d) => {
      d.op.imm2 = SS;
      return xmmOperands(d, 0, 1, false) ? comis : null;
    },
  },
  { mnemonics: mn("Cvtsi2sd"), family: "sse-float", build: buildCvtsi2(cvtsi2sd) },
  { mnemonics: mn("Cvtsi2ss"), family: "sse-float", build: buildCvtsi2(cvtsi2ss) },
  { mnemonics: mn("Cvttsd2si"), family: "sse-float", build: buildCvt2si(SD, true) },
  { mnemonics: mn("Cvtsd2si"), family: "sse-float", build: buildCvt2si(SD, false) },
  { mnemonics: mn("Cvttss2si"), family: "sse-float", build: buildCvt2si(SS, true) },
  { mnemonics: mn("Cvtss2si"), family: "sse-float", build: buildCvt2si(SS, false) },
  {
    mnemonics: mn("Cvtsd2ss"),
    family: "sse-float",
    build: (d) => (xmmOperands(d, 0, 1, false) ? cvtsd2ss : null),
  },
  {
    mnemonics: mn("Cvtss2sd"),
    family: "sse-float",
    build: (d) => (xmmOperands(d, 0, 1, false) ? cvtss2sd : null),
  },
  { mnemonics: mn("Cvtdq2pd"), family: "sse-float", build: buildCvtPacked(CVTDQ2PD) },
  { mnemonics: mn("Cvtdq2ps"), family: "sse-float", build: buildCvtPacked(CVTDQ2PS) },
  { mnemonics: mn("Cvtps2dq"), family: "sse-float", build: buildCvtPacked(CVTPS2DQ) },
  { mnemonics: mn("Cvttps2dq"), family: "sse-float", build: buildCvtPacked(CVTTPS2DQ) },
  { mnemonics: mn("Cvtpd2dq"), family: "sse-float", build: buildCvtPacked(CVTPD2DQ) },
  { mnemonics: mn("Cvttpd2dq"), family: "sse-float", build: buildCvtPacked(CVTTPD2DQ) },
  { mnemonics: mn("Cvtps2pd"), family: "sse-float", build: buildCvtPacked(CVTPS2PD) },
  { mnemonics: mn("Cvtpd2ps"), family: "sse-float", build: buildCvtPacked(CVTPD2PS) },
];
