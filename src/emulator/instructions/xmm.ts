/**
 * XMM operand access for the SSE families. A 128-bit source (register or memory) is copied into the
 * scratch XS (with byte, word, float views) so that handlers can read it while writing the
 * destination register, even when both are the same register.
 *
 * Legacy-SSE instructions with a 16-byte memory operand require it to be 16-byte aligned (#GP →
 * SIGSEGV) except the explicitly unaligned ones (movups movupd movdqu lddqu); `aux & ALIGN` marks
 * ops that must check.
 */
import type { Machine } from "../machine.js";
import type { Op } from "../op.js";
import { ea } from "../operands.js";
import { alignmentFault, type Decoding } from "./def.js";

export const ALIGN = 1;

export const XS = new Int32Array(4);
export const XS8 = new Uint8Array(XS.buffer);
export const XS16 = new Uint16Array(XS.buffer);
export const XSF32 = new Float32Array(XS.buffer);
export const XSF64 = new Float64Array(XS.buffer);

/** Address of the op's memory operand, checked for 16-byte alignment when the op requires it. */
export function xmmAddr(m: Machine, o: Op): number {
  const a = ea(m, o);
  if ((o.aux & ALIGN) !== 0 && a % 16 !== 0) alignmentFault(o, a);
  return a;
}

/** Copies the 128-bit source (register o.s or memory) into XS. */
export function loadSrc128(m: Machine, o: Op): void {
  if (o.mm === 0) {
    const x = m.x32;
    const b = o.s * 4;
    XS[0] = x[b];
    XS[1] = x[b + 1];
    XS[2] = x[b + 2];
    XS[3] = x[b + 3];
    return;
  }
  const a = xmmAddr(m, o);
  const mem = m.memory;
  XS[0] = mem.load32(a);
  XS[1] = mem.load32(a + 4);
  XS[2] = mem.load32(a + 8);
  XS[3] = mem.load32(a + 12);
}

/** Copies the low 64 bits of the source (register o.s or an 8-byte memory operand) into XS[0..1]. */
export function loadSrc64(m: Machine, o: Op): void {
  if (o.mm === 0) {
    const x = m.x32;
    XS[0] = x[o.s * 4];
    XS[1] = x[o.s * 4 + 1];
    return;
  }
  const a = ea(m, o);
  XS[0] = m.memory.load32(a);
  XS[1] = m.memory.load32(a + 4);
}

/** Copies the low 32 bits of the source into XS[0]. */
export function loadSrc32(m: Machine, o: Op): void {
  XS[0] = o.mm === 0 ? m.x32[o.s * 4] : m.memory.load32(ea(m, o));
}

/** Stores xmm register `x` (all 16 bytes) at `a`. */
export function store128(m: Machine, a: number, x: number): void {
  const v = m.x32;
  const b = x * 4;
  m.memory.store128(a, v[b], v[b + 1], v[b + 2], v[b + 3]);
}

/**
 * Decodes "xmm, xmm/mem" operands: destination XMM from operand `di`, source from `si` (XMM register
 * into o.s, or memory). Returns false if an operand is not an XMM register (MMX forms).
 */
export function xmmOperands(d: Decoding, di: number, si: number, align: boolean): boolean {
  const o = d.op;
  const dx = d.xmm(di);
  if (dx < 0) return false;
  o.d = dx;
  if (d.isReg(si)) {
    const sx = d.xmm(si);
    if (sx < 0) return false;
    o.s = sx;
    return true;
  }
  if (!d.isMem(si) || !d.mem()) return false;
  if (align && d.memSize() === 16) o.aux |= ALIGN;
  return true;
}
