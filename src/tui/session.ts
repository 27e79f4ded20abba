/**
 * The stepper's controller (no React): owns the machine, the breakpoints, the history and the
 * guest's output; runs the commands (step, next, finish, continue, toggle breakpoint, reverse step).
 * The panels read it through `buildView` (view-model.ts).
 *
 * Speed: single steps record an exact undo entry per instruction (an onMemoryWrite observer is
 * attached only then). continue/next/finish first step `preciseLead` instructions that way (so
 * short commands stay exactly reversible) and then run at full speed from a whole-memory
 * checkpoint, with no per-instruction observer: the emulator's fast loop.
 */
import { AbiChecker } from "../abi/checker.js";
import { UserInputError } from "../diagnostics.js";
import type { Machine, MachineState } from "../emulator/index.js";
import type { MachineObserver, StopReason, SyscallEvent } from "../emulator/types.js";
import type { LoadedProgram } from "../pipeline/load-program.js";
import { programView } from "../pipeline/program-view.js";
import { CallTracker } from "./call-tracker.js";
import { decodeAt } from "./disasm.js";
import {
  History,
  undoRecord,
  type HistoryRecord,
  type KernelState,
  type Mark,
  type SpanRecord,
  type StepRecord,
} from "./history.js";
import { restoreExtras, saveExtras } from "./internals.js";
import { captureMemory, captureRange, type MemorySnapshot } from "./memory-snapshot.js";
import { SandboxFiles } from "./sandbox-files.js";

export interface GuestIO {
  stdout(bytes: Uint8Array): void;
  stderr(bytes: Uint8Array): void;
}

export interface GuestProcess {
  machine: Machine;
  kernel?: unknown;
}

export interface SessionOptions {
  program: LoadedProgram;
  sandboxDir: string;
  /** Creates the guest process, sending its output to `io`. */
  spawn(io: GuestIO): GuestProcess;
  /** Symbols (or Scheme procedure names) to stop at. */
  breakpoints?: string[];
  /** How to save and restore the kernel's state (descriptors, offsets), if it can. */
  kernelState?: (kernel: unknown) => KernelState | undefined;
  /** Step records kept before the oldest are merged (≥ 10 000). */
  historySteps?: number;
  /** Instructions one continue/next/finish may run before pausing. */
  runBudget?: number;
  /** Instructions a continue/next/finish records one by one before going full speed. */
  preciseLead?: number;
  /** Instructions re-recorded one by one at the end of a replay. */
  replayTail?: number;
}

export type StopKind =
  | "start"
  | "step"
  | "breakpoint"
  | "return"
  | "exit"
  | "fault"
  | "limit"
  | "halted"
  | "reverse"
  | "history-start";

export interface Stop {
  kind: StopKind;
  message: string;
  /** The command broke the calling convention (the message says how). */
  violation?: boolean;
}

export interface OutputChunk {
  fd: number;
  text: string;
}

export type SyscallRecord = SyscallEvent & { step: number };

export type Command = "step" | "next" | "finish" | "continue" | "break" | "reverse";

const MAPPING_SYSCALLS: Record<number, "range" | "fixed" | "brk"> = {
  9: "fixed", // mmap: only MAP_FIXED replaces existing pages
  11: "range", // munmap
  12: "brk",
  25: "range", // mremap
};
const MAP_FIXED = 0x10;
const MAP_FIXED_NOREPLACE = 0x100000;

export class StepSession {
  readonly machine: Machine;
  readonly kernel: unknown;
  readonly program: LoadedProgram;
  readonly view: ReturnType<typeof programView>;
  readonly tracker: CallTracker;
  /** The convention checker's call and return rules (alignment, callee-saved, stack balance, DF). */
  readonly checker: AbiChecker;
  readonly files: SandboxFiles;
  readonly history: History;
  readonly output: OutputChunk[] = [];
  readonly syscalls: SyscallRecord[] = [];
  stop: Stop = { kind: "start", message: "ready: s step · n next · c continue · ? help" };
  /** The registers before the last command (to show what changed). */
  before: MachineState;
  /** How many instructions the last command ran (negative for reverse). */
  lastDelta = 0;

  private readonly kernelState?: KernelState;
  private readonly runBudget: number;
  private readonly preciseLead: number;
  private readonly replayTail: number;
  private current: HistoryRecord | null = null;
  private detachWrites: (() => void) | null = null;
  private lastCheckpoint?: MemorySnapshot;
  private readonly writeObserver: MachineObserver;

