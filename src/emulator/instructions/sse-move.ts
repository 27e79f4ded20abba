/**
 * SSE/SSE2 data movement: movaps movups movapd movupd movdqa movdqu lddqu movntdq movntps movntpd,
 * movd movq (all forms), movss movsd (load/store/register forms), movlps movhps movlpd movhpd
 * movhlps movlhps, movmskps movmskpd pmovmskb, pextrw pinsrw. MMX forms are not supported.
 * No flags.
 */
import { Code } from "../iced-enums.js";
import type { Handler, Op } from "../op.js";
import { ea, wr32 } from "../operands.js";
import { mn, type Decoding, type InstrDef } from "./def.js";
import { ALIGN, XS, loadSrc128, store128, xmmAddr, xmmOperands } from "./xmm.js";

/** xmm ← xmm/m128 */
const mov128Load: Handler = (m, o) => {
  loadSrc128(m, o);
  m.x32.set(XS, o.d * 4);
};
/** xmm/m128 ← xmm (o.d is the source XMM, memory or o.s the destination) */
const mov128Store: Handler = (m, o) => {
  if (o.mm === 0) {
    const x = m.x32;
    x.copyWithin(o.s * 4, o.d * 4, o.d * 4 + 4);
  } else store128(m, xmmAddr(m, o), o.d);
};

/** movss / movsd / movq-style moves of the low 32 (aux2 = 1) or 64 bits (aux2 = 2). */
function lowWords(o: Op): number {
  return o.imm2;
}

/** xmm ← xmm/mN: from memory zero the rest; from a register merge (movss/movsd) or zero (movq, cc = 1). */
const movLowLoad: Handler = (m, o) => {
  const x = m.x32;
  const b = o.d * 4;
  const n = lowWords(o);
  if (o.mm !== 0) {
    const a = ea(m, o);
    const w0 = m.memory.load32(a);
    const w1 = n === 2 ? m.memory.load32(a + 4) : 0;
    x[b] = w0;
    x[b + 1] = n === 2 ? w1 : 0;
    x[b + 2] = 0;
    x[b + 3] = 0;
    return;
  }
  const s = o.s * 4;
  const w0 = x[s];
  const w1 = x[s + 1];
  x[b] = w0;
  if (n === 2) x[b + 1] = w1;
  if (o.cc === 1) {
    x[b + 2] = 0;
    x[b + 3] = 0;
  }
};
/** xmm/mN ← xmm (o.d is the source XMM). To a register: merge (movss/movsd) or zero upper (movq, cc = 1). */
const movLowStore: Handler = (m, o) => {
  const x = m.x32;
  const b = o.d * 4;
  const n = lowWords(o);
  if (o.mm !== 0) {
    const a = ea(m, o);
    if (n === 2) m.memory.store64(a, x[b], x[b + 1]);
    else m.memory.store32(a, x[b]);
    return;
  }
  const s = o.s * 4;
  x[s] = x[b];
  if (n === 2) x[s + 1] = x[b + 1];
  if (o.cc === 1) {
    x[s + 2] = 0;
    x[s + 3] = 0;
  }
};

/** movd/movq xmm, r/m32|64: zero-extended into the XMM register. */
const movdToXmm: Handler = (m, o) => {
  const x = m.x32;
  const b = o.d * 4;
  let lo: number;
  let hi = 0;
  if (o.mm !== 0) {
    const a = ea(m, o);
    lo = m.memory.load32(a);
    if (o.size === 8) hi = m.memory.load32(a + 4);
  } else {
    lo = m.r[o.s];
    if (o.size === 8) hi = m.r[o.s + 1];
  }
  x[b] = lo;
  x[b + 1] = hi;
  x[b + 2] = 0;
  x[b + 3] = 0;
};
/** movd/movq r/m32|64, xmm (o.s = XMM). */
const movdFromXmm: Handler = (m, o) => {
  const x = m.x32;
  const b = o.s * 4;
  if (o.mm !== 0) {
    const a = ea(m, o);
    if (o.size === 8) m.memory.store64(a, x[b], x[b + 1]);
    else m.memory.store32(a, x[b]);
    return;
  }
  const r = m.r;
  r[o.d] = x[b];
  r[o.d + 1] = o.size === 8 ? x[b + 1] : 0;
};

