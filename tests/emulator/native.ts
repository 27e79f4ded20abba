/**
 * Differential-testing harness: runs the same code snippet on the real CPU (native/runner.c,
 * compiled with gcc on first use) and on the emulator, and compares registers, the flags that are
 * defined after the snippet, XMM registers, MXCSR, the data buffer and the way it stopped.
 *
 * Which flags are defined is tracked per instruction with iced-x86's own flag tables (an oracle
 * independent of the emulator's instruction table), adjusted for count-dependent rules of shifts
 * and rotates. A snippet that reads a flag while it is undefined is "tainted": its outcome may
 * legitimately differ, and the caller should discard it.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import iced from "iced-x86";
import { Machine, type MachineOptions } from "../../src/emulator/machine.js";
import { Perm, SIGNAL_NUMBERS, type StopReason } from "../../src/emulator/types.js";

const { Decoder, DecoderOptions, Mnemonic, RflagsBits, Formatter, FormatterSyntax, OpKind, Register } = iced;

export const CODE_ADDR = 0x10000000;
export const DATA_ADDR = 0x20000000;
export const DATA_SIZE = 0x2000;

export interface Case {
  code: Uint8Array;
  data: Uint8Array;
  /** rax..r15 */
  gpr: bigint[];
  rflags: number;
  xmm: Uint8Array;
  mxcsr: number;
}

/**
 * A case for a hand-written snippet: zeroed data and registers, r14 at data + 0x800 (the
 * generator's data pointer), rsp at data + 0x1800, default rflags and mxcsr.
 */
export function snippetCase(code: Uint8Array): Case {
  const gpr = Array.from({ length: 16 }, (_, i) =>
    i === 14 ? BigInt(DATA_ADDR + 0x800) : i === 4 ? BigInt(DATA_ADDR + 0x1800) : 0n,
  );
  return {
    code,
    data: new Uint8Array(DATA_SIZE),
    gpr,
    rflags: 0x202,
    xmm: new Uint8Array(256),
    mxcsr: 0x1f80,
  };
}

export interface Outcome {
  /** Signal number that ended the run (5 = the final int3), 14 = timeout. */
  signal: number;
  /** si_addr for native, fault.address for the emulator (0 when none). */
  address: bigint;
  /** rip reported with the signal (after int3; at a faulting instruction). */
  rip: bigint;
  gpr: bigint[];
  rflags: number;
  mxcsr: number;
  xmm: Uint8Array;
  data: Uint8Array;
  error?: string;
  reason?: string;
}

const here = dirname(fileURLToPath(import.meta.url));

let runnerPath: string | null | undefined;

/** Compiles the native runner (once per content hash). Null if this machine cannot run it. */
export function nativeRunner(): string | null {
  if (runnerPath !== undefined) return runnerPath;
  runnerPath = null;
  if (process.platform !== "linux" || process.arch !== "x64") return null;
  const src = join(here, "native", "runner.c");
  const hash = createHash("sha256").update(readFileSync(src)).digest("hex").slice(0, 16);
  const dir = join(tmpdir(), "abi-lab-emulator-runner");
  const exe = join(dir, `runner-${hash}`);
  if (!existsSync(exe)) {
    mkdirSync(dir, { recursive: true });
    // Built under a name of its own, then renamed: test files build it concurrently.
    const tmp = `${exe}.${process.pid}`;
    try {
      execFileSync("gcc", ["-O1", "-o", tmp, src], { stdio: "pipe" });
    } catch (e) {
      // No gcc: the differential tests are skipped. A runner that does not compile is a failure.
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw e;
    }
    renameSync(tmp, exe);
  }
  runnerPath = exe;
  return exe;
}

function u64(v: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt.asUintN(64, v));
  return b;
}

/** Runs cases on the real CPU. */
export function runNative(cases: readonly Case[]): Outcome[] {
  const exe = nativeRunner();
  if (exe === null) throw new Error("native runner unavailable");
  const parts: Buffer[] = [];
  for (const c of cases) {
    const head = Buffer.alloc(8);
    head.writeUInt32LE(c.code.length, 0);
    head.writeUInt32LE(c.data.length, 4);
    parts.push(head);
    for (const g of c.gpr) parts.push(u64(g));
    parts.push(u64(BigInt(c.rflags)));
    parts.push(Buffer.from(c.xmm));
    const mx = Buffer.alloc(4);
    mx.writeUInt32LE(c.mxcsr);
    parts.push(mx);
    parts.push(Buffer.from(c.code), Buffer.from(c.data));
  }
  const res = spawnSync(exe, [], { input: Buffer.concat(parts), maxBuffer: 1 << 30 });
  if (res.status !== 0) throw new Error(`native runner failed: ${res.stderr.toString()}`);
  return parseOutput(res.stdout.toString(), cases.length);
}

