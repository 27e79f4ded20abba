/**
 * Disassembly for the stepper: iced-x86 decoding and Intel-syntax formatting, branch targets and
 * RIP-relative operands named by symbol, and the target of the call at rip resolved from the
 * registers and memory.
 */
import { loadIced } from "../emulator/iced.js";
import type { Instruction, Register as RegisterId } from "iced-x86";
import type { Machine } from "../emulator/index.js";
import { GP_REGISTERS, type GpRegister, type GuestMemory } from "../emulator/types.js";

const { Decoder, DecoderOptions, Formatter, FormatterSyntax, FlowControl, OpKind, Register } = loadIced();

export interface DecodedInstruction {
  address: number;
  length: number;
  bytes: Uint8Array;
  /** Intel syntax, targets named: "call writeln", "mov rax, [rip+0x10] ; .LC0". */
  text: string;
  mnemonic: string;
  isCall: boolean;
  isReturn: boolean;
  isSyscall: boolean;
  /** A direct branch or call target. */
  branchTarget?: number;
  invalid: boolean;
}

export interface Namer {
  nameOf(address: number): string;
}

let formatter: InstanceType<typeof Formatter> | undefined;

function getFormatter(): InstanceType<typeof Formatter> {
  if (!formatter) {
    formatter = new Formatter(FormatterSyntax.Intel);
    formatter.hexPrefix = "0x";
    formatter.hexSuffix = "";
    formatter.uppercaseHex = false;
    formatter.spaceAfterOperandSeparator = true;
    formatter.branchLeadingZeros = false;
    formatter.ripRelativeAddresses = true;
    formatter.showBranchSize = false;
  }
  return formatter;
}

/** The mapped bytes at [address, address+max), clipped at the first unmapped page. */
function fetch(memory: GuestMemory, address: number, max: number): Uint8Array {
  const inPage = 4096 - (address % 4096);
  for (const n of [max, Math.min(max, inPage)]) {
    if (n > 0 && memory.isMapped(address, n)) {
      try {
        return memory.readBytes(address, n);
      } catch {
        return new Uint8Array(0);
      }
    }
  }
  return new Uint8Array(0);
}

function describe(ins: Instruction, bytes: Uint8Array, start: number, namer: Namer): DecodedInstruction {
  const f = getFormatter();
  const address = Number(ins.ip);
  const invalid = ins.isInvalid;
  const flow = ins.flowControl;
  let text = invalid ? "(bad)" : f.format(ins);
  let branchTarget: number | undefined;
  const kind0 = ins.opCount > 0 ? ins.op0Kind : undefined;
  if (
    !invalid &&
    (kind0 === OpKind.NearBranch64 || kind0 === OpKind.NearBranch32 || kind0 === OpKind.NearBranch16)
  ) {
    branchTarget = Number(ins.nearBranchTarget);
    text = `${f.formatMnemonic(ins)} ${namer.nameOf(branchTarget)}`;
  } else if (!invalid && ins.isIpRelMemoryOperand) {
    text += `  ; ${namer.nameOf(Number(ins.ipRelMemoryAddress))}`;
  }
  const mnemonic = invalid ? "(bad)" : f.formatMnemonic(ins);
  return {
    address,
    length: ins.length,
    bytes: bytes.slice(address - start, address - start + ins.length),
    text,
    mnemonic,
    isCall: !invalid && (flow === FlowControl.Call || flow === FlowControl.IndirectCall),
    isReturn: !invalid && flow === FlowControl.Return,
    isSyscall: mnemonic === "syscall",
    branchTarget,
    invalid,
  };
}

/** Decodes instructions from `address` while they start before `end` (at most `count`). */
export function decodeRange(
  memory: GuestMemory,
  address: number,
  count: number,
  namer: Namer,
  end = Infinity,
): DecodedInstruction[] {
  const bytes = fetch(memory, address, Math.min(15 * count, 4096 * 2));
  if (bytes.length === 0) return [];
  const decoder = new Decoder(64, bytes, DecoderOptions.None);
  decoder.ip = BigInt(address);
  const out: DecodedInstruction[] = [];
  try {
    while (decoder.canDecode && out.length < count) {
      const ins = decoder.decode();
      const d = describe(ins, bytes, address, namer);
      ins.free();
      if (d.address >= end) break;
      // An instruction cut off by the end of the mapped bytes is not shown.
      if (d.invalid && d.address + 15 > address + bytes.length) break;
      out.push(d);
    }
  } finally {
    decoder.free();
  }
  return out;
}

/** The instruction at address, or undefined if it cannot be fetched. */
export function decodeAt(memory: GuestMemory, address: number, namer: Namer): DecodedInstruction | undefined {
  return decodeRange(memory, address, 1, namer)[0];
}

/**
 * Instructions around rip: decoding starts at the containing function (or a little before rip
 * when that is too far or unknown, resynchronising on rip), `before` lines before and the rest after.
 */
export function disassembleAround(
  memory: GuestMemory,
  rip: number,
  functionStart: number | undefined,
  before: number,
  total: number,
  namer: Namer,
): DecodedInstruction[] {
  const starts =
    functionStart !== undefined && functionStart <= rip && rip - functionStart <= 4096 ? [functionStart] : [];
  for (let back = 15 * before; back >= 0; back--) starts.push(rip - back);
  for (const start of starts) {
    if (start < 0) continue;
    const head = decodeRange(memory, start, 4096, namer, rip + 1);
    const at = head.findIndex((d) => d.address === rip);
    if (at < 0) continue;
    const lead = head.slice(Math.max(0, at - before), at);
    const tail = decodeRange(memory, rip, total - lead.length, namer);
    return [...lead, ...tail];
  }
  return decodeRange(memory, rip, total, namer);
}

const GP = new Set<string>(GP_REGISTERS);

/** Where the call at rip goes, from the machine's registers and memory. */
export function callTarget(machine: Machine, rip: number): number | undefined {
  const bytes = fetch(machine.memory, rip, 15);
  if (bytes.length === 0) return undefined;
  const decoder = new Decoder(64, bytes, DecoderOptions.None);
  decoder.ip = BigInt(rip);
  const ins = decoder.decode();
  try {
    if (ins.isInvalid) return undefined;
    const f = getFormatter();
    const reg = (r: RegisterId): bigint | undefined => {
      if (r === Register.None) return 0n;
      const name = f.formatRegister(r);
      return GP.has(name) ? machine.getRegister(name as GpRegister) : undefined;
    };
    switch (ins.op0Kind) {
      case OpKind.NearBranch64:
      case OpKind.NearBranch32:
      case OpKind.NearBranch16:
        return Number(ins.nearBranchTarget);
      case OpKind.Register: {
        const v = reg(ins.op0Register);
        return v === undefined ? undefined : Number(v);
      }
      case OpKind.Memory: {
        let ea: bigint;
        if (ins.isIpRelMemoryOperand) ea = ins.ipRelMemoryAddress;
        else {
          const base = reg(ins.memoryBase);
          const index = reg(ins.memoryIndex);
          if (base === undefined || index === undefined) return undefined;
          ea = BigInt.asUintN(
            64,
            base + index * BigInt(ins.memoryIndexScale) + BigInt.asIntN(64, ins.memoryDisplacementU64),
          );
        }
        const a = Number(ea);
        if (!machine.memory.isMapped(a, 8)) return undefined;
        return Number(machine.memory.read64(a));
      }
      default:
        return undefined;
    }
  } finally {
    ins.free();
    decoder.free();
  }
}
