/**
 * SSE2 integer and bitwise operations on XMM registers: pand pandn por pxor (and the ps/pd
 * bitwise forms andps andnps orps xorps andpd andnpd orpd xorpd), padd/psub b w d q (also
 * saturating), pcmpeq/pcmpgt b w d, pmin/pmax ub sw, pmullw pmulhw pmulhuw pmuludq pmaddwd,
 * pavgb pavgw psadbw, punpckl/h bw wd dq qdq, unpckl/h ps pd, packsswb packuswb packssdw,
 * pshufd pshuflw pshufhw shufps shufpd, psll/psrl/psra by immediate or register, pslldq psrldq.
 * MMX (mm register) forms are not supported. No flags.
 */
import type { Handler } from "../op.js";
import { mn, type Decoding, type InstrDef } from "./def.js";
import { XS, XS16, XS8, loadSrc128, xmmOperands } from "./xmm.js";

// Operation ids (Op.cc).
const enum P {
  AND,
  ANDN,
  OR,
  XOR,
  ADDB,
  ADDW,
  ADDD,
  ADDQ,
  SUBB,
  SUBW,
  SUBD,
  SUBQ,
  ADDUSB,
  ADDUSW,
  SUBUSB,
  SUBUSW,
  ADDSB,
  ADDSW,
  SUBSB,
  SUBSW,
  CMPEQB,
  CMPEQW,
  CMPEQD,
  CMPGTB,
  CMPGTW,
  CMPGTD,
  MINUB,
  MAXUB,
  MINSW,
  MAXSW,
  MULLW,
  MULHW,
  MULHUW,
  MULUDQ,
  MADDWD,
  AVGB,
  AVGW,
  SADBW,
  UNPCKLBW,
  UNPCKLWD,
  UNPCKLDQ,
  UNPCKLQDQ,
  UNPCKHBW,
  UNPCKHWD,
  UNPCKHDQ,
  UNPCKHQDQ,
  PACKSSWB,
  PACKUSWB,
  PACKSSDW,
  PSHUFD,
  PSHUFLW,
  PSHUFHW,
  SHUFPS,
  SHUFPD,
  SLLW,
  SLLD,
  SLLQ,
  SRLW,
  SRLD,
  SRLQ,
  SRAW,
  SRAD,
  SLLDQ,
  SRLDQ,
}

/** Destination copy and result scratch. */
const D = new Int32Array(4);
const D8 = new Uint8Array(D.buffer);
const D16 = new Uint16Array(D.buffer);
const R = new Int32Array(4);
const R8 = new Uint8Array(R.buffer);
const R16 = new Uint16Array(R.buffer);

const sat8s = (v: number): number => (v < -128 ? -128 : v > 127 ? 127 : v) & 0xff;
const sat8u = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : v);
const sat16s = (v: number): number => (v < -32768 ? -32768 : v > 32767 ? 32767 : v) & 0xffff;
const sat16u = (v: number): number => (v < 0 ? 0 : v > 65535 ? 65535 : v);
const s8 = (v: number): number => (v << 24) >> 24;
const s16 = (v: number): number => (v << 16) >> 16;