function parseOutput(text: string, n: number): Outcome[] {
  const out: Outcome[] = [];
  let cur: Partial<Outcome> = {};
  for (const line of text.split("\n")) {
    const [key, ...rest] = line.split(" ");
    switch (key) {
      case "case":
        cur = {};
        break;
      case "sig":
        cur.signal = Number(rest[0]);
        cur.address = BigInt("0x" + rest[1]);
        cur.rip = BigInt("0x" + rest[2]);
        break;
      case "gpr":
        cur.gpr = rest.map((h) => BigInt("0x" + h));
        break;
      case "flags":
        cur.rflags = Number.parseInt(rest[0], 16);
        break;
      case "mxcsr":
        cur.mxcsr = Number.parseInt(rest[0], 16);
        break;
      case "xmm":
        cur.xmm = Buffer.from(rest.join(""), "hex");
        break;
      case "data":
        cur.data = Buffer.from(rest[0] ?? "", "hex");
        break;
      case "error":
        cur.error = rest.join(" ");
        break;
      case "end":
        out.push(cur as Outcome);
        break;
      default:
    }
  }
  if (out.length !== n) throw new Error(`native runner returned ${out.length} of ${n} results`);
  return out;
}

// ------------------------------------------------------------------ flag oracle (iced-x86)

/** x86 RFLAGS bits for iced's RflagsBits. */
function toX86(bits: number): number {
  let v = 0;
  if (bits & RflagsBits.OF) v |= 0x800;
  if (bits & RflagsBits.SF) v |= 0x80;
  if (bits & RflagsBits.ZF) v |= 0x40;
  if (bits & RflagsBits.AF) v |= 0x10;
  if (bits & RflagsBits.CF) v |= 0x1;
  if (bits & RflagsBits.PF) v |= 0x4;
  if (bits & RflagsBits.DF) v |= 0x400;
  return v;
}

export const STATUS_FLAGS = 0x8d5;
const OF = 0x800;
const CF = 0x1;

interface FlagEffect {
  read: number;
  written: number;
  undefined: number;
  /** The destination register is undefined afterwards (slot in rax..r15 order), or -1. */
  undefinedReg: number;
}

const decodeInstr = new iced.Instruction();

/** Flag effects of the instruction at the machine's rip, given its current state. */
function flagEffect(m: Machine, bytes: Uint8Array): FlagEffect {
  const d = new Decoder(64, bytes, DecoderOptions.None);
  d.ip = BigInt(m.rip);
  d.decodeOut(decodeInstr);
  d.free();
  const ins = decodeInstr;
  let read = toX86(ins.rflagsRead);
  let undef = toX86(ins.rflagsUndefined);
  let written = toX86(ins.rflagsModified) & ~undef;
  const name = Mnemonic[ins.mnemonic].toLowerCase();
  if ((ins.hasRepePrefix || ins.hasRepnePrefix) && ins.isStringInstruction && m.getReg(1) === 0n) {
    return { read: 0, written: 0, undefined: 0, undefinedReg: -1 }; // zero iterations: no flags change
  }
  const shifts = ["shl", "sal", "shr", "sar", "rol", "ror", "rcl", "rcr", "shld", "shrd"];
  if (shifts.includes(name)) {
    const countOp = name === "shld" || name === "shrd" ? 2 : 1;
    const reg = ins.opKind(0) === OpKind.Register ? ins.opRegister(0) : Register.None;
    let width = 0;
    if (ins.opKind(0) === OpKind.Memory)
      width = [0, 8, 16, 0, 32, 0, 0, 0, 64][iced.MemorySizeExt.size(ins.memorySize)] ?? 0;
    else if (reg >= Register.RAX && reg <= Register.R15) width = 64;
    else if (reg >= Register.EAX && reg <= Register.R15D) width = 32;
    else if (reg >= Register.AX && reg <= Register.R15W) width = 16;
    else width = 8;
    const raw =
      ins.opKind(countOp) === OpKind.Register
        ? Number(m.getReg(1) & 0xffn)
        : Number(ins.immediate(countOp)) & 0xff;
    const c = raw & (width === 64 ? 63 : 31);
    if (c === 0) {
      read = 0;
      written = 0;
      undef = 0;
    } else {
      if (c === 1) {
        undef &= ~OF;
        written |= OF;
      } else {
        undef |= OF;
        written &= ~OF;
      }
      if ((name === "shl" || name === "sal" || name === "shr") && c >= width) {
        undef |= CF;
        written &= ~CF;
      }
      if (
        (name === "rcl" || name === "rcr") &&
        ((width === 8 && c % 9 === 0) || (width === 16 && c % 17 === 0))
      ) {
        // no rotation at all: CF keeps its value, OF undefined
        written &= ~CF;
      }
      if ((name === "shld" || name === "shrd") && c > width) {
        undef |= STATUS_FLAGS;
        written = 0;
      }
    }
    if (!(name === "rcl" || name === "rcr")) read = 0;
  }
  return { read, written, undefined: undef, undefinedReg: -1 };
}

