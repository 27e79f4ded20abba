/**
 * Operand plumbing shared by the x87 families: the memory formats (Op.aux), loading a memory
 * operand as an 80-bit value, 80-bit loads and stores, the ST(i) number of a register operand,
 * the rounding control, the bracket every arithmetic handler uses (`begin` clears the exception
 * accumulator and C1, `end` merges them into the status word), and the builders of operandless
 * instructions and of one-operand operations on ST(0).
 *
 * Waiting instructions (all but the fn* control ones) first check for a pending unmasked exception
 * (ES set in the status word): it is delivered as SIGFPE (#MF), as on hardware.
 */
import { MemorySize, Register } from "../iced-enums.js";
import { GuestFaultError } from "../errors.js";
import type { Machine } from "../machine.js";
import type { Memory } from "../memory.js";
import type { Handler, Op } from "../op.js";
import { ea } from "../operands.js";
import { C1, ES, type X87 } from "../x87-state.js";
import {
  DE,
  FX,
  IE,
  INDEFINITE,
  SF,
  ZE,
  fromDouble,
  fromFloat,
  fromInt,
  fromWords,
  words,
  type F80,
} from "../x87-float.js";
import type { Decoding } from "./def.js";

/** Memory operand formats (Op.aux). */
export const MK_NONE = 0;
export const MK_F32 = 1;
export const MK_F64 = 2;
export const MK_F80 = 3;
export const MK_I16 = 4;
export const MK_I32 = 5;
export const MK_I64 = 6;

/** The format of the decoded instruction's memory operand, or MK_NONE. */
export function memKind(d: Decoding): number {
  switch (d.ins.memorySize) {
    case MemorySize.Float32:
      return MK_F32;
    case MemorySize.Float64:
      return MK_F64;
    case MemorySize.Float80:
      return MK_F80;
    case MemorySize.Int16:
      return MK_I16;
    case MemorySize.Int32:
      return MK_I32;
    case MemorySize.Int64:
      return MK_I64;
    default:
      return MK_NONE;
  }
}

/** ST register number of operand i, or -1. */
export function stIndex(d: Decoding, i: number): number {
  if (!d.isReg(i)) return -1;
  const r: number = d.reg(i);
  const st0: number = Register.ST0;
  return r >= st0 && r <= st0 + 7 ? r - st0 : -1;
}

/** Fills the memory operand and its format; false for an unsupported form. */
export function memOperand(d: Decoding): boolean {
  const k = memKind(d);
  if (k === MK_NONE || !d.mem()) return false;
  d.op.aux = k;
  return true;
}

function int64(lo: number, hi: number): F80 {
  const v = (BigInt(hi) << 32n) | BigInt(lo >>> 0);
  return v < 0n ? fromInt(-v, 1) : fromInt(v, 0);
}

/** The 80-bit value stored at `a` (significand, then sign and exponent). */
export function load80(mem: Memory, a: number): F80 {
  const lo = mem.load64(a);
  return fromWords(lo, mem.hi[0], mem.load16(a + 8));
}

/** Stores an 80-bit value at `a` (all 10 bytes or none: a fault is raised before any is written). */
export function store80(mem: Memory, a: number, x: F80): void {
  mem.probeWrite(a, 10);
  const [lo, hi] = words(x);
  mem.store64(a, lo | 0, hi | 0);
  mem.store16(a + 8, (x.s << 15) | x.e);
}

/** Reads the op's memory operand as an extended value (conversion exceptions go to FX). */
export function loadMem(m: Machine, o: Op): F80 {
  const a = ea(m, o);
  const mem = m.memory;
  switch (o.aux) {
    case MK_F32:
      return fromFloat(mem.load32(a));
    case MK_F64: {
      const lo = mem.load64(a);
      return fromDouble(lo, mem.hi[0]);
    }
    case MK_F80:
      return load80(mem, a);
    case MK_I16: {
      const v = (mem.load16(a) << 16) >> 16;
      return fromInt(BigInt(v < 0 ? -v : v), v < 0 ? 1 : 0);
    }
    case MK_I32: {
      const v = mem.load32(a);
      return fromInt(BigInt(v < 0 ? -v : v), v < 0 ? 1 : 0);
    }
    default: {
      const lo = mem.load64(a);
      return int64(lo, mem.hi[0]);
    }
  }
}

/** Delivers a pending unmasked exception (#MF) before a waiting instruction. */
export function waitCheck(f: X87, o: Op): void {
  if ((f.sw & ES) !== 0) {
    throw new GuestFaultError("SIGFPE", `${o.name}: unmasked x87 floating-point exception pending (#MF)`);
  }
}

/** Starts an arithmetic instruction: pending-exception check, C1 cleared, accumulator reset. */
export function begin(m: Machine, o: Op): X87 {
  const f = m.fpu;
  waitCheck(f, o);
  FX.flags = 0;
  FX.c1 = 0;
  FX.c1Base = 0;
  FX.cw = f.cw;
  if ((f.cw & 0x3f) !== 0x3f) f.mark();
  return f;
}

/**
 * Merges the accumulated exceptions and C1 into the status word: C1 is the "rounded up" bit, or
 * the stack fault direction (set by X87.push/underflow through FX.c1).
 */
export function end(f: X87): boolean {
  if ((FX.flags & ~f.cw & (IE | DE | ZE)) !== 0) {
    // An unmasked invalid-operation, denormal or divide-by-zero exception is detected before the
    // operation: it does not complete (registers, TOP and tags unchanged, no precision/overflow/
    // underflow, C1 from a stack fault or as before rounding); SIGFPE comes at the next waiting
    // instruction.
    FX.flags &= IE | DE | ZE | SF;
    const c1 = (FX.flags & SF) !== 0 ? FX.c1 : FX.c1Base;
    f.sw = (f.sw & ~C1) | (c1 !== 0 ? C1 : 0);
    f.signal(FX.flags);
    f.rollback();
    return false;
  }
  f.sw = (f.sw & ~C1) | (FX.c1 !== 0 ? C1 : 0);
  if (FX.flags !== 0) f.signal(FX.flags);
  return true;
}

/** Exceptions other than precision that are unmasked among those raised so far (a store is then not done). */
export function unmaskedStoreFault(f: X87): boolean {
  return (FX.flags & ~f.cw & 0x1f) !== 0;
}

/** The rounding control of the control word (0 nearest, 1 down, 2 up, 3 toward zero). */
export function rc(f: X87): number {
  return (f.cw >> 10) & 3;
}

/** The builder of an instruction without operands. */
export const noOperands = (h: Handler) => (d: Decoding) => (d.count === 0 ? h : null);

/** Applies fn to ST(0); an empty ST(0) is a stack underflow. */
export function unary(fn: (f: X87, x: F80) => F80): Handler {
  return (m, o) => {
    const f = begin(m, o);
    if (f.isEmpty(0)) {
      f.underflow();
      f.set(0, INDEFINITE);
    } else f.set(0, fn(f, f.get(0)));
    end(f);
  };
}
