/**
 * Register numbering. General-purpose registers live in `Machine.r`, an Int32Array of 32 words:
 * register n (hardware encoding order, rax = 0 ... r15 = 15) is the pair r[2n] (low 32 bits) and
 * r[2n+1] (high 32 bits). Decoded instructions refer to a register by its "slot" 2n; an 8-bit
 * high-byte register (ah ch dh bh) is slot 2n with a byte shift of 8.
 */
import { Register } from "./iced-enums.js";

export const RAX = 0;
export const RCX = 2;
export const RDX = 4;
export const RBX = 6;
export const RSP = 8;
export const RBP = 10;
export const RSI = 12;
export const RDI = 14;
export const R8 = 16;
export const R9 = 18;
export const R10 = 20;
export const R11 = 22;

export interface GprInfo {
  /** Slot of the low word in Machine.r. */
  slot: number;
  /** 8 for ah/ch/dh/bh, else 0. */
  shift: number;
  /** Operand size in bytes. */
  size: number;
}

const GPR = new Map<number, GprInfo>();
for (let i = 0; i < 16; i++) {
  GPR.set(Register.RAX + i, { slot: 2 * i, shift: 0, size: 8 });
  GPR.set(Register.EAX + i, { slot: 2 * i, shift: 0, size: 4 });
  GPR.set(Register.AX + i, { slot: 2 * i, shift: 0, size: 2 });
}
for (let i = 0; i < 4; i++) {
  GPR.set(Register.AL + i, { slot: 2 * i, shift: 0, size: 1 });
  GPR.set(Register.AH + i, { slot: 2 * i, shift: 8, size: 1 });
}
for (let i = 4; i < 16; i++) GPR.set(Register.SPL + (i - 4), { slot: 2 * i, shift: 0, size: 1 });

/** The general-purpose register behind an iced Register, or undefined. */
export function gprInfo(reg: number): GprInfo | undefined {
  return GPR.get(reg);
}

/** XMM register number 0..15 for an iced Register, or -1. */
export function xmmIndex(reg: number): number {
  const i = reg - Register.XMM0;
  return i >= 0 && i < 16 ? i : -1;
}