// ------------------------------------------------------------------ emulation

export interface Emulated {
  outcome: Outcome;
  /** The same case run with run() (the fast loop) and its step count. */
  fast: Outcome;
  fastSteps: number;
  /** The same case run with run() with every block translated to JavaScript at once (translate.ts). */
  translated: Outcome;
  translatedSteps: number;
  /** Flag probes (REX.W pushfq) executed: data offset of the pushed flags and the flags defined then. */
  probes: { offset: number; mask: number }[];
  /** Status flags whose final value is architecturally defined. */
  definedFlags: number;
  /** A flag was read while undefined: the outcome may legitimately differ. */
  tainted: string | null;
  /** Instructions executed (Machine.steps after stepping). */
  steps: number;
}

export function newMachine(c: Case, options: MachineOptions = { translate: false }): Machine {
  const m = new Machine(options);
  m.memory.map(CODE_ADDR, Math.ceil(c.code.length / 4096) * 4096, Perm.read | Perm.exec, "code");
  m.memory.writeBytes(CODE_ADDR, c.code);
  m.memory.map(DATA_ADDR, DATA_SIZE, Perm.read | Perm.write, "data");
  m.memory.writeBytes(DATA_ADDR, c.data);
  c.gpr.forEach((v, i) => m.setReg(i, v));
  m.setFlags(c.rflags);
  m.x8.set(c.xmm);
  m.mxcsr = c.mxcsr;
  m.rip = CODE_ADDR;
  return m;
}

export function outcomeOf(m: Machine, stop: StopReason | null): Outcome {
  const gpr: bigint[] = [];
  for (let i = 0; i < 16; i++) gpr.push(m.getReg(i));
  const outcome: Outcome = {
    signal: 14,
    address: 0n,
    rip: BigInt(m.rip),
    gpr,
    rflags: m.getFlags(),
    mxcsr: m.mxcsr,
    xmm: m.x8.slice(),
    data: m.memory.readBytes(DATA_ADDR, DATA_SIZE),
  };
  if (stop !== null) {
    if (stop.kind === "fault") {
      const f = stop.fault;
      outcome.signal = SIGNAL_NUMBERS[f.signal];
      outcome.address = BigInt(f.address ?? 0);
      outcome.rip = f.signal === "SIGTRAP" ? BigInt(m.rip) : BigInt(f.rip);
      outcome.reason = f.reason;
    } else if (stop.kind !== "step-limit") outcome.error = `stopped: ${JSON.stringify(stop)}`;
  }
  return outcome;
}

/**
 * Runs a case on the emulator twice: one instruction at a time (precise loop), tracking which flags
 * are defined, and with run() (fast loop: blocks, fused ops). Both must agree exactly.
 */
