/**
 * The emulator's public contract: what the loader, the syscall layer and the observers
 * (trace, checker, stepper, grader) may rely on. The emulator knows nothing of them.
 *
 * Addresses are plain JS numbers (user-space addresses are below 2^47, exact in a double).
 * 64-bit register values cross this boundary as `bigint` (unsigned, 0 ≤ v < 2^64); that is
 * the slow path for observers and the kernel, never used by the per-instruction loop.
 */

export const PAGE_SIZE = 4096;

/** Page permissions, combinable. */
export const Perm = {
  none: 0,
  read: 1,
  write: 2,
  exec: 4,
} as const;

export type GpRegister =
  | "rax"
  | "rcx"
  | "rdx"
  | "rbx"
  | "rsp"
  | "rbp"
  | "rsi"
  | "rdi"
  | "r8"
  | "r9"
  | "r10"
  | "r11"
  | "r12"
  | "r13"
  | "r14"
  | "r15";

/** In hardware encoding order: index 0 is rax, 4 is rsp, 15 is r15. */
export const GP_REGISTERS: readonly GpRegister[] = [
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

export type Signal = "SIGSEGV" | "SIGBUS" | "SIGFPE" | "SIGILL" | "SIGTRAP";

/** Linux x86-64 signal numbers: the hardware faults' (`Signal`) and the others a program may raise. */
export const SIGNAL_NUMBERS = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGILL: 4,
  SIGTRAP: 5,
  SIGABRT: 6,
  SIGBUS: 7,
  SIGFPE: 8,
  SIGKILL: 9,
  SIGUSR1: 10,
  SIGSEGV: 11,
  SIGUSR2: 12,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
} as const satisfies Record<Signal, number> & Record<string, number>;

/** A hardware exception delivered to the guest as a signal. */
export interface GuestFault {
  signal: Signal;
  /** The address of the faulting instruction. */
  rip: number;
  /** For #PF: the address the instruction tried to access. */
  address?: number;
  /** Human-readable cause, e.g. "write to unmapped address", "movaps operand not 16-byte aligned". */
  reason: string;
}

export type StopReason =
  | { kind: "exit"; code: number }
  | { kind: "fault"; fault: GuestFault }
  /** The step budget given to run() is used up. */
  | { kind: "step-limit"; steps: number }
  /** A breakpoint address was reached (before executing it). */
  | { kind: "breakpoint"; rip: number }
  /** An observer or the kernel asked the machine to stop (e.g. a resource limit). */
  | { kind: "halted"; reason: string }
  /**
   * A syscall cannot complete yet (its input is not there): rip is at that `syscall`, which runs
   * again when run() is called next (and counts as an instruction each time, as on hardware).
   */
  | { kind: "blocked"; rip: number };

/** Emitted before a `call` transfers control. `rsp` is the value at the call instruction. */
export interface CallEvent {
  /** Address of the call instruction. */
  rip: number;
  /** Address of the instruction after the call (the return address pushed). */
  returnAddress: number;
  target: number;
  rsp: number;
}

/** Emitted when a `ret` executes, after it popped the return address. */
export interface ReturnEvent {
  /** Address of the ret instruction. */
  rip: number;
  /** Where it returns to. */
  target: number;
  /** rsp after the ret (return address and any `ret imm16` bytes popped). */
  rsp: number;
}

export interface SyscallEvent {
  rip: number;
  number: number;
  args: readonly bigint[];
  result: bigint;
  /** Name of the syscall if known, e.g. "write". */
  name: string;
}

/**
 * Observers subscribe here. Listeners are optional; when none is registered for
 * an event kind, the engine must not pay for it on the hot path.
 */
export interface MachineObserver {
  /** Before each instruction executes (precise path only). */
  onInstruction?(rip: number): void;
  onCall?(e: CallEvent): void;
  onReturn?(e: ReturnEvent): void;
  onSyscall?(e: SyscallEvent): void;
  onFault?(f: GuestFault): void;
  /**
   * True when onCall and onReturn use nothing but their event (not the machine's registers, flags,
   * rip or steps), do not keep the event object and change nothing: the machine then hands them
   * one event object it reuses instead of allocating one per call, and translated code delivers
   * events to them without writing its state back first (the shadow call stack of a run is such
   * an observer: millions of calls, no garbage).
   */
  readonly eventsOnly?: boolean;
  /** A write to guest memory (precise path only): address and byte length. */
  onMemoryWrite?(address: number, size: number): void;
}

/**
 * What `SyscallHandler.handle` returns for a syscall that would block: the machine stops with
 * { kind: "blocked" } at the `syscall` (rax intact, no syscall event), to run it again later.
 * Linux's kernel-internal -ERESTARTSYS, which user space never sees.
 */
export const SYSCALL_RESTART = -512n;

/**
 * The kernel side (src/syscalls) implements this; the machine calls it for every
 * `syscall` instruction with the machine itself. The handler reads arguments from the
 * registers (rax = number, rdi rsi rdx r10 r8 r9) and returns the value for rax.
 * To end the program it calls machine.exit(code).
 */
export interface SyscallHandler {
  /** The value for rax, or SYSCALL_RESTART. */
  handle(machine: GuestMachine): bigint;
  /** The syscall's name for traces. */
  nameOf?(number: number): string;
}

/** Guest memory as seen by the loader and the kernel (permission checks bypassed). */
export interface GuestMemory {
  /** Map zero-filled pages covering [address, address+size). Both page-aligned. Throws if over the cap. */
  map(address: number, size: number, perm: number, name?: string): void;
  unmap(address: number, size: number): void;
  protect(address: number, size: number, perm: number): void;
  /** Whether every page of the range is mapped. */
  isMapped(address: number, size: number): boolean;
  /** A page-aligned free range of the given size at or above `hint`. */
  findFree(size: number, hint: number): number;
  /** The permission of the page holding `address`, undefined if it is not mapped. */
  permAt(address: number): number | undefined;
  /** Bytes currently mapped (for the memory cap). */
  readonly mappedBytes: number;
  readonly limitBytes: number;
  /** Kernel/loader access: ignores permissions but throws on unmapped pages. */
  readBytes(address: number, length: number): Uint8Array;
  writeBytes(address: number, data: Uint8Array): void;
  read64(address: number): bigint;
  write64(address: number, value: bigint): void;
  read32(address: number): number;
  read8(address: number): number;
  /** A NUL-terminated string of at most maxLength bytes. */
  readCString(address: number, maxLength: number): Uint8Array;
}

/** What the kernel, loader and observers may do with the machine. */
export interface GuestMachine {
  readonly memory: GuestMemory;
  rip: number;
  getRegister(name: GpRegister): bigint;
  setRegister(name: GpRegister, value: bigint): void;
  /** Materialised RFLAGS. */
  getFlags(): number;
  getXmm(index: number): Uint8Array;
  fsBase: bigint;
  gsBase: bigint;
  /** Instructions executed so far. */
  readonly steps: number;
  /** End the program (exit, exit_group): the current run() returns { kind: "exit" }. */
  exit(code: number): void;
  /** Stop the current run() with { kind: "halted" } (limits, interrupts). */
  halt(reason: string): void;
}