/** Logical/arithmetic shifts of each lane by `c` (already unsigned; counts beyond the width handled). */
function shiftLanes(op: P, c: number): void {
  switch (op) {
    case P.SLLW:
    case P.SRLW:
    case P.SRAW:
      for (let i = 0; i < 8; i++) {
        const v = D16[i];
        R16[i] =
          op === P.SLLW
            ? c > 15
              ? 0
              : v << c
            : op === P.SRLW
              ? c > 15
                ? 0
                : v >>> c
              : s16(v) >> (c > 15 ? 15 : c);
      }
      return;
    case P.SLLD:
    case P.SRLD:
    case P.SRAD:
      for (let i = 0; i < 4; i++) {
        const v = D[i];
        R[i] =
          op === P.SLLD
            ? c > 31
              ? 0
              : v << c
            : op === P.SRLD
              ? c > 31
                ? 0
                : v >>> c
              : v >> (c > 31 ? 31 : c);
      }
      return;
    case P.SLLQ:
    case P.SRLQ:
      for (let i = 0; i < 4; i += 2) {
        const l = D[i];
        const h = D[i + 1];
        let rl = 0;
        let rh = 0;
        if (c === 0) {
          rl = l;
          rh = h;
        } else if (c < 32) {
          if (op === P.SLLQ) {
            rh = (h << c) | (l >>> (32 - c));
            rl = l << c;
          } else {
            rl = (l >>> c) | (h << (32 - c));
            rh = h >>> c;
          }
        } else if (c < 64) {
          if (op === P.SLLQ) rh = l << (c - 32);
          else rl = h >>> (c - 32);
        }
        R[i] = rl;
        R[i + 1] = rh;
      }
      return;
    case P.SLLDQ:
      for (let i = 0; i < 16; i++) R8[i] = i - c >= 0 ? D8[i - c] : 0;
      return;
    default:
      for (let i = 0; i < 16; i++) R8[i] = i + c < 16 ? D8[i + c] : 0;
  }
}