  constructor(options: SessionOptions) {
    this.program = options.program;
    this.view = programView(options.program);
    this.runBudget = options.runBudget ?? 200_000_000;
    this.preciseLead = options.preciseLead ?? 2_000;
    this.replayTail = options.replayTail ?? 5_000;
    this.history = new History(Math.max(10_000, options.historySteps ?? 20_000));
    const decoders = [new TextDecoder(), new TextDecoder()];
    const sink = (fd: number) => (bytes: Uint8Array) => {
      const text = decoders[fd - 1].decode(bytes, { stream: true });
      if (text) this.output.push({ fd, text });
    };
    const proc = options.spawn({ stdout: sink(1), stderr: sink(2) });
    this.machine = proc.machine;
    this.kernel = proc.kernel;
    this.kernelState = options.kernelState?.(proc.kernel);
    this.files = new SandboxFiles(options.sandboxDir);
    this.tracker = new CallTracker(this.machine);
    const machine = this.machine;
    machine.addObserver(this.tracker);
    const view = this.view;
    this.checker = new AbiChecker(machine, {
      conventionOf: (t, site) => view.conventionOf(t, site),
      nameOf: (a) => view.nameOf(a),
    });
    machine.addObserver(this.checker.callsOnly());
    machine.addObserver({
      onSyscall: (e) => {
        this.syscalls.push({ ...e, step: machine.steps });
        this.files.onSyscall(e, machine);
      },
    });
    this.writeObserver = {
      onMemoryWrite: (address, size) => {
        const r = this.current;
        if (r?.kind !== "step") return;
        try {
          r.writes.push({ address, bytes: machine.memory.readBytes(address, size) });
        } catch {
          // the write will fault
        }
      },
    };
    const inner = machine.syscallHandler;
    machine.syscallHandler = {
      handle: (m) => {
        this.beforeSyscall();
        return inner ? inner.handle(m) : -38n;
      },
      nameOf: inner?.nameOf ? (n) => inner.nameOf!(n) : undefined,
    };
    for (const name of options.breakpoints ?? []) machine.addBreakpoint(this.resolve(name));
    this.before = machine.saveState();
  }

  // ---------------------------------------------------------------- commands

  run(command: Command): Stop {
    this.before = this.machine.saveState();
    const steps = this.machine.steps;
    const violations = this.checker.violations.length;
    switch (command) {
      case "step":
        this.stop = this.step();
        break;
      case "next":
        this.stop = this.next();
        break;
      case "finish":
        this.stop = this.finish();
        break;
      case "continue":
        this.stop = this.continue();
        break;
      case "break":
        this.stop = this.toggleBreakpoint();
        break;
      case "reverse":
        this.stop = this.reverse();
        break;
    }
    this.lastDelta = this.machine.steps - steps;
    const found = this.checker.violations.length - violations;
    if (found > 0) {
      const v = this.checker.violations[this.checker.violations.length - 1];
      this.stop = {
        ...this.stop,
        violation: true,
        message: `${this.stop.message} · ✗ ${found > 1 ? `${found} violations, last: ` : ""}${v.rule} at ${this.view.nameOf(v.address)}: ${v.message}`,
      };
    }
    return this.stop;
  }

  step(): Stop {
    if (this.machine.exited !== null) return this.exitedStop();
    this.attachWrites();
    try {
      return this.describe(this.stepOne(), "step");
    } finally {
      this.detachWrites?.();
      this.detachWrites = null;
    }
  }

  /** Step over a call: run until it returns (or a breakpoint, exit, fault). */
  next(): Stop {
    if (this.machine.exited !== null) return this.exitedStop();
    const ins = decodeAt(this.machine.memory, this.machine.rip, this.view);
    if (!ins?.isCall) return this.step();
    return this.describe(this.runFor({ haltBelowDepth: this.tracker.depth + 1 }), "next");
  }

  /** Run until the current function returns. */
  finish(): Stop {
    if (this.machine.exited !== null) return this.exitedStop();
    const depth = this.tracker.depth;
    return this.describe(this.runFor({ haltBelowDepth: depth > 0 ? depth : undefined }), "finish");
  }

  continue(): Stop {
    if (this.machine.exited !== null) return this.exitedStop();
    return this.describe(this.runFor({}), "continue");
  }

