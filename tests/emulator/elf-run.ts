/**
 * Test support: runs a static x86-64 ELF executable on the emulator with a tiny loader and a
 * syscall shim (enough for runtime-rs: read write openat close mmap mkdir exit_group). The real
 * loader and kernel are src/loader and src/syscalls; this keeps the emulator's tests independent.
 */
import { Machine, type MachineOptions } from "../../src/emulator/machine.js";
import { PAGE_SIZE, Perm, type StopReason } from "../../src/emulator/types.js";

const STACK_TOP = 0x7ffffff00000;
const STACK_SIZE = 8 << 20;

export interface ElfRun {
  stdout: Buffer;
  stderr: Buffer;
  stop: StopReason;
  steps: number;
  ms: number;
  machine: Machine;
}

/** Maps the PT_LOAD segments of an ELF64 executable; returns the entry point. */
export function loadElf(m: Machine, elf: Buffer): number {
  if (elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 2 || elf.readUInt16LE(18) !== 62) {
    throw new Error("not an ELF64 x86-64 file");
  }
  const entry = Number(elf.readBigUInt64LE(24));
  const phoff = Number(elf.readBigUInt64LE(32));
  const phentsize = elf.readUInt16LE(54);
  const phnum = elf.readUInt16LE(56);
  for (let i = 0; i < phnum; i++) {
    const p = phoff + i * phentsize;
    if (elf.readUInt32LE(p) !== 1) continue; // PT_LOAD
    const flags = elf.readUInt32LE(p + 4);
    const offset = Number(elf.readBigUInt64LE(p + 8));
    const vaddr = Number(elf.readBigUInt64LE(p + 16));
    const filesz = Number(elf.readBigUInt64LE(p + 32));
    const memsz = Number(elf.readBigUInt64LE(p + 40));
    const perm = (flags & 4 ? Perm.read : 0) | (flags & 2 ? Perm.write : 0) | (flags & 1 ? Perm.exec : 0);
    const start = vaddr - (vaddr % PAGE_SIZE);
    const end = Math.ceil((vaddr + memsz) / PAGE_SIZE) * PAGE_SIZE;
    for (let a = start; a < end; a += PAGE_SIZE) {
      const old = m.memory.permAt(a);
      if (old === undefined) m.memory.map(a, PAGE_SIZE, perm, "elf");
      else m.memory.protect(a, PAGE_SIZE, old | perm);
    }
    m.memory.writeBytes(vaddr, elf.subarray(offset, offset + filesz));
  }
  return entry;
}

/** Runs an executable with argv = ["prog"], an empty environment and empty stdin. */
export function runElf(elf: Buffer, maxSteps = 2_000_000_000, options: MachineOptions = {}): ElfRun {
  const { m, out, err } = prepareElf(elf, options);
  const t0 = performance.now();
  const stop = m.run(maxSteps);
  const ms = performance.now() - t0;
  return { stdout: Buffer.concat(out), stderr: Buffer.concat(err), stop, steps: m.steps, ms, machine: m };
}

/** A machine loaded with the executable, ready to run; its output is collected in out/err. */
export function prepareElf(
  elf: Buffer,
  options: MachineOptions = {},
): { m: Machine; out: Buffer[]; err: Buffer[] } {
  const m = new Machine(options);
  const entry = loadElf(m, elf);
  m.memory.map(STACK_TOP - STACK_SIZE, STACK_SIZE, Perm.read | Perm.write, "stack");
  // argc, argv[0], NULL, envp NULL, auxv AT_PAGESZ, AT_NULL; then the string
  let sp = STACK_TOP - 256;
  const argv0 = STACK_TOP - 64;
  m.memory.writeBytes(argv0, new TextEncoder().encode("prog\0"));
  for (const w of [1n, BigInt(argv0), 0n, 0n, 6n, 4096n, 0n, 0n]) {
    m.memory.write64(sp, w);
    sp += 8;
  }
  m.setRegister("rsp", BigInt(STACK_TOP - 256));
  m.rip = entry;
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  m.syscallHandler = {
    handle(g) {
      const n = Number(g.getRegister("rax"));
      const a = [g.getRegister("rdi"), g.getRegister("rsi"), g.getRegister("rdx"), g.getRegister("r10")];
      switch (n) {
        case 0: // read: stdin is empty
          return 0n;
        case 1: {
          const bytes = Buffer.from(m.memory.readBytes(Number(a[1]), Number(a[2])));
          (a[0] === 2n ? err : out).push(bytes);
          return a[2];
        }
        case 3:
          return 0n;
        case 9: {
          const len = Math.ceil(Number(a[1]) / PAGE_SIZE) * PAGE_SIZE;
          const at = m.memory.findFree(len, 0x100000000);
          m.memory.map(at, len, Number(a[2]) & 7, "mmap");
          return BigInt(at);
        }
        case 83:
          return -17n; // EEXIST
        case 231:
          g.exit(Number(a[0] & 0xffn));
          return 0n;
        case 257:
          return -2n; // ENOENT
        default:
          return -38n;
      }
    },
  };
  return { m, out, err };
}
