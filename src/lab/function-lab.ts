import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AbiChecker, type Violation } from "../abi/checker.js";
import { SYSTEM_V, type CallingConvention } from "../abi/conventions.js";
import { Perm, type GpRegister, type MachineObserver, type StopReason } from "../emulator/types.js";
import type { Machine } from "../emulator/index.js";
import { linkProgram, type Image } from "../linker/index.js";
import { createKernel, loadProcess, type KernelSetup } from "../loader/index.js";
import { DebugInfo } from "../pipeline/debug-info.js";
import { formatFaultReport } from "../pipeline/fault-report.js";
import { runtimeArchiveBytes } from "../pipeline/load-program.js";
import { ReusableProcess } from "./reusable-process.js";

/** Where a called function returns to: a page of `ud2` that is never executed (a breakpoint stops first). */
const RETURN_PAD = 0x10000;
/** Values the callee-saved registers hold before a call, so a clobber shows. */
const CANARIES: Partial<Record<GpRegister, bigint>> = {
  rbx: 0x1b1b1b1b1b1b1b1bn,
  rbp: 0x7ffe00b0b0b0b0n,
  r12: 0x1212121212121212n,
  r13: 0x1313131313131313n,
  r14: 0x1414141414141414n,
  r15: 0x1515151515151515n,
};

export interface CallOptions {
  /** Instruction budget for the call (default 10 million). */
  maxSteps?: number;
  observers?: MachineObserver[];
  /** Observers that need the machine (e.g. to change registers): called once it exists, before the call. */
  attach?: (machine: Machine) => MachineObserver[];
  /** Check the System V convention on this call and on every call it makes (default true). */
  check?: boolean;
  /** Convention of the calls the function makes (default: System V for all). */
  conventionOf?: (target: number, callSite: number) => CallingConvention | undefined;
  /** Extra bytes on the stack after the arguments (e.g. a caller-provided red zone test). */
  sandboxDir?: string;
  /** rsp at entry is 8 mod 16 as System V promises; set to false to call with rsp misaligned. */
  alignedEntry?: boolean;
  /**
   * Run the call in the lab's one process, put back as it was after loading (reusable-process.ts),
   * instead of a new process: the call sees the same, and starts much faster. The result's machine
   * is then the lab's: it changes at the next such call. It runs with a memory-write observer
   * (the precise loop), as it does anyway when the convention is checked.
   */
  reuseProcess?: boolean;
  /**
   * After a call that returned, write out the runtime's buffered output (rt_flush_all), so that
   * stdout holds everything the call printed (default true). Its instructions count in `steps`.
   */
  flush?: boolean;
}

export interface CallResult {
  /** The function returned to its caller. */
  returned: boolean;
  rax: bigint;
  rdx: bigint;
  stop: StopReason;
  violations: Violation[];
  stdout: string;
  stderr: string;
  steps: number;
  /** For a fault or a limit: what happened, with a backtrace. */
  report?: string;
  machine: Machine;
}

/**
 * A library of functions (a `.s` file, or compiled code) loaded once and called with
 * arguments, as a C caller would: the library API for teachers' property tests and the grader.
 */
export class FunctionLab {
  readonly debug: DebugInfo;
  private readonly reused = new ReusableProcess(() => this.load());

  private constructor(
    readonly image: Image,
    readonly file: string,
  ) {
    this.debug = new DebugInfo(image);
  }

  /** Assemble and link a `.s` file (Intel or AT&T) with runtime-rs, without an entry point. */
  static async fromAssembly(source: string, file = "functions.s"): Promise<FunctionLab> {
    const image = await linkProgram({
      programSource: source,
      programFile: file,
      archives: [{ path: "runtime-rs/dist/libabi_runtime.a", bytes: runtimeArchiveBytes() }],
      entry: null,
      require: ["rt_flush_all"],
      guard: true,
    });
    return new FunctionLab(image, file);
  }

  /** The address of a function, or undefined. */
  addressOf(name: string): number | undefined {
    return this.image.symbols.find((s) => s.name === name)?.address;
  }