/** Computes R from D (destination) and XS (source) for operation `op`; imm for shuffles. */
function compute(op: P, imm: number): void {
  switch (op) {
    case P.AND:
      for (let i = 0; i < 4; i++) R[i] = D[i] & XS[i];
      return;
    case P.ANDN:
      for (let i = 0; i < 4; i++) R[i] = ~D[i] & XS[i];
      return;
    case P.OR:
      for (let i = 0; i < 4; i++) R[i] = D[i] | XS[i];
      return;
    case P.XOR:
      for (let i = 0; i < 4; i++) R[i] = D[i] ^ XS[i];
      return;
    case P.ADDB:
      for (let i = 0; i < 16; i++) R8[i] = D8[i] + XS8[i];
      return;
    case P.ADDW:
      for (let i = 0; i < 8; i++) R16[i] = D16[i] + XS16[i];
      return;
    case P.ADDD:
      for (let i = 0; i < 4; i++) R[i] = (D[i] + XS[i]) | 0;
      return;
    case P.ADDQ:
    case P.SUBQ:
      for (let i = 0; i < 4; i += 2) {
        const s = op === P.ADDQ ? (D[i] >>> 0) + (XS[i] >>> 0) : (D[i] >>> 0) - (XS[i] >>> 0);
        const c = s >= 4294967296 ? 1 : s < 0 ? -1 : 0;
        R[i] = s | 0;
        R[i + 1] = (op === P.ADDQ ? D[i + 1] + XS[i + 1] + c : D[i + 1] - XS[i + 1] + c) | 0;
      }
      return;
    case P.SUBB:
      for (let i = 0; i < 16; i++) R8[i] = D8[i] - XS8[i];
      return;
    case P.SUBW:
      for (let i = 0; i < 8; i++) R16[i] = D16[i] - XS16[i];
      return;
    case P.SUBD:
      for (let i = 0; i < 4; i++) R[i] = (D[i] - XS[i]) | 0;
      return;
    case P.ADDUSB:
      for (let i = 0; i < 16; i++) R8[i] = sat8u(D8[i] + XS8[i]);
      return;
    case P.ADDUSW:
      for (let i = 0; i < 8; i++) R16[i] = sat16u(D16[i] + XS16[i]);
      return;
    case P.SUBUSB:
      for (let i = 0; i < 16; i++) R8[i] = sat8u(D8[i] - XS8[i]);
      return;
    case P.SUBUSW:
      for (let i = 0; i < 8; i++) R16[i] = sat16u(D16[i] - XS16[i]);
      return;
    case P.ADDSB:
      for (let i = 0; i < 16; i++) R8[i] = sat8s(s8(D8[i]) + s8(XS8[i]));
      return;
    case P.ADDSW:
      for (let i = 0; i < 8; i++) R16[i] = sat16s(s16(D16[i]) + s16(XS16[i]));
      return;
    case P.SUBSB:
      for (let i = 0; i < 16; i++) R8[i] = sat8s(s8(D8[i]) - s8(XS8[i]));
      return;
    case P.SUBSW:
      for (let i = 0; i < 8; i++) R16[i] = sat16s(s16(D16[i]) - s16(XS16[i]));
      return;
    case P.CMPEQB:
      for (let i = 0; i < 16; i++) R8[i] = D8[i] === XS8[i] ? 0xff : 0;
      return;
    case P.CMPEQW:
      for (let i = 0; i < 8; i++) R16[i] = D16[i] === XS16[i] ? 0xffff : 0;
      return;
    case P.CMPEQD:
      for (let i = 0; i < 4; i++) R[i] = D[i] === XS[i] ? -1 : 0;
      return;
    case P.CMPGTB:
      for (let i = 0; i < 16; i++) R8[i] = s8(D8[i]) > s8(XS8[i]) ? 0xff : 0;
      return;
    case P.CMPGTW:
      for (let i = 0; i < 8; i++) R16[i] = s16(D16[i]) > s16(XS16[i]) ? 0xffff : 0;
      return;
    case P.CMPGTD:
      for (let i = 0; i < 4; i++) R[i] = D[i] > XS[i] ? -1 : 0;
      return;
    case P.MINUB:
      for (let i = 0; i < 16; i++) R8[i] = Math.min(D8[i], XS8[i]);
      return;
    case P.MAXUB:
      for (let i = 0; i < 16; i++) R8[i] = Math.max(D8[i], XS8[i]);
      return;
    case P.MINSW:
      for (let i = 0; i < 8; i++) R16[i] = Math.min(s16(D16[i]), s16(XS16[i]));
      return;
    case P.MAXSW:
      for (let i = 0; i < 8; i++) R16[i] = Math.max(s16(D16[i]), s16(XS16[i]));
      return;
    case P.MULLW:
      for (let i = 0; i < 8; i++) R16[i] = Math.imul(D16[i], XS16[i]);
      return;
    case P.MULHW:
      for (let i = 0; i < 8; i++) R16[i] = (s16(D16[i]) * s16(XS16[i])) >> 16;
      return;
    case P.MULHUW:
      for (let i = 0; i < 8; i++) R16[i] = (D16[i] * XS16[i]) >>> 16;
      return;
    case P.MULUDQ:
      for (let i = 0; i < 4; i += 2) {
        const a = D[i] >>> 0;
        const b = XS[i] >>> 0;
        const p0 = a * (b & 0xffff);
        const p1 = a * (b >>> 16);
        const mid = p0 + (p1 % 65536) * 65536;
        R[i] = (mid % 4294967296) | 0;
        R[i + 1] = (Math.floor(p1 / 65536) + Math.floor(mid / 4294967296)) | 0;
      }
      return;
    case P.MADDWD:
      for (let i = 0; i < 4; i++) {
        R[i] = (s16(D16[2 * i]) * s16(XS16[2 * i]) + s16(D16[2 * i + 1]) * s16(XS16[2 * i + 1])) | 0;
      }
      return;
    case P.AVGB:
      for (let i = 0; i < 16; i++) R8[i] = (D8[i] + XS8[i] + 1) >> 1;
      return;
    case P.AVGW:
      for (let i = 0; i < 8; i++) R16[i] = (D16[i] + XS16[i] + 1) >> 1;
      return;
    case P.SADBW:
      for (let h = 0; h < 2; h++) {
        let sum = 0;
        for (let i = 0; i < 8; i++) sum += Math.abs(D8[8 * h + i] - XS8[8 * h + i]);
        R[2 * h] = sum;
        R[2 * h + 1] = 0;
      }
      return;
    case P.UNPCKLBW:
    case P.UNPCKHBW: {
      const base = op === P.UNPCKHBW ? 8 : 0;
      for (let i = 0; i < 8; i++) {
        R8[2 * i] = D8[base + i];
        R8[2 * i + 1] = XS8[base + i];
      }
      return;
    }
    case P.UNPCKLWD:
    case P.UNPCKHWD: {
      const base = op === P.UNPCKHWD ? 4 : 0;
      for (let i = 0; i < 4; i++) {
        R16[2 * i] = D16[base + i];
        R16[2 * i + 1] = XS16[base + i];
      }
      return;
    }
    case P.UNPCKLDQ:
    case P.UNPCKHDQ: {
      const base = op === P.UNPCKHDQ ? 2 : 0;
      R[0] = D[base];
      R[1] = XS[base];
      R[2] = D[base + 1];
      R[3] = XS[base + 1];
      return;
    }
    case P.UNPCKLQDQ:
    case P.UNPCKHQDQ: {
      const base = op === P.UNPCKHQDQ ? 2 : 0;
      R[0] = D[base];
      R[1] = D[base + 1];
      R[2] = XS[base];
      R[3] = XS[base + 1];
      return;
    }
    case P.PACKSSWB:
    case P.PACKUSWB:
      for (let i = 0; i < 8; i++) {
        const a = s16(D16[i]);
        const b = s16(XS16[i]);
        R8[i] = op === P.PACKSSWB ? sat8s(a) : sat8u(a);
        R8[i + 8] = op === P.PACKSSWB ? sat8s(b) : sat8u(b);
      }
      return;
    case P.PACKSSDW:
      for (let i = 0; i < 4; i++) {
        R16[i] = sat16s(D[i]);
        R16[i + 4] = sat16s(XS[i]);
      }
      return;
    case P.PSHUFD:
      for (let i = 0; i < 4; i++) R[i] = XS[(imm >> (2 * i)) & 3];
      return;
    case P.PSHUFLW:
      for (let i = 0; i < 4; i++) R16[i] = XS16[(imm >> (2 * i)) & 3];
      R[2] = XS[2];
      R[3] = XS[3];
      return;
    case P.PSHUFHW:
      R[0] = XS[0];
      R[1] = XS[1];
      for (let i = 0; i < 4; i++) R16[4 + i] = XS16[4 + ((imm >> (2 * i)) & 3)];
      return;
    case P.SHUFPS:
      R[0] = D[imm & 3];
      R[1] = D[(imm >> 2) & 3];
      R[2] = XS[(imm >> 4) & 3];
      R[3] = XS[(imm >> 6) & 3];
      return;
    case P.SHUFPD: {
      const a = (imm & 1) * 2;
      const b = ((imm >> 1) & 1) * 2;
      R[0] = D[a];
      R[1] = D[a + 1];
      R[2] = XS[b];
      R[3] = XS[b + 1];
      return;
    }
    default: {
      // shifts by an XMM/m128 count: the low 64 bits, unsigned
      const c = XS[1] !== 0 || XS[0] < 0 ? 0x7fffffff : XS[0];
      shiftLanes(op, op === P.SLLDQ || op === P.SRLDQ ? Math.min(c, 16) : c);
    }
  }
}

