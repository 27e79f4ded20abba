/**
 * One instruction as iced-x86 decoded it, as plain data: everything the instruction builders read
 * of iced's `Instruction` (same names), read once. Building an op from it calls no WebAssembly, and
 * it can be kept in the object cache, so that a later run of the same code need not load iced.
 * (Changing what it holds or how it is read from iced: bump FORMAT in src/cache/decoded-instructions.ts.)
 */
import type { Instruction } from "iced-x86";
import { Code, ConditionCode, FlowControl, MemorySize, Mnemonic, OpKind, Register } from "./iced-enums.js";

export interface DecodedInstruction {
  /** Its length in bytes. */
  length: number;
  /** iced Code and Mnemonic; `name` is the mnemonic's name in lower case. */
  code: Code;
  mnemonic: Mnemonic;
  name: string;
  flowControl: FlowControl;
  isPrivileged: boolean;
  isStackInstruction: boolean;
  opCount: number;
  /** Per operand: iced OpKind, the Register (registers only) and the immediate (immediates only). */
  opKinds: OpKind[];
  opRegisters: Register[];
  immediates: bigint[];
  /** The memory operand (iced's values also when there is none: None registers, size Unknown ...). */
  memorySize: MemorySize;
  /** Size of the memory operand in bytes (iced's MemorySizeExt.size). */
  memoryBytes: number;
  memoryBase: Register;
  memoryIndex: Register;
  memoryIndexScale: number;
  memoryDisplacement: bigint;
  memorySegment: Register;
  isVsib: boolean;
  /** The target of a near branch operand (0n without one, as iced says), and the kind of near branch. */
  nearBranchTarget: bigint;
  isJmpShortOrNear: boolean;
  isCallNear: boolean;
  conditionCode: ConditionCode;
  hasRepPrefix: boolean;
  hasRepePrefix: boolean;
  hasRepnePrefix: boolean;
}

const isImmediate = (k: OpKind) => k >= OpKind.Immediate8 && k <= OpKind.Immediate32to64;
const isBranch = (k: OpKind) =>
  k === OpKind.NearBranch16 || k === OpKind.NearBranch32 || k === OpKind.NearBranch64;

/**
 * The plain form of an iced instruction. `mnemonicName` and `memoryBytes` are iced's own lookups
 * (passed in, as this module does not load iced).
 */
export function plainInstruction(
  ins: Instruction,
  mnemonicName: (mnemonic: Mnemonic) => string,
  memoryBytes: (memorySize: MemorySize) => number,
): DecodedInstruction {
  const opCount = ins.opCount;
  const opKinds: OpKind[] = [];
  const opRegisters: Register[] = [];
  const immediates: bigint[] = [];
  let branch = false;
  for (let i = 0; i < opCount; i++) {
    const k = ins.opKind(i) as number as OpKind;
    opKinds.push(k);
    opRegisters.push(k === OpKind.Register ? (ins.opRegister(i) as number) : Register.None);
    immediates.push(isImmediate(k) ? ins.immediate(i) : 0n);
    if (isBranch(k)) branch = true;
  }
  const mnemonic = ins.mnemonic as number as Mnemonic;
  const flowControl = ins.flowControl as number as FlowControl;
  const memorySize = ins.memorySize as number as MemorySize;
  const transfer = flowControl === FlowControl.UnconditionalBranch || flowControl === FlowControl.Call;
  const repeats = ins.hasRepPrefix || ins.hasRepnePrefix;
  return {
    length: ins.length,
    code: ins.code as number,
    mnemonic,
    name: mnemonicName(mnemonic).toLowerCase(),
    flowControl,
    isPrivileged: ins.isPrivileged,
    isStackInstruction: ins.isStackInstruction,
    opCount,
    opKinds,
    opRegisters,
    immediates,
    memorySize,
    memoryBytes: memoryBytes(memorySize),
    memoryBase: ins.memoryBase as number,
    memoryIndex: ins.memoryIndex as number,
    memoryIndexScale: ins.memoryIndexScale,
    memoryDisplacement: ins.memoryDisplacement,
    memorySegment: ins.memorySegment as number,
    isVsib: ins.isVsib,
    nearBranchTarget: branch ? ins.nearBranchTarget : 0n,
    isJmpShortOrNear: transfer && ins.isJmpShortOrNear,
    isCallNear: transfer && ins.isCallNear,
    conditionCode: ins.conditionCode as number,
    hasRepPrefix: repeats && ins.hasRepPrefix,
    hasRepePrefix: repeats && ins.hasRepePrefix,
    hasRepnePrefix: repeats && ins.hasRepnePrefix,
  };
}
