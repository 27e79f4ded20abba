import { memoryReader } from "../../abi/call-trace.js";
import { Perm } from "../../emulator/types.js";
import { decodeValue } from "../../values/decode.js";
import type { StepSession } from "../session.js";

export interface StackSlot {
  address: number;
  /** undefined: unmapped. */
  value?: bigint;
  meaning: string;
  /** rsp points here. */
  top: boolean;
  /** rbp points here. */
  base: boolean;
  /** The address is a multiple of 16. */
  boundary16: boolean;
  /** The return address of a call: the border between the caller's frame (above) and the callee's. */
  frameEdge: boolean;
}

/** The stack from rsp upward, each 8-byte slot explained. */
export function stackView(session: StepSession, count: number): StackSlot[] {
  const { machine, view } = session;
  const rsp = Number(machine.getRegister("rsp"));
  const rbp = Number(machine.getRegister("rbp"));
  const reader = memoryReader(machine);
  const returnSlots = new Map<number, string>();
  const savedRbp = new Map<number, string>();
  for (const f of session.tracker.frames()) {
    const slot = f.call.rsp - 8;
    const callee = view.functionAt(f.call.target) ?? view.nameOf(f.call.target);
    returnSlots.set(slot, `ret → ${view.nameOf(f.call.returnAddress)} (${callee}'s frame below)`);
    if (!pushesRbpFirst(session, f.call.target)) continue;
    const rbpAtCall = (BigInt(f.regs[2 * 5 + 1] >>> 0) << 32n) | BigInt(f.regs[2 * 5] >>> 0);
    savedRbp.set(slot - 8, `saved rbp ${rbpAtCall.toString(16)} (${callee} pushed its caller's)`);
  }
  const slots: StackSlot[] = [];
  const start = rsp - (rsp % 8);
  for (let i = 0; i < count; i++) {
    const address = start + 8 * i;
    const value = reader.read64(address);
    let meaning = "";
    let frameEdge = false;
    if (value === undefined) meaning = "(unmapped)";
    else if (returnSlots.has(address)) {
      meaning = returnSlots.get(address)!;
      frameEdge = true;
    } else if (savedRbp.has(address) && (value === BigInt(rbp) || meaningAsPointer(session, value)))
      meaning = savedRbp.get(address)!;
    else meaning = explain(session, value, rsp);
    slots.push({
      address,
      value,
      meaning,
      top: address === rsp,
      base: address === rbp,
      boundary16: address % 16 === 0,
      frameEdge,
    });
  }
  return slots;
}

/** The function starts with `push rbp` (after an `endbr64`, if any): the slot below its return address is the caller's rbp. */
function pushesRbpFirst(session: StepSession, target: number): boolean {
  const memory = session.machine.memory;
  if (!memory.isMapped(target, 5)) return false;
  const bytes = memory.readBytes(target, 5);
  if (bytes[0] === 0x55) return true;
  return (
    bytes[0] === 0xf3 && bytes[1] === 0x0f && bytes[2] === 0x1e && bytes[3] === 0xfa && bytes[4] === 0x55
  );
}

function meaningAsPointer(session: StepSession, value: bigint): boolean {
  const rsp = Number(session.machine.getRegister("rsp"));
  const v = Number(value);
  return v >= rsp && v < rsp + (1 << 20);
}

/** What a word on the stack probably is: a code address, a stack address, or a Scheme value. */
export function explain(session: StepSession, value: bigint, rsp: number): string {
  const { machine, view } = session;
  const v = Number(value);
  if (value > 0n && value < 1n << 47n) {
    const perm = machine.memory.permAt(v);
    if (perm !== undefined && (perm & Perm.exec) !== 0) return `→ ${view.nameOf(v)}`;
    if (v >= rsp - 4096 && v < rsp + (8 << 20) && perm !== undefined)
      return `→ stack [rsp${v >= rsp ? "+" : "-"}0x${Math.abs(v - rsp).toString(16)}]`;
  }
  return schemeGuess(session, value);
}

/** The word as a Scheme value, when that reading is plausible (only in compiled Scheme programs). */
export function schemeGuess(session: StepSession, value: bigint): string {
  if (!session.program.compiled) return "";
  const tag = Number(value & 7n);
  if (tag === 0) {
    const n = BigInt.asIntN(64, value) >> 3n;
    return n > -(1n << 32n) && n < 1n << 32n ? `fixnum ${n}` : "";
  }
  const text = decodeValue(value, memoryReader(session.machine), { maxItems: 6, maxDepth: 2 });
  return text.startsWith("#<bad") || text.startsWith("#<invalid") ? "" : text;
}