/** xmm ← op(xmm, xmm/m128 [, imm]) */
const packed: Handler = (m, o) => {
  loadSrc128(m, o);
  const x = m.x32;
  const b = o.d * 4;
  D[0] = x[b];
  D[1] = x[b + 1];
  D[2] = x[b + 2];
  D[3] = x[b + 3];
  compute(o.cc, o.ilo);
  x.set(R, b);
};

/** Shift by immediate: psllw/d/q psrlw/d/q psraw/d pslldq psrldq xmm, imm8. */
const shiftImm: Handler = (m, o) => {
  const x = m.x32;
  const b = o.d * 4;
  D[0] = x[b];
  D[1] = x[b + 1];
  D[2] = x[b + 2];
  D[3] = x[b + 3];
  const c = o.ilo;
  const op = o.cc as P;
  shiftLanes(op, op === P.SLLDQ || op === P.SRLDQ ? Math.min(c, 16) : c);
  x.set(R, b);
};

function build(op: P, hasImm = false): (d: Decoding) => Handler | null {
  return (d) => {
    const o = d.op;
    o.cc = op;
    if (op >= P.SLLW && d.isImm(1)) {
      if (d.xmm(0) < 0) return null;
      o.d = d.xmm(0);
      o.ilo = Number(d.immValue(1)) & 0xff;
      return shiftImm;
    }
    if (!xmmOperands(d, 0, 1, true)) return null;
    if (hasImm) o.ilo = Number(d.immValue(2)) & 0xff;
    return packed;
  };
}