/** movlps/movlpd (cc = 0) and movhps/movhpd (cc = 1): load into or store from one half. */
const movHalfLoad: Handler = (m, o) => {
  const a = ea(m, o);
  const w0 = m.memory.load32(a);
  const w1 = m.memory.load32(a + 4);
  const b = o.d * 4 + o.cc * 2;
  m.x32[b] = w0;
  m.x32[b + 1] = w1;
};
const movHalfStore: Handler = (m, o) => {
  const b = o.d * 4 + o.cc * 2;
  m.memory.store64(ea(m, o), m.x32[b], m.x32[b + 1]);
};
/** movhlps (cc = 0): low ← source high; movlhps (cc = 1): high ← source low. */
const movHl: Handler = (m, o) => {
  const x = m.x32;
  const d = o.d * 4 + (o.cc === 1 ? 2 : 0);
  const s = o.s * 4 + (o.cc === 1 ? 0 : 2);
  const w0 = x[s];
  const w1 = x[s + 1];
  x[d] = w0;
  x[d + 1] = w1;
};

/** movmskps (cc = 4), movmskpd (cc = 8), pmovmskb (cc = 1): sign bits of each element into a GPR. */
const movmsk: Handler = (m, o) => {
  const x8 = m.x8;
  const b = o.s * 16;
  const step = o.cc;
  let v = 0;
  for (let i = 0, bit = 0; i < 16; i += step, bit++) v |= (x8[b + i + step - 1] >>> 7) << bit;
  wr32(m.r, o.d, v);
};

const pextrw: Handler = (m, o) => {
  const v = m.x16[o.s * 8 + (o.ilo & 7)];
  if (o.mm !== 0) m.memory.store16(ea(m, o), v);
  else wr32(m.r, o.d, v);
};
const pinsrw: Handler = (m, o) => {
  const v = o.mm !== 0 ? m.memory.load16(ea(m, o)) : m.r[o.s] & 0xffff;
  m.x16[o.d * 8 + (o.ilo & 7)] = v;
};

function buildMov128(d: Decoding): Handler | null {
  const o = d.op;
  const c = d.code;
  const align = !(
    c === Code.Movups_xmm_xmmm128 ||
    c === Code.Movups_xmmm128_xmm ||
    c === Code.Movupd_xmm_xmmm128 ||
    c === Code.Movupd_xmmm128_xmm ||
    c === Code.Movdqu_xmm_xmmm128 ||
    c === Code.Movdqu_xmmm128_xmm ||
    c === Code.Lddqu_xmm_m128
  );
  if (d.xmm(0) >= 0) {
    // load form: xmm ← xmm/m128
    return xmmOperands(d, 0, 1, align) ? mov128Load : null;
  }
  // store form: m128 ← xmm
  if (!d.isMem(0) || d.xmm(1) < 0 || !d.mem()) return null;
  o.d = d.xmm(1);
  if (align) o.aux |= ALIGN;
  return mov128Store;
}

/** movss/movsd (SSE), movq xmm, xmm/m64 and movq xmm/m64, xmm. */
function buildMovLow(words: number, zeroUpperFromReg: boolean): (d: Decoding) => Handler | null {
  return (d) => {
    const o = d.op;
    o.imm2 = words;
    o.cc = zeroUpperFromReg ? 1 : 0;
    if (d.xmm(0) >= 0 && (d.isMem(1) || d.xmm(1) >= 0)) {
      return xmmOperands(d, 0, 1, false) ? movLowLoad : null;
    }
    const src = d.xmm(1);
    if (src < 0) return null;
    o.d = src;
    if (d.isReg(0)) {
      const dx = d.xmm(0);
      if (dx < 0) return null;
      o.s = dx;
      return movLowStore;
    }
    return d.mem() ? movLowStore : null;
  };
}

export function buildMovsdSse(d: Decoding): Handler | null {
  return buildMovLow(2, false)(d);
}

