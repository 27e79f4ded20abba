import type { Machine, MachineState } from "../../emulator/index.js";
import { GP_REGISTERS, type GpRegister } from "../../emulator/types.js";

export interface RegisterCell {
  name: string;
  value: bigint;
  changed: boolean;
  old?: bigint;
}

export interface FlagCell {
  name: string;
  set: boolean;
  changed: boolean;
}

export interface RegistersView {
  registers: RegisterCell[];
  rip: number;
  ripChanged: boolean;
  flags: FlagCell[];
  xmm: { name: string; hex: string; changed: boolean }[];
}

/** In the order people read them: the return/argument registers first. */
export const DISPLAY_ORDER: GpRegister[] = [
  "rax",
  "rbx",
  "rcx",
  "rdx",
  "rsi",
  "rdi",
  "rbp",
  "rsp",
  "r8",
  "r9",
  "r10",
  "r11",
  "r12",
  "r13",
  "r14",
  "r15",
];

const FLAGS: [string, number][] = [
  ["CF", 0],
  ["PF", 2],
  ["ZF", 6],
  ["SF", 7],
  ["DF", 10],
  ["OF", 11],
];

export function registersView(machine: Machine, before: MachineState): RegistersView {
  const registers = DISPLAY_ORDER.map((name) => {
    const value = machine.getRegister(name);
    const old = before.registers[GP_REGISTERS.indexOf(name)];
    return old === value ? { name, value, changed: false } : { name, value, changed: true, old };
  });
  const f = machine.getFlags();
  const flags = FLAGS.map(([name, bit]) => ({
    name,
    set: ((f >> bit) & 1) === 1,
    changed: ((f >> bit) & 1) !== ((before.rflags >> bit) & 1),
  }));
  const xmm = [];
  for (let i = 0; i < 16; i++) {
    const bytes = machine.getXmm(i);
    const oldBytes = before.xmm.subarray(i * 16, i * 16 + 16);
    const hex = [...bytes]
      .reverse()
      .map((b) => b.toString(16).padStart(2, "0"))
      .join("");
    xmm.push({ name: `xmm${i}`, hex, changed: Buffer.compare(bytes, oldBytes) !== 0 });
  }
  return { registers, rip: machine.rip, ripChanged: machine.rip !== before.rip, flags, xmm };
}

/** A register value in `width` characters: 16 hex digits, or shorter forms when narrow. */
export function formatWord(value: bigint, width: number): string {
  const full = value.toString(16).padStart(16, "0");
  if (width >= 16) return full;
  const short = value.toString(16);
  if (short.length <= width) return short.padStart(width, " ");
  const negative = BigInt.asIntN(64, value);
  if (negative < 0n) {
    const s = `-${(-negative).toString(16)}`;
    if (s.length <= width) return s.padStart(width, " ");
  }
  return `${full.slice(0, width - 5)}…${full.slice(-4)}`;
}