  /** Call `name` with integer/pointer arguments (System V: six in registers, the rest on the stack). */
  call(name: string, args: readonly (bigint | number)[], options: CallOptions = {}): CallResult {
    const target = this.addressOf(name);
    if (target === undefined) throw new Error(`no function named ${name} in ${this.file}`);
    let stdout = "";
    let stderr = "";
    const decoder = new TextDecoder();
    const setup: KernelSetup = {
      sandboxDir: options.sandboxDir ?? mkdtempSync(join(tmpdir(), "abi-lab-call-")),
      stdout: (b) => (stdout += decoder.decode(b)),
      stderr: (b) => (stderr += decoder.decode(b)),
    };
    const { machine } = options.reuseProcess ? this.reused.acquire(setup) : this.newProcess(setup);
    const values = args.map((a) => BigInt.asUintN(64, BigInt(a)));
    const regs = SYSTEM_V.argumentRegisters;
    const stackArgs = values.slice(regs.length);
    // Lay out: [return address][arg 7][arg 8]... with rsp + 8 a multiple of 16 at entry.
    let top = Number(machine.getRegister("rsp")) - 0x1000;
    top -= top % 16;
    if (stackArgs.length % 2) top -= 8;
    const argBase = top - 8 * stackArgs.length;
    stackArgs.forEach((v, i) => machine.memory.write64(argBase + 8 * i, v));
    let entryRsp = argBase - 8;
    if (options.alignedEntry === false) entryRsp -= 8;
    machine.memory.write64(entryRsp, BigInt(RETURN_PAD));
    machine.setRegister("rsp", BigInt(entryRsp));
    values.slice(0, regs.length).forEach((v, i) => machine.setRegister(regs[i], v));
    machine.setRegister("rax", 0n);
    for (const [r, v] of Object.entries(CANARIES)) machine.setRegister(r as GpRegister, v);
    machine.rip = target;

    const violations: Violation[] = [];
    // The backtrace of a fault starts at this call.
    machine.shadow.clear();
    if (options.check !== false) {
      const checker = new AbiChecker(machine, {
        conventionOf: options.conventionOf ?? (() => SYSTEM_V),
        nameOf: (a) => this.debug.nameOf(a),
        onViolation: (v) => violations.push(v),
      });
      machine.addObserver(checker);
      checker.onCall({ rip: RETURN_PAD, returnAddress: RETURN_PAD, target, rsp: entryRsp + 8 });
    }
    for (const o of options.observers ?? []) machine.addObserver(o);
    for (const o of options.attach?.(machine) ?? []) machine.addObserver(o);
    const stop = machine.run(options.maxSteps ?? 10_000_000);
    const returned = stop.kind === "breakpoint" && stop.rip === RETURN_PAD;
    const rax = machine.getRegister("rax");
    const rdx = machine.getRegister("rdx");
    if (returned && options.flush !== false) this.flush(machine);
    let report: string | undefined;
    if (stop.kind === "fault")
      report = formatFaultReport(stop.fault, machine, this.debug, machine.shadow.list);
    else if (stop.kind === "step-limit")
      report = `stopped after ${machine.steps.toLocaleString("en-US")} instructions (an infinite loop?) in ${this.debug.nameOf(machine.rip)}`;
    else if (stop.kind === "halted") report = `stopped: ${stop.reason}`;
    else if (stop.kind === "exit")
      report = `the program exited with status ${stop.code} instead of returning`;
    return { returned, rax, rdx, stop, violations, stdout, stderr, steps: machine.steps, report, machine };
  }

  private newProcess(setup: KernelSetup): { machine: Machine } {
    const { machine, brk } = this.load();
    machine.syscallHandler = createKernel(setup, brk);
    return { machine };
  }

  /** A process with the library loaded and the return pad mapped, without a kernel. */
  private load(): { machine: Machine; brk: number } {
    const { machine, brk } = loadProcess({ image: this.image, argv: [this.file], env: [] });
    machine.memory.map(RETURN_PAD, 0x1000, Perm.read | Perm.exec, "return pad");
    machine.memory.writeBytes(RETURN_PAD, new Uint8Array([0x0f, 0x0b]));
    machine.addBreakpoint(RETURN_PAD);
    return { machine, brk };
  }

  /** Write out the runtime's buffered output after a call. */
  private flush(machine: Machine): void {
    const flush = this.addressOf("rt_flush_all");
    if (flush === undefined) return;
    let rsp = Number(machine.getRegister("rsp"));
    rsp -= rsp % 16;
    rsp -= 8;
    machine.memory.write64(rsp, BigInt(RETURN_PAD));
    machine.setRegister("rsp", BigInt(rsp));
    machine.rip = flush;
    machine.run(1_000_000);
  }
}