export function runEmulated(c: Case, maxSteps = 10000): Emulated {
  const fastMachine = newMachine(c);
  const fastStop = fastMachine.run(maxSteps);
  const fast = outcomeOf(fastMachine, fastStop);
  const jitMachine = newMachine(c, { translate: true, translateAfter: 0 });
  const translated = outcomeOf(jitMachine, jitMachine.run(maxSteps));
  const m = newMachine(c);
  let defined = STATUS_FLAGS;
  let tainted: string | null = null;
  const probes: { offset: number; mask: number }[] = [];
  let stop = null;
  let steps = 0;
  for (; steps < maxSteps; steps++) {
    const off = m.rip - CODE_ADDR;
    if (off >= 0 && off < c.code.length) {
      const e = flagEffect(m, c.code.subarray(off, Math.min(off + 15, c.code.length)));
      if (c.code[off] === 0x48 && c.code[off + 1] === 0x9c) {
        probes.push({ offset: Number(m.getReg(4)) - 8 - DATA_ADDR, mask: defined });
        e.read = 0;
      }
      if (tainted === null && (e.read & ~defined & STATUS_FLAGS) !== 0) {
        tainted = `instruction at +${off} reads undefined flags 0x${(e.read & ~defined).toString(16)}`;
      }
      const r = m.step();
      if (r !== undefined) {
        stop = r;
        break;
      }
      defined = (defined | e.written) & ~e.undefined;
    } else {
      const r = m.step();
      if (r !== undefined) {
        stop = r;
        break;
      }
    }
  }
  const outcome = outcomeOf(m, stop);
  return {
    outcome,
    fast,
    fastSteps: fastMachine.steps,
    translated,
    translatedSteps: jitMachine.steps,
    probes,
    definedFlags: defined,
    tainted,
    steps: m.steps,
  };
}

// ------------------------------------------------------------------ comparison

const NAMES = [
  "rax",
  "rcx",
  "rdx",
  "rbx",
  "rsp",
  "rbp",
  "rsi",
  "rdi",
  "r8",
  "r9",
  "r10",
  "r11",
  "r12",
  "r13",
  "r14",
  "r15",
];

/** Equal, or (for addresses beyond 2^53, which the emulator keeps as doubles) equal as doubles. */
function sameAddress(a: bigint, b: bigint): boolean {
  return a === b || (BigInt.asUintN(64, a) >= 1n << 53n && Number(BigInt.asUintN(64, a)) === Number(b));
}

const h64 = (v: bigint): string => "0x" + BigInt.asUintN(64, v).toString(16).padStart(16, "0");