function buildMovdq(d: Decoding): Handler | null {
  const o = d.op;
  const c = d.code;
  if (c === Code.Movq_xmm_xmmm64) return buildMovLow(2, true)(d);
  if (c === Code.Movq_xmmm64_xmm) return buildMovLow(2, true)(d);
  if (c === Code.Movd_xmm_rm32 || c === Code.Movq_xmm_rm64) {
    o.size = c === Code.Movd_xmm_rm32 ? 4 : 8;
    o.d = d.xmm(0);
    if (d.isReg(1)) d.src(1);
    else if (!d.mem()) return null;
    return movdToXmm;
  }
  if (c === Code.Movd_rm32_xmm || c === Code.Movq_rm64_xmm) {
    o.size = c === Code.Movd_rm32_xmm ? 4 : 8;
    o.s = d.xmm(1);
    if (d.isReg(0)) d.dst(0);
    else if (!d.mem()) return null;
    return movdFromXmm;
  }
  return null; // MMX forms
}

function buildHalf(high: boolean): (d: Decoding) => Handler | null {
  return (d) => {
    const o = d.op;
    o.cc = high ? 1 : 0;
    if (d.xmm(0) >= 0 && d.isMem(1) && d.mem()) {
      o.d = d.xmm(0);
      return movHalfLoad;
    }
    if (d.isMem(0) && d.xmm(1) >= 0 && d.mem()) {
      o.d = d.xmm(1);
      return movHalfStore;
    }
    return null;
  };
}

function buildMovmsk(step: number): (d: Decoding) => Handler | null {
  return (d) => {
    const o = d.op;
    o.cc = step;
    if (d.dst(0) === 0 || d.xmm(1) < 0) return null;
    o.s = d.xmm(1);
    return movmsk;
  };
}

export const SSE_MOVE: InstrDef[] = [
  {
    mnemonics: mn(
      "Movaps",
      "Movups",
      "Movapd",
      "Movupd",
      "Movdqa",
      "Movdqu",
      "Lddqu",
      "Movntdq",
      "Movntps",
      "Movntpd",
    ),
    family: "sse-move",
    note: "aligned forms fault (#GP, SIGSEGV) on a memory operand that is not 16-byte aligned",
    build: buildMov128,
  },
  { mnemonics: mn("Movss"), family: "sse-move", build: buildMovLow(1, false) },
  { mnemonics: mn("Movd", "Movq"), family: "sse-move", build: buildMovdq },
  { mnemonics: mn("Movlps", "Movlpd"), family: "sse-move", build: buildHalf(false) },
  { mnemonics: mn("Movhps", "Movhpd"), family: "sse-move", build: buildHalf(true) },
  {
    mnemonics: mn("Movhlps", "Movlhps"),
    family: "sse-move",
    build: (d) => {
      const o = d.op;
      o.cc = d.code === Code.Movlhps_xmm_xmm ? 1 : 0;
      return xmmOperands(d, 0, 1, false) && o.mm === 0 ? movHl : null;
    },
  },
  { mnemonics: mn("Movmskps"), family: "sse-move", build: buildMovmsk(4) },
  { mnemonics: mn("Movmskpd"), family: "sse-move", build: buildMovmsk(8) },
  { mnemonics: mn("Pmovmskb"), family: "sse-move", build: buildMovmsk(1) },
  {
    mnemonics: mn("Pextrw"),
    family: "sse-move",
    build: (d) => {
      const o = d.op;
      if (d.xmm(1) < 0) return null;
      o.s = d.xmm(1);
      o.ilo = Number(d.immValue(2));
      if (d.isReg(0)) return d.dst(0) >= 4 ? pextrw : null;
      return d.mem() ? pextrw : null;
    },
  },
  {
    mnemonics: mn("Pinsrw"),
    family: "sse-move",
    build: (d) => {
      const o = d.op;
      if (d.xmm(0) < 0) return null;
      o.d = d.xmm(0);
      o.ilo = Number(d.immValue(2));
      if (d.isReg(1)) return d.src(1) >= 4 ? pinsrw : null;
      return d.mem() ? pinsrw : null;
    },
  },
];
