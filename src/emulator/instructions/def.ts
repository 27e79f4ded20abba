/**
 * The shape of the instruction table. Each family module (alu.ts, shift.ts, ...) exports a list of
 * `InstrDef`s; table.ts indexes them by iced Mnemonic. An entry says which mnemonics it handles,
 * which flags they read, write and leave undefined (Intel SDM), and how to turn one decoded
 * instruction into a handler plus operand fields (`build`). The same data can drive a coverage
 * report or a test generator.
 */
import type { DecodedInstruction } from "../decoded-instruction.js";
import { GuestFaultError, hex } from "../errors.js";
import { Code, Mnemonic, OpKind, Register } from "../iced-enums.js";
import type { Machine } from "../machine.js";
import { MM_ABS, MM_BASE, MM_BIS, MM_IS, type Handler, type Op } from "../op.js";
import { mnemonicValue } from "../mnemonics.js";
import { gprInfo, xmmIndex } from "../registers.js";

export type Family =
  | "data"
  | "alu"
  | "muldiv"
  | "shift"
  | "bits"
  | "control"
  | "string"
  | "system"
  | "sse-move"
  | "sse-int"
  | "sse-float"
  | "x87";

export interface InstrDef {
  /** iced Mnemonic values handled by this entry. */
  mnemonics: readonly number[];
  family: Family;
  /** Flags read, written (defined result) and left undefined, as letters of "OSZAPCD". */
  reads?: string;
  writes?: string;
  undef?: string;
  /** When flags depend on operands (shift counts ...), how. */
  note?: string;
  /** Ends a basic block although iced's flow control says "next" (syscall, rep string ...). */
  ends?: boolean;
  /** Fills the op's operand fields and returns its handler, or null for an unsupported form. */
  build(d: Decoding): Handler | null;
}

/** What a builder sees: the decoded instruction and the Op being filled. */
export class Decoding {
  constructor(
    readonly ins: DecodedInstruction,
    readonly op: Op,
  ) {}

  get code(): Code {
    return this.ins.code;
  }

  get count(): number {
    return this.ins.opCount;
  }

  kind(i: number): OpKind {
    return this.ins.opKinds[i];
  }

  isReg(i: number): boolean {
    return this.ins.opKinds[i] === OpKind.Register;
  }

  isMem(i: number): boolean {
    return this.ins.opKinds[i] === OpKind.Memory;
  }

  isImm(i: number): boolean {
    const k = this.ins.opKinds[i];
    return k >= OpKind.Immediate8 && k <= OpKind.Immediate32to64;
  }

  reg(i: number): Register {
    return this.ins.opRegisters[i];
  }

  /** Size in bytes of a general-purpose register operand, or 0 if operand i is not one. */
  gprSize(i: number): number {
    if (!this.isReg(i)) return 0;
    return gprInfo(this.reg(i))?.size ?? 0;
  }

  /** Size of operand i: a register's size or the memory operand's size. */
  size(i: number): number {
    if (this.isReg(i)) return gprInfo(this.reg(i))?.size ?? 0;
    if (this.isMem(i)) return this.memSize();
    return 0;
  }

  memSize(): number {
    return this.ins.memoryBytes;
  }

  /** Sets the op's operand size (and the sign-extension shift for sizes up to 4). */
  setSize(size: number): void {
    this.op.size = size;
    this.op.sx = size <= 4 ? 32 - 8 * size : 0;
  }

  /** Uses general-purpose register operand i as the destination. Returns its size or 0. */
  dst(i: number): number {
    const g = this.isReg(i) ? gprInfo(this.reg(i)) : undefined;
    if (g === undefined) return 0;
    const o = this.op;
    o.d = g.slot;
    o.dsh = g.shift;
    o.dk = g.size === 1 ? ~(0xff << g.shift) : g.size === 2 ? ~0xffff : 0;
    o.hk = g.size >= 4 ? 0 : -1;
    return g.size;
  }

  /** Uses general-purpose register operand i as the source. Returns its size or 0. */
  src(i: number): number {
    const g = this.isReg(i) ? gprInfo(this.reg(i)) : undefined;
    if (g === undefined) return 0;
    this.op.s = g.slot;
    this.op.ssh = g.shift;
    return g.size;
  }

  /** Slot of general-purpose register operand i, or -1. */
  slot(i: number): number {
    const g = this.isReg(i) ? gprInfo(this.reg(i)) : undefined;
    return g === undefined ? -1 : g.slot;
  }

