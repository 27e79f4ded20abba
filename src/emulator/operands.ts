/**
 * Operand access shared by the instruction handlers: effective addresses, sized register reads and
 * writes with the x86-64 partial-write rules, sized memory loads and stores.
 *
 * Values up to 32 bits travel as int32 numbers, usually sign-extended from their size (`sx`);
 * 64-bit values as two int32 words (lo, hi).
 */
import type { Machine } from "./machine.js";
import type { Memory } from "./memory.js";
import { MM_ABS, MM_BASE, MM_BIS, type Op } from "./op.js";
import { RSP } from "./registers.js";

const TWO32 = 4294967296;

/** Effective address of the memory operand (with the fs/gs base), as an exact number. */
export function ea(m: Machine, o: Op): number {
  const r = m.r;
  let a: number;
  switch (o.mm) {
    case MM_BASE: {
      const h = r[o.mb + 1];
      if ((h + 0x10000) >>> 17 !== 0) return eaSlow(m, o);
      a = h * TWO32 + (r[o.mb] >>> 0) + o.mdisp;
      break;
    }
    case MM_ABS:
      a = o.mdisp;
      break;
    case MM_BIS: {
      const bh = r[o.mb + 1];
      const ih = r[o.mi + 1];
      if (((bh + 0x10000) | (ih + 0x10000)) >>> 17 !== 0) return eaSlow(m, o);
      a = bh * TWO32 + (r[o.mb] >>> 0) + (ih * TWO32 + (r[o.mi] >>> 0)) * o.msc + o.mdisp;
      break;
    }
    default: {
      const ih = r[o.mi + 1];
      if ((ih + 0x10000) >>> 17 !== 0) return eaSlow(m, o);
      a = (ih * TWO32 + (r[o.mi] >>> 0)) * o.msc + o.mdisp;
    }
  }
  if (o.ma32 !== 0) a = a >>> 0;
  if (o.mseg !== 0) a += o.mseg === 1 ? m.fsb : m.gsb;
  return a;
}

/**
 * The exact address when a register holds a value too large for the fast path. Addresses at or
 * above 2^63 come back negative (their signed value), so that they stay close to exact and fault.
 */
function eaSlow(m: Machine, o: Op): number {
  let v = BigInt(o.mdisp);
  if (o.mm === MM_BASE || o.mm === MM_BIS) v += reg64(m, o.mb);
  if (o.mm !== MM_BASE && o.mm !== MM_ABS) v += reg64(m, o.mi) * BigInt(o.msc);
  v = BigInt.asUintN(o.ma32 !== 0 ? 32 : 64, v);
  if (o.mseg !== 0) v = BigInt.asUintN(64, v + BigInt(o.mseg === 1 ? m.fsb : m.gsb));
  return Number(BigInt.asIntN(64, v));
}

function reg64(m: Machine, slot: number): bigint {
  return (BigInt(m.r[slot + 1] >>> 0) << 32n) | BigInt(m.r[slot] >>> 0);
}

/** Scratch for 64-bit results: T[0] receives the high word. */
export const T = new Int32Array(4);

/** lea: the address computation modulo 2^64 (no segment). Returns lo, sets T[0] = hi. */
export function lea64(m: Machine, o: Op): number {
  const r = m.r;
  let lo = o.mdl;
  let hi = o.mdh;
  if (o.mm === MM_BASE || o.mm === MM_BIS) {
    lo += r[o.mb] >>> 0;
    hi += r[o.mb + 1];
  }
  if (o.mm !== MM_BASE && o.mm !== MM_ABS) {
    lo += (r[o.mi] >>> 0) * o.msc;
    hi += r[o.mi + 1] * o.msc;
  }
  const c = Math.floor(lo / TWO32);
  T[0] = (hi + c) | 0;
  return lo | 0;
}

/** A 64-bit value from its words as an address number (exact below 2^53 in magnitude). */
export function toAddr(lo: number, hi: number): number {
  return hi * TWO32 + (lo >>> 0);
}

// ------------------------------------------------------------------ registers up to 32 bits

/** Reads a register of the op's size from (slot, byte shift), sign-extended to 32 bits. */
export function rdS(r: Int32Array, slot: number, sh: number, sx: number): number {
  return ((r[slot] >> sh) << sx) >> sx;
}

/** Writes v to the destination register with the size rules (32-bit writes clear the high word). */
export function wrD(r: Int32Array, o: Op, v: number): void {
  const s = o.d;
  const k = o.dk;
  r[s] = (r[s] & k) | ((v << o.dsh) & ~k);
  r[s + 1] &= o.hk;
}

/** Writes a 32-bit value to a register slot (zero-extending). */
export function wr32(r: Int32Array, slot: number, v: number): void {
  r[slot] = v;
  r[slot + 1] = 0;
}

/** Register write for a given size (not using the op's masks): 1, 2, 4 or 8 (lo only, hi 0 at 4). */
export function wrSized(r: Int32Array, slot: number, sh: number, size: number, v: number): void {
  switch (size) {
    case 1:
      r[slot] = (r[slot] & ~(0xff << sh)) | ((v & 0xff) << sh);
      return;
    case 2:
      r[slot] = (r[slot] & ~0xffff) | (v & 0xffff);
      return;
    default:
      r[slot] = v;
      r[slot + 1] = 0;
  }
}

// ------------------------------------------------------------------ memory up to 32 bits

/** Loads `size` bytes sign-extended to 32 bits. */
export function ldS(mem: Memory, a: number, size: number): number {
  switch (size) {
    case 1:
      return (mem.load8(a) << 24) >> 24;
    case 2:
      return (mem.load16(a) << 16) >> 16;
    default:
      return mem.load32(a);
  }
}

/** Loads `size` bytes zero-extended (32-bit loads come back as int32). */
export function ldZ(mem: Memory, a: number, size: number): number {
  switch (size) {
    case 1:
      return mem.load8(a);
    case 2:
      return mem.load16(a);
    default:
      return mem.load32(a);
  }
}

export function stN(mem: Memory, a: number, v: number, size: number): void {
  switch (size) {
    case 1:
      mem.store8(a, v);
      return;
    case 2:
      mem.store16(a, v);
      return;
    default:
      mem.store32(a, v);
  }
}

// ------------------------------------------------------------------ stack

/** rsp as an address. */
export function rspAddr(r: Int32Array): number {
  return r[RSP + 1] * TWO32 + (r[RSP] >>> 0);
}

/** rsp += delta (a small integer), with carry into the high word. */
export function addRsp(r: Int32Array, delta: number): void {
  const lo = (r[RSP] >>> 0) + delta;
  r[RSP] = lo | 0;
  if (lo < 0) r[RSP + 1] = (r[RSP + 1] - 1) | 0;
  else if (lo >= TWO32) r[RSP + 1] = (r[RSP + 1] + 1) | 0;
}

/** Pushes a 64-bit value. The store happens before rsp changes, so a fault leaves rsp intact. */
export function push64(m: Machine, lo: number, hi: number): void {
  const r = m.r;
  m.memory.store64(rspAddr(r) - 8, lo, hi);
  addRsp(r, -8);
}