const def = (names: Parameters<typeof mn>, op: P, hasImm = false): InstrDef => ({
  mnemonics: mn(...names),
  family: "sse-int",
  build: build(op, hasImm),
});

export const SSE_INT: InstrDef[] = [
  def(["Pand", "Andps", "Andpd"], P.AND),
  def(["Pandn", "Andnps", "Andnpd"], P.ANDN),
  def(["Por", "Orps", "Orpd"], P.OR),
  def(["Pxor", "Xorps", "Xorpd"], P.XOR),
  def(["Paddb"], P.ADDB),
  def(["Paddw"], P.ADDW),
  def(["Paddd"], P.ADDD),
  def(["Paddq"], P.ADDQ),
  def(["Psubb"], P.SUBB),
  def(["Psubw"], P.SUBW),
  def(["Psubd"], P.SUBD),
  def(["Psubq"], P.SUBQ),
  def(["Paddusb"], P.ADDUSB),
  def(["Paddusw"], P.ADDUSW),
  def(["Psubusb"], P.SUBUSB),
  def(["Psubusw"], P.SUBUSW),
  def(["Paddsb"], P.ADDSB),
  def(["Paddsw"], P.ADDSW),
  def(["Psubsb"], P.SUBSB),
  def(["Psubsw"], P.SUBSW),
  def(["Pcmpeqb"], P.CMPEQB),
  def(["Pcmpeqw"], P.CMPEQW),
  def(["Pcmpeqd"], P.CMPEQD),
  def(["Pcmpgtb"], P.CMPGTB),
  def(["Pcmpgtw"], P.CMPGTW),
  def(["Pcmpgtd"], P.CMPGTD),
  def(["Pminub"], P.MINUB),
  def(["Pmaxub"], P.MAXUB),
  def(["Pminsw"], P.MINSW),
  def(["Pmaxsw"], P.MAXSW),
  def(["Pmullw"], P.MULLW),
  def(["Pmulhw"], P.MULHW),
  def(["Pmulhuw"], P.MULHUW),
  def(["Pmuludq"], P.MULUDQ),
  def(["Pmaddwd"], P.MADDWD),
  def(["Pavgb"], P.AVGB),
  def(["Pavgw"], P.AVGW),
  def(["Psadbw"], P.SADBW),
  def(["Punpcklbw"], P.UNPCKLBW),
  def(["Punpcklwd"], P.UNPCKLWD),
  def(["Punpckldq", "Unpcklps"], P.UNPCKLDQ),
  def(["Punpcklqdq", "Unpcklpd"], P.UNPCKLQDQ),
  def(["Punpckhbw"], P.UNPCKHBW),
  def(["Punpckhwd"], P.UNPCKHWD),
  def(["Punpckhdq", "Unpckhps"], P.UNPCKHDQ),
  def(["Punpckhqdq", "Unpckhpd"], P.UNPCKHQDQ),
  def(["Packsswb"], P.PACKSSWB),
  def(["Packuswb"], P.PACKUSWB),
  def(["Packssdw"], P.PACKSSDW),
  def(["Pshufd"], P.PSHUFD, true),
  def(["Pshuflw"], P.PSHUFLW, true),
  def(["Pshufhw"], P.PSHUFHW, true),
  def(["Shufps"], P.SHUFPS, true),
  def(["Shufpd"], P.SHUFPD, true),
  def(["Psllw"], P.SLLW),
  def(["Pslld"], P.SLLD),
  def(["Psllq"], P.SLLQ),
  def(["Psrlw"], P.SRLW),
  def(["Psrld"], P.SRLD),
  def(["Psrlq"], P.SRLQ),
  def(["Psraw"], P.SRAW),
  def(["Psrad"], P.SRAD),
  def(["Pslldq"], P.SLLDQ),
  def(["Psrldq"], P.SRLDQ),
];