  /** XMM number of operand i, or -1. */
  xmm(i: number): number {
    return this.isReg(i) ? xmmIndex(this.reg(i)) : -1;
  }

  /** The immediate of operand i as iced extends it to the operand size, as a 64-bit bigint. */
  immValue(i: number): bigint {
    return this.ins.immediates[i];
  }

  /** Sets ilo/ihi from immediate operand i (sign-extended to 64 bits as iced reports it). */
  imm(i: number): void {
    const v = this.ins.immediates[i];
    this.op.ilo = Number(BigInt.asIntN(32, v));
    this.op.ihi = Number(BigInt.asIntN(32, v >> 32n));
  }

  /** Fills the memory operand fields. Returns false for forms we do not support (VSIB, 16-bit). */
  mem(): boolean {
    const ins = this.ins;
    const o = this.op;
    if (ins.isVsib) return false;
    const base = ins.memoryBase;
    const index = ins.memoryIndex;
    const seg = ins.memorySegment;
    o.mseg = seg === Register.FS ? 1 : seg === Register.GS ? 2 : 0;
    if (seg === Register.SS) o.mss = 1;
    if (base === Register.RIP || base === Register.EIP) {
      o.mm = MM_ABS;
      let a = Number(ins.memoryDisplacement);
      if (base === Register.EIP) a = a >>> 0;
      o.mdisp = a;
    } else {
      const b = base === Register.None ? undefined : gprInfo(base);
      const x = index === Register.None ? undefined : gprInfo(index);
      if (
        (base !== Register.None && (b === undefined || b.size < 4)) ||
        (index !== Register.None && (x === undefined || x.size < 4))
      ) {
        return false;
      }
      o.ma32 = (b !== undefined && b.size === 4) || (x !== undefined && x.size === 4) ? 1 : 0;
      const disp = Number(BigInt.asIntN(64, ins.memoryDisplacement));
      o.mdisp = o.ma32 !== 0 ? Number(BigInt.asIntN(32, ins.memoryDisplacement)) : disp;
      o.msc = ins.memoryIndexScale;
      if (b !== undefined) o.mb = b.slot;
      if (x !== undefined) o.mi = x.slot;
      o.mm = b !== undefined ? (x !== undefined ? MM_BIS : MM_BASE) : x !== undefined ? MM_IS : MM_ABS;
      if (o.mm === MM_ABS && o.ma32 === 0) o.mdisp = disp;
    }
    o.mdl = o.mdisp >>> 0;
    o.mdh = (o.mdisp - o.mdl) / 4294967296;
    return true;
  }

  /** Near branch target of operand i. */
  branchTarget(): number {
    return Number(this.ins.nearBranchTarget);
  }
}

/** Throws the #UD for an op that has no handler. */
export function unsupported(_m: Machine, o: Op): void {
  throw new GuestFaultError("SIGILL", o.name);
}

/** Raises an alignment #GP for a 16-byte SSE memory operand. */
export function alignmentFault(o: Op, a: number): never {
  throw new GuestFaultError("SIGSEGV", `${o.name} operand at ${hex(a)} is not 16-byte aligned`, a);
}

/** Condition-code suffixes in hardware encoding order (o = 0 ... g = 15). */
export const CC_SUFFIXES = [
  "o",
  "no",
  "b",
  "ae",
  "e",
  "ne",
  "be",
  "a",
  "s",
  "ns",
  "p",
  "np",
  "l",
  "ge",
  "le",
  "g",
] as const;

/** The flags each condition reads, in the same order. */
export const CC_READS = [
  "O",
  "O",
  "C",
  "C",
  "Z",
  "Z",
  "ZC",
  "ZC",
  "S",
  "S",
  "P",
  "P",
  "SO",
  "SO",
  "ZSO",
  "ZSO",
] as const;

/** One entry per condition code for a conditional family (jcc, setcc, cmovcc). */
export function perCondition(
  prefix: string,
  family: Family,
  build: (d: Decoding) => Handler | null,
): InstrDef[] {
  return CC_SUFFIXES.map((cc, i) => {
    const name = prefix + cc;
    return {
      mnemonics: mn((name[0].toUpperCase() + name.slice(1)) as keyof typeof Mnemonic),
      family,
      reads: CC_READS[i],
      build,
    };
  });
}

/** Mnemonic values from their iced names (typo-safe: throws on an unknown name). */
export function mn(...names: (keyof typeof Mnemonic)[]): number[] {
  return names.map((n) => {
    const v = mnemonicValue(n);
    if (v === undefined) throw new Error(`unknown mnemonic ${String(n)}`);
    return v;
  });
}
