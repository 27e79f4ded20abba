/**
 * The instruction table: every family's `InstrDef`s, indexed by iced Mnemonic, and `buildOp`, which
 * turns one decoded instruction into an `Op`. An instruction without an entry, or in a form
 * its entry does not support, becomes an op that raises #UD (SIGILL) naming it when executed;
 * privileged instructions raise #GP (SIGSEGV), as in user mode on hardware.
 */
import type { DecodedInstruction } from "../decoded-instruction.js";
import { GuestFaultError } from "../errors.js";
import { Code, FlowControl, Mnemonic } from "../iced-enums.js";
import { loadIced } from "../iced.js";
import { mnemonicName } from "../mnemonics.js";
import type { Machine } from "../machine.js";
import { Op } from "../op.js";
import { ALU } from "./alu.js";
import { BITS } from "./bits.js";
import { CONTROL } from "./control.js";
import { DATA } from "./data.js";
import { Decoding, unsupported, type InstrDef } from "./def.js";
import { MULDIV } from "./muldiv.js";
import { SHIFT } from "./shift.js";
import { SSE_FLOAT } from "./sse-float.js";
import { SSE_INT } from "./sse-int.js";
import { SSE_MOVE } from "./sse-move.js";
import { STRING } from "./string.js";
import { SYSTEM } from "./system.js";
import { X87_ARITH } from "./x87-arith.js";
import { X87_BCD } from "./x87-bcd.js";
import { X87_DATA } from "./x87-data.js";
import { X87_TRANSCENDENTAL } from "./x87-transcendental.js";

/** Every instruction the emulator implements, by family. */
export const INSTRUCTIONS: readonly InstrDef[] = [
  ...DATA,
  ...ALU,
  ...MULDIV,
  ...SHIFT,
  ...BITS,
  ...CONTROL,
  ...STRING,
  ...SYSTEM,
  ...SSE_MOVE,
  ...SSE_INT,
  ...SSE_FLOAT,
  ...X87_DATA,
  ...X87_ARITH,
  ...X87_TRANSCENDENTAL,
  ...X87_BCD,
];

const BY_MNEMONIC = new Map<number, InstrDef>();
for (const def of INSTRUCTIONS) {
  for (const m of def.mnemonics) {
    if (BY_MNEMONIC.has(m)) throw new Error(`mnemonic ${mnemonicName(m)} is in the instruction table twice`);
    BY_MNEMONIC.set(m, def);
  }
}

/** The table entry for an iced Mnemonic. */
export function instrDef(mnemonic: number): InstrDef | undefined {
  return BY_MNEMONIC.get(mnemonic);
}

/** Intel-syntax text of the instruction encoded by `bytes` at `ip` (for messages). */
export function formatInstruction(bytes: Uint8Array, ip: number): string {
  const iced = loadIced();
  const decoder = new iced.Decoder(64, bytes, iced.DecoderOptions.None);
  const formatter = new iced.Formatter(iced.FormatterSyntax.Intel);
  try {
    decoder.ip = BigInt(ip);
    const ins = decoder.decode();
    const text = formatter.format(ins);
    ins.free();
    return text;
  } finally {
    formatter.free();
    decoder.free();
  }
}

function privileged(_m: Machine, o: Op): void {
  throw new GuestFaultError("SIGSEGV", o.name);
}

function hexBytes(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
}

/** Builds the Op for one decoded instruction at `ip` (`bytes` are its encoding). */
export function buildOp(ins: DecodedInstruction, ip: number, bytes: Uint8Array): Op {
  const op = new Op(unsupported);
  op.ip = ip;
  op.len = ins.length;
  op.nextIp = ip + ins.length;
  op.code = ins.code;
  op.mnemonic = ins.mnemonic;
  op.name = ins.name;
  // Conditional branches do not end a block (superblocks): taken, they leave it early.
  op.ends = ins.flowControl !== FlowControl.Next && ins.flowControl !== FlowControl.ConditionalBranch;
  if (ins.code === Code.INVALID) {
    op.name = `invalid opcode (bytes ${hexBytes(bytes)})`;
    op.ends = true;
    return op;
  }
  if (ins.isPrivileged) {
    op.fn = privileged;
    op.name = `privileged instruction ${formatInstruction(bytes, ip)} (not allowed in user mode)`;
    op.ends = true;
    return op;
  }
  const def = BY_MNEMONIC.get(ins.mnemonic);
  const handler = def === undefined ? null : def.build(new Decoding(ins, op));
  if (def === undefined || handler === null) {
    const name = op.name;
    op.fn = unsupported;
    op.name = `unsupported instruction ${name} (${formatInstruction(bytes, ip)}; bytes ${hexBytes(bytes)})`;
    op.ends = true;
    return op;
  }
  op.fn = handler;
  if (def.ends === true) op.ends = true;
  if (ins.isStackInstruction) op.stk = 1;
  if (ins.mnemonic === Mnemonic.Leave) op.mss = 1; // reads [rbp] through SS
  return op;
}