  toggleBreakpoint(address = this.machine.rip): Stop {
    const m = this.machine;
    const name = this.view.nameOf(address);
    if (m.breakpoints.has(address)) {
      m.removeBreakpoint(address);
      return { kind: "step", message: `breakpoint at ${name} removed` };
    }
    m.addBreakpoint(address);
    return { kind: "step", message: `breakpoint set at ${name}` };
  }

  /** One instruction back: the whole machine, memory, files and output as they were. */
  reverse(): Stop {
    const r = this.history.pop();
    if (!r)
      return { kind: "history-start", message: "at the start of the recorded history: nothing to reverse" };
    this.undo(r);
    if (r.kind === "span" && r.steps > 1) this.replay(r.steps - 1);
    return {
      kind: "reverse",
      message: `reversed 1 instruction (to step ${this.machine.steps.toLocaleString("en-US")})`,
    };
  }

  /** Breakpoint address for a symbol or a Scheme procedure name. */
  resolve(name: string): number {
    const symbols = this.program.image.symbols;
    const exact = symbols.find((s) => s.name === name && s.kind !== "object");
    if (exact) return exact.address;
    for (const [label, scheme] of this.program.compiled?.procedures ?? [])
      if (scheme === name) {
        const s = symbols.find((x) => x.name === label);
        if (s) return s.address;
      }
    if (/^0x[0-9a-f]+$/i.test(name)) return Number(name);
    const near = symbols
      .filter((s) => s.kind !== "object" && s.name.includes(name))
      .slice(0, 5)
      .map((s) => s.name);
    throw new UserInputError(
      `abi-lab step: --break ${name}: no such symbol${near.length ? ` (did you mean ${near.join(", ")}?)` : ""}`,
    );
  }

  // ---------------------------------------------------------------- execution

  private exitedStop(): Stop {
    return {
      kind: "exit",
      message: `the program has exited (code ${this.machine.exited}); r steps back`,
    };
  }

  private attachWrites(): void {
    this.detachWrites ??= this.machine.addObserver(this.writeObserver);
  }

  private mark(): Mark {
    return {
      outputLength: this.output.length,
      syscallLength: this.syscalls.length,
      calls: this.tracker.state,
      files: this.files.state,
      checker: this.checker.snapshot(),
    };
  }

  private restoreMark(m: Mark): void {
    this.output.length = m.outputLength;
    this.syscalls.length = m.syscallLength;
    this.tracker.state = m.calls;
    this.files.state = m.files;
    this.checker.restore(m.checker);
  }

  /** One instruction, recorded exactly (the write observer must be attached). */
  private stepOne(): StopReason | undefined {
    const m = this.machine;
    const rec: StepRecord = {
      kind: "step",
      cpu: m.saveState(),
      extras: saveExtras(m),
      mark: this.mark(),
      files: [],
      writes: [],
      ranges: [],
    };
    this.current = rec;
    let stop: StopReason | undefined;
    try {
      stop = m.step();
    } finally {
      this.current = null;
    }
    if (m.steps !== rec.cpu.steps || m.rip !== rec.cpu.rip || rec.writes.length > 0 || rec.files.length > 0)
      this.history.push(rec);
    return stop;
  }

  /**
   * Runs until a stop: first `preciseLead` instructions recorded one by one, then full speed.
   * `haltBelowDepth`: stop when the call depth drops below it. `breakpoints`: stop at them.
   */
  private runFor(options: { haltBelowDepth?: number; breakpoints?: boolean; budget?: number }): StopReason {
    const m = this.machine;
    const budget = options.budget ?? this.runBudget;
    const useBreakpoints = options.breakpoints ?? true;
    const below = options.haltBelowDepth;
    let done = 0;
    this.attachWrites();
    try {
      while (done < Math.min(this.preciseLead, budget)) {
        const stop = this.stepOne();
        done++;
        if (stop) return stop;
        if (below !== undefined && this.tracker.depth < below) return { kind: "halted", reason: "return" };
        if (useBreakpoints && m.breakpoints.has(m.rip)) return { kind: "breakpoint", rip: m.rip };
      }
    } finally {
      this.detachWrites?.();
      this.detachWrites = null;
    }
    if (done >= budget) return { kind: "step-limit", steps: m.steps };
    return this.runSpan(budget - done, below, useBreakpoints);
  }