/** Differences between the native and emulated outcomes (empty when they agree). */
export function compare(native: Outcome, emu: Emulated): string[] {
  const e = emu.outcome;
  const diffs: string[] = [];
  for (const [name, f, steps] of [
    ["the fast loop (run)", emu.fast, emu.fastSteps],
    ["translated blocks (run)", emu.translated, emu.translatedSteps],
  ] as const) {
    const same =
      f.signal === e.signal &&
      f.rip === e.rip &&
      f.address === e.address &&
      f.rflags === e.rflags &&
      f.mxcsr === e.mxcsr &&
      f.gpr.every((v, i) => v === e.gpr[i]) &&
      Buffer.compare(Buffer.from(f.xmm), Buffer.from(e.xmm)) === 0 &&
      Buffer.compare(Buffer.from(f.data), Buffer.from(e.data)) === 0 &&
      steps === emu.steps;
    if (same) continue;
    diffs.push(
      `${name} and stepping disagree: signal ${f.signal}/${e.signal}, rip 0x${f.rip.toString(16)}/0x${e.rip.toString(16)}, steps ${steps}/${emu.steps}, rflags 0x${f.rflags.toString(16)}/0x${e.rflags.toString(16)}`,
    );
    for (let i = 0; i < 16; i++) {
      if (f.gpr[i] !== e.gpr[i]) diffs.push(`  ${NAMES[i]}: run ${h64(f.gpr[i])}, step ${h64(e.gpr[i])}`);
    }
  }
  if (native.error !== undefined) return [`native error: ${native.error}`];
  if (native.signal !== e.signal)
    diffs.push(`signal: native ${native.signal}, emulator ${e.signal} (${e.reason ?? e.error ?? ""})`);
  if (!sameAddress(native.rip, e.rip)) diffs.push(`rip: native ${h64(native.rip)}, emulator ${h64(e.rip)}`);
  if (native.signal === 11 && native.address !== 0n && !sameAddress(native.address, e.address)) {
    diffs.push(`fault address: native ${h64(native.address)}, emulator ${h64(e.address)}`);
  }
  for (let i = 0; i < 16; i++) {
    if (native.gpr[i] !== e.gpr[i])
      diffs.push(`${NAMES[i]}: native ${h64(native.gpr[i])}, emulator ${h64(e.gpr[i])}`);
  }
  const mask = emu.definedFlags | 0x400;
  if ((native.rflags & mask) !== (e.rflags & mask)) {
    diffs.push(
      `rflags (defined mask 0x${mask.toString(16)}): native 0x${native.rflags.toString(16)}, emulator 0x${e.rflags.toString(16)}`,
    );
  }
  if ((native.mxcsr & 0xffc0) !== (e.mxcsr & 0xffc0)) {
    diffs.push(`mxcsr control: native 0x${native.mxcsr.toString(16)}, emulator 0x${e.mxcsr.toString(16)}`);
  }
  for (let i = 0; i < 16; i++) {
    const a = Buffer.from(native.xmm.subarray(i * 16, i * 16 + 16)).toString("hex");
    const b = Buffer.from(e.xmm.subarray(i * 16, i * 16 + 16)).toString("hex");
    if (a !== b) diffs.push(`xmm${i}: native ${a}, emulator ${b}`);
  }
  // Bytes holding flag probes are compared under the flags defined when they were pushed.
  const byteMask = new Uint8Array(native.data.length).fill(0xff);
  for (const p of emu.probes) {
    const mask = p.mask | 0x400 | ~0xffff;
    for (let k = 0; k < 8; k++) {
      if (p.offset + k >= 0 && p.offset + k < byteMask.length)
        byteMask[p.offset + k] = k < 4 ? (mask >>> (8 * k)) & 0xff : 0xff;
    }
  }
  for (let i = 0; i < native.data.length; i += 8) {
    let same = true;
    for (let k = i; k < i + 8 && k < native.data.length; k++) {
      if (((native.data[k] ^ e.data[k]) & byteMask[k]) !== 0) same = false;
    }
    if (same) continue;
    const a = Buffer.from(native.data.subarray(i, i + 8)).toString("hex");
    const b = Buffer.from(e.data.subarray(i, i + 8)).toString("hex");
    const m = Buffer.from(byteMask.subarray(i, i + 8)).toString("hex");
    diffs.push(
      `data+0x${i.toString(16)}: native ${a}, emulator ${b}${m === "ffffffffffffffff" ? "" : ` (compared bits ${m})`}`,
    );
  }
  return diffs;
}

/** Disassembly of a case's code (for reports). */
export function disassemble(code: Uint8Array): string[] {
  const d = new Decoder(64, code, DecoderOptions.None);
  d.ip = BigInt(CODE_ADDR);
  const f = new Formatter(FormatterSyntax.Intel);
  const lines: string[] = [];
  const ins = new iced.Instruction();
  while (d.canDecode) {
    d.decodeOut(ins);
    lines.push(`  +${(Number(ins.ip) - CODE_ADDR).toString().padStart(3)}  ${f.format(ins)}`);
  }
  d.free();
  return lines;
}

/** A report of a mismatch: the code, the initial state, and native vs emulator side by side. */
export function report(c: Case, source: string, native: Outcome, emu: Emulated, diffs: string[]): string {
  const lines = [
    "instruction sequence:",
    ...source.split("\n").map((l) => "  " + l),
    "decoded:",
    ...disassemble(c.code),
    "initial state:",
    ...NAMES.map((n, i) => `  ${n.padEnd(4)} ${h64(c.gpr[i])}`),
    `  rflags 0x${c.rflags.toString(16)}`,
    "final state (native | emulator):",
    ...NAMES.map((n, i) => {
      const mark = native.gpr[i] === emu.outcome.gpr[i] ? " " : "*";
      return `${mark} ${n.padEnd(4)} ${h64(native.gpr[i])} | ${h64(emu.outcome.gpr[i])}`;
    }),
    `  rflags 0x${native.rflags.toString(16).padStart(8, "0")} | 0x${emu.outcome.rflags.toString(16).padStart(8, "0")}  (defined 0x${emu.definedFlags.toString(16)})`,
    `  signal ${native.signal} | ${emu.outcome.signal} ${emu.outcome.reason ?? ""}`,
    "differences:",
    ...diffs.map((d) => "  " + d),
  ];
  return lines.join("\n");
}
