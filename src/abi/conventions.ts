import type { GpRegister } from "../emulator/types.js";

/**
 * A calling convention as data: what the caller and the callee promise each other.
 * The checker enforces it; the stepper and the docs show it.
 */
export interface CallingConvention {
  name: string;
  /** Registers that carry integer/pointer arguments, in order; further arguments go on the stack. */
  argumentRegisters: readonly GpRegister[];
  /** Where stack arguments start, relative to rsp at the call instruction (before it pushes). */
  stackArgumentOffset: number;
  /** Registers that hold a result. */
  returnRegisters: readonly GpRegister[];
  /** Registers the callee must give back unchanged. */
  calleeSaved: readonly GpRegister[];
  /** rsp modulo this must be 0 at every call instruction (0: no rule). */
  stackAlignment: number;
  /** Bytes below rsp a leaf function may use without moving rsp. */
  redZone: number;
  /** The direction flag must be clear at calls and returns. */
  directionFlagClear: boolean;
  /** Who removes stack arguments: "caller" (rsp unchanged by the call) or "callee" (`ret n`). */
  argumentCleanup: "caller" | "callee";
  /** Register that tells a variadic callee something (al: vector registers used; rax: argument count). */
  countRegister?: { register: GpRegister; meaning: string };
  /** Extra registers with a role in the call. */
  special?: { register: GpRegister; meaning: string }[];
}

export const SYSTEM_V: CallingConvention = {
  name: "System V AMD64",
  argumentRegisters: ["rdi", "rsi", "rdx", "rcx", "r8", "r9"],
  stackArgumentOffset: 0,
  returnRegisters: ["rax", "rdx"],
  calleeSaved: ["rbx", "rbp", "r12", "r13", "r14", "r15"],
  stackAlignment: 16,
  redZone: 128,
  directionFlagClear: true,
  argumentCleanup: "caller",
  countRegister: { register: "rax", meaning: "al = number of vector registers used by a variadic call" },
};

/** abi-lab's own Scheme-to-Scheme convention (see docs/ARCHITECTURE.md). */
export const SCHEME: CallingConvention = {
  name: "Scheme (abi-lab)",
  argumentRegisters: [],
  stackArgumentOffset: 0,
  returnRegisters: ["rax"],
  // r12 is not preserved but shared: every allocation advances it, in any procedure.
  calleeSaved: ["rbp", "r13"],
  stackAlignment: 0,
  redZone: 0,
  directionFlagClear: true,
  argumentCleanup: "callee",
  countRegister: { register: "rax", meaning: "the number of arguments" },
  special: [
    { register: "rbx", meaning: "the callee's closure" },
    { register: "r12", meaning: "the heap pointer (shared: allocation advances it)" },
    { register: "r13", meaning: "the heap limit" },
  ],
};

/** The rules the checker knows, by the name used in reports and `trace --json`. */
export const RULES = {
  "stack-alignment": "rsp must be a multiple of 16 at a System V call",
  "callee-saved": "rbx, rbp and r12–r15 must come back unchanged from a System V call",
  "stack-balance": "rsp after the return must be what it was before the call",
  "red-zone": "nothing may be written more than 128 bytes below rsp, nor below rsp across a call",
  "direction-flag": "the direction flag must be clear at calls and returns",
} as const;

export type RuleName = keyof typeof RULES;