  /** Full speed from a checkpoint: one span record. */
  private runSpan(maxSteps: number, haltBelowDepth: number | undefined, useBreakpoints: boolean): StopReason {
    const m = this.machine;
    const memory = captureMemory(m.memory, this.lastCheckpoint);
    this.lastCheckpoint = memory;
    const rec: SpanRecord = {
      kind: "span",
      steps: 0,
      cpu: m.saveState(),
      extras: saveExtras(m),
      mark: this.mark(),
      files: [],
      memory,
      kernel: this.kernelState?.save(),
    };
    const removed = useBreakpoints ? [] : [...m.breakpoints];
    for (const b of removed) m.removeBreakpoint(b);
    this.tracker.haltBelowDepth = haltBelowDepth ?? null;
    this.current = rec;
    let stop: StopReason;
    try {
      // run(n) may stop a fused compare-and-branch short of n: go on to exactly n.
      const target = m.steps + maxSteps;
      let from: number;
      do {
        from = m.steps;
        stop = m.run(target - m.steps);
      } while (stop.kind === "step-limit" && m.steps < target && m.steps > from);
    } finally {
      this.current = null;
      this.tracker.haltBelowDepth = null;
      for (const b of removed) m.addBreakpoint(b);
    }
    // A halt requested by the last instruction but not reported must not stop the next run.
    const extras = saveExtras(m);
    if (stop.kind !== "halted" && extras.pending?.kind === "halted")
      restoreExtras(m, { ...extras, pending: null });
    rec.steps = m.steps - rec.cpu.steps;
    if (rec.steps > 0 || rec.files.length > 0) this.history.push(rec);
    return stop;
  }

  /** Called by the syscall handler wrapper before the kernel runs: save what the syscall may change. */
  private beforeSyscall(): void {
    const rec = this.current;
    if (!rec) return;
    const m = this.machine;
    if (this.kernelState && rec.kernel === undefined) rec.kernel = this.kernelState.save();
    rec.files.push(...this.files.beforeSyscall(m));
    if (rec.kind !== "step") return;
    const n = Number(m.getRegister("rax"));
    const addr = Number(m.getRegister("rdi"));
    const len = Number(m.getRegister("rsi"));
    const how = MAPPING_SYSCALLS[n];
    const flags = Number(m.getRegister("r10"));
    if (how === "range" || (how === "fixed" && (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) !== 0))
      rec.ranges.push(captureRange(m.memory, addr, len));
    else if (how === "brk") rec.ranges.push(captureRange(m.memory, addr, 1 << 30));
    else rec.ranges.push(captureRange(m.memory, 0, 0)); // the mappings only (an mmap adds one)
  }

  private undo(r: HistoryRecord): void {
    undoRecord(this.machine, r, this.kernelState);
    this.restoreMark(r.mark);
  }

  /** Re-executes n instructions from the current state (no breakpoints, no halts). */
  private replay(n: number): void {
    const tail = Math.min(n, this.replayTail);
    if (n > tail) {
      const stop = this.runSpan(n - tail, undefined, false);
      if (stop.kind !== "step-limit") return;
    }
    this.attachWrites();
    try {
      for (let i = 0; i < tail; i++) if (this.stepOne()) return;
    } finally {
      this.detachWrites?.();
      this.detachWrites = null;
    }
  }

  private describe(stop: StopReason | undefined, command: string): Stop {
    const m = this.machine;
    const where = this.view.nameOf(m.rip);
    if (!stop) return { kind: "step", message: `${command}: at ${where}` };
    switch (stop.kind) {
      case "exit":
        return { kind: "exit", message: `the program exited with code ${stop.code}; r steps back` };
      case "fault":
        return {
          kind: "fault",
          message: `${stop.fault.signal} at ${this.view.nameOf(stop.fault.rip)}: ${stop.fault.reason}`,
        };
      case "breakpoint":
        return { kind: "breakpoint", message: `breakpoint at ${where}` };
      case "halted":
        return stop.reason === "return"
          ? { kind: "return", message: `${command}: returned to ${where}` }
          : { kind: "halted", message: `stopped: ${stop.reason}` };
      case "blocked":
        return { kind: "halted", message: `${command}: the program waits for input at ${where}` };
      case "step-limit":
        return {
          kind: "limit",
          message: `${command}: paused after ${this.lastRunLength().toLocaleString("en-US")} instructions at ${where}; c goes on`,
        };
    }
  }

  private lastRunLength(): number {
    return this.machine.steps - this.before.steps;
  }
}
