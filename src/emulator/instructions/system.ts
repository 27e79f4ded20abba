/**
 * System and miscellaneous: nop (all forms) endbr64 pause fences prefetch clflush, ud0 ud1 ud2
 * (#UD → SIGILL), int3 int1 (SIGTRAP), int n (SIGSEGV), syscall, cpuid, rdtsc rdtscp,
 * clc stc cmc cld std, ldmxcsr stmxcsr.
 * (hlt and other privileged instructions are turned into #GP → SIGSEGV by the table.)
 */
import { Code } from "../iced-enums.js";
import { cpuid } from "../cpuid.js";
import { GuestFaultError } from "../errors.js";
import { CF, getCF, updateFlags } from "../flags.js";
import type { Handler } from "../op.js";
import { ea, wr32 } from "../operands.js";
import { RAX, RBX, RCX, RDX } from "../registers.js";
import { mn, type Decoding, type InstrDef } from "./def.js";

const nop: Handler = () => {};

const ud: Handler = (_m, o) => {
  throw new GuestFaultError("SIGILL", `${o.name}: undefined instruction (#UD)`);
};
const int3: Handler = () => {
  throw new GuestFaultError("SIGTRAP", "breakpoint trap (int3)", undefined, true);
};
const int1: Handler = () => {
  throw new GuestFaultError("SIGTRAP", "debug trap (int1)", undefined, true);
};
const intN: Handler = (_m, o) => {
  throw new GuestFaultError(
    "SIGSEGV",
    `int 0x${o.ilo.toString(16)}: software interrupts are not available to 64-bit user code here (use syscall)`,
  );
};

const syscall: Handler = (m, o) => {
  m.doSyscall(o.ip, o.nextIp);
};

const cpuidH: Handler = (m) => {
  const r = m.r;
  const res = cpuid(r[RAX] >>> 0, r[RCX] >>> 0);
  wr32(r, RAX, res.eax);
  wr32(r, RBX, res.ebx);
  wr32(r, RCX, res.ecx);
  wr32(r, RDX, res.edx);
};

function writeTsc(r: Int32Array, t: number): void {
  wr32(r, RAX, (t % 4294967296) | 0);
  wr32(r, RDX, Math.floor(t / 4294967296) | 0);
}

const rdtsc: Handler = (m) => {
  writeTsc(m.r, m.tsc());
};
const rdtscp: Handler = (m) => {
  writeTsc(m.r, m.tsc());
  wr32(m.r, RCX, 0);
};

const clc: Handler = (m) => updateFlags(m.fl, CF, 0);
const stc: Handler = (m) => updateFlags(m.fl, CF, CF);
const cmc: Handler = (m) => updateFlags(m.fl, CF, getCF(m.fl) ^ 1);
const cld: Handler = (m) => {
  m.df = 0;
};
const std: Handler = (m) => {
  m.df = 1;
};

const ldmxcsr: Handler = (m, o) => {
  const v = m.memory.load32(ea(m, o));
  if ((v & ~0xffff) !== 0)
    throw new GuestFaultError(
      "SIGSEGV",
      `ldmxcsr: reserved MXCSR bits set in 0x${(v >>> 0).toString(16)} (#GP)`,
    );
  m.mxcsr = v & 0xffff;
};
const stmxcsr: Handler = (m, o) => {
  m.memory.store32(ea(m, o), m.mxcsr);
};

const fixed =
  (h: Handler) =>
  (_d: Decoding): Handler =>
    h;

/** The handler of nop and the instructions that do nothing here (translate.ts generates nothing for it). */
export const NOP_HANDLER: Handler = nop;

export const SYSTEM: InstrDef[] = [
  {
    mnemonics: mn(
      "Nop",
      "Pause",
      "Endbr64",
      "Endbr32",
      "Lfence",
      "Mfence",
      "Sfence",
      "Prefetchnta",
      "Prefetcht0",
      "Prefetcht1",
      "Prefetcht2",
      "Prefetchw",
      "Clflush",
      "Clflushopt",
    ),
    family: "system",
    build: fixed(nop),
  },
  { mnemonics: mn("Ud0", "Ud1", "Ud2"), family: "system", build: fixed(ud) },
  { mnemonics: mn("Int3"), family: "system", build: fixed(int3) },
  { mnemonics: mn("Int1"), family: "system", build: fixed(int1) },
  {
    mnemonics: mn("Int"),
    family: "system",
    build: (d) => {
      d.op.ilo = Number(d.immValue(0)) & 0xff;
      return intN;
    },
  },
  {
    mnemonics: mn("Syscall"),
    family: "system",
    reads: "OSZAPCD",
    note: "rflags saved in r11; the kernel may change anything",
    ends: true,
    build: fixed(syscall),
  },
  { mnemonics: mn("Cpuid"), family: "system", build: fixed(cpuidH) },
  { mnemonics: mn("Rdtsc"), family: "system", build: fixed(rdtsc) },
  { mnemonics: mn("Rdtscp"), family: "system", build: fixed(rdtscp) },
  { mnemonics: mn("Clc"), family: "system", writes: "C", build: fixed(clc) },
  { mnemonics: mn("Stc"), family: "system", writes: "C", build: fixed(stc) },
  { mnemonics: mn("Cmc"), family: "system", reads: "C", writes: "C", build: fixed(cmc) },
  { mnemonics: mn("Cld"), family: "system", writes: "D", build: fixed(cld) },
  { mnemonics: mn("Std"), family: "system", writes: "D", build: fixed(std) },
  {
    mnemonics: mn("Ldmxcsr", "Stmxcsr"),
    family: "system",
    build: (d) => {
      if (!d.mem()) return null;
      return d.code === Code.Ldmxcsr_m32 ? ldmxcsr : d.code === Code.Stmxcsr_m32 ? stmxcsr : null;
    },
  },
];
