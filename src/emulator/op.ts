/**
 * The pre-decoded form of one instruction: a handler function plus plain numeric operand fields,
 * filled once by the decoder (decode-cache.ts) from iced-x86's output. Immediates, displacements
 * and branch targets are already split into JS numbers, so executing an Op touches no BigInt and
 * no wasm. Every Op has the same shape (all fields initialised here), which keeps property access
 * monomorphic in the handlers.
 */
import type { Machine } from "./machine.js";

/**
 * Executes one instruction. Conditional branches return true when taken (they have set rip):
 * they do not end their basic block, so a taken branch leaves it early. Others return nothing.
 */
export type Handler = (m: Machine, o: Op) => boolean | void;

/** Memory operand addressing modes (Op.mm). */
export const MM_NONE = 0;
/** Absolute address in mdisp (also RIP-relative, resolved at decode time). */
export const MM_ABS = 1;
/** [base + disp] */
export const MM_BASE = 2;
/** [base + index*scale + disp] */
export const MM_BIS = 3;
/** [index*scale + disp] */
export const MM_IS = 4;

export class Op {
  fn: Handler;
  /** Address of the instruction, of the next one, and its length. */
  ip = 0;
  nextIp = 0;
  len = 0;
  /** iced Code and Mnemonic, for reports. */
  code = 0;
  mnemonic = 0;
  /** Operand size in bytes (1, 2, 4, 8, 16). */
  size = 0;
  /** 32 - 8*size for sizes up to 4: `(v << sx) >> sx` sign-extends a value of that size. */
  sx = 0;

  /** Destination register: slot in Machine.r (or XMM number), byte shift (8 for ah..bh). */
  d = 0;
  dsh = 0;
  /** Write masks for a destination of up to 32 bits: bits of the low word kept, mask applied to the high word. */
  dk = 0;
  hk = 0;
  /** Source register slot (or XMM number) and byte shift. */
  s = 0;
  ssh = 0;
  /** A third register operand (slot or XMM number). */
  s2 = 0;

  /** Immediate, sign- or zero-extended as the instruction defines, split in 32-bit words. */
  ilo = 0;
  ihi = 0;
  /** A second immediate (enter's nesting level, shld's count, pshufd's order ...). */
  imm2 = 0;

  /** Memory operand: mode (MM_*), base slot, index slot, scale, displacement. */
  mm = MM_NONE;
  mb = 0;
  mi = 0;
  msc = 1;
  /** Displacement as a signed number; for MM_ABS the absolute address. */
  mdisp = 0;
  /** The displacement split for exact 64-bit arithmetic (lea): mdisp = mdh * 2^32 + mdl, 0 <= mdl < 2^32. */
  mdl = 0;
  mdh = 0;
  /** Segment: 0 none, 1 fs, 2 gs. */
  mseg = 0;
  /** 32-bit address size (0x67 prefix). */
  ma32 = 0;
  /** The memory operand is addressed through the stack segment (rsp/rbp base): non-canonical → #SS (SIGBUS). */
  mss = 0;
  /** Implicitly accesses the stack (push, pop, call, ret, leave, enter, pushf, popf). */
  stk = 0;

  /** Branch target. */
  target = 0;
  /** Condition code (hardware encoding 0..15). */
  cc = 0;
  /** Repeat prefix: 0 none, 1 rep/repe, 2 repne. */
  rep = 0;
  /** Anything else a handler needs (source size for movzx, alignment check ...). */
  aux = 0;
  /** Lower-case mnemonic (or the full fault reason for an unsupported instruction). */
  name = "";
  /** Index of this op in its block. */
  bi = 0;
  /** Ends its basic block (control transfer, syscall, rep string ...). */
  ends = false;

  constructor(fn: Handler) {
    this.fn = fn;
  }
}
