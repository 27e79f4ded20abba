import { createProcess } from "../loader/index.js";
import type { Machine } from "../emulator/index.js";
import type { MachineObserver, StopReason } from "../emulator/types.js";
import { formatBytes, type LinuxKernel } from "../syscalls/kernel.js";
import { CallStack } from "./call-stack.js";
import { exitStatusForSignal, formatFaultReport, formatStopReport } from "./fault-report.js";
import type { LoadedProgram } from "./load-program.js";

export interface RunOptions {
  /** argv[1..]; argv[0] is the program's name. */
  args?: string[];
  env?: Record<string, string>;
  sandboxDir: string;
  maxSteps?: number;
  memoryLimit?: number;
  /** Bytes the guest may write in all (terminal and files); then it is stopped. */
  maxOutput?: number;
  /** Open file descriptors the guest may hold (more: EMFILE). */
  maxOpenFiles?: number;
  stdout: (bytes: Uint8Array) => void;
  stderr: (bytes: Uint8Array) => void;
  stdin?: { read(max: number): Uint8Array | null };
  observers?: MachineObserver[];
  /** Observers that need the machine: called once it exists, before the run. */
  attach?: (machine: Machine) => MachineObserver[];
}

export interface SlicedRunOptions extends RunOptions {
  /** Wall-clock limit in milliseconds. */
  timeoutMs?: number;
  /** When aborted (Ctrl-C), the guest is stopped where it is. */
  interrupt?: AbortSignal;
  /** Awaited between slices: e.g. until the terminal has taken the output written so far. */
  drain?: () => Promise<void> | undefined;
}

export interface RunResult {
  stop: StopReason;
  /** The process exit status abi-lab reports. */
  exitCode: number;
  /** For a fault, a limit or an interruption: what to tell the user. */
  report?: string;
  steps: number;
}

/** Exit status when a resource limit (steps, time, memory, output) stopped the guest. */
export const LIMIT_EXIT_STATUS = 124;
/** Exit status when the user interrupted the run (Ctrl-C), as a shell reports SIGINT. */
export const INTERRUPTED_EXIT_STATUS = 130;

/** Instructions in the first slice of a sliced run; later slices are sized to take about 20 ms. */
const SLICE_STEPS = 1_000_000;

const SIGNAL_NAMES: Record<number, string> = {
  1: "SIGHUP",
  2: "SIGINT",
  3: "SIGQUIT",
  4: "SIGILL",
  5: "SIGTRAP",
  6: "SIGABRT",
  7: "SIGBUS",
  8: "SIGFPE",
  9: "SIGKILL",
  10: "SIGUSR1",
  11: "SIGSEGV",
  12: "SIGUSR2",
  13: "SIGPIPE",
  14: "SIGALRM",
  15: "SIGTERM",
};

interface Process {
  program: LoadedProgram;
  options: RunOptions;
  machine: Machine;
  kernel: LinuxKernel;
  stack: CallStack;
}

function start(program: LoadedProgram, options: RunOptions): Process {
  const { machine, kernel } = createProcess({
    image: program.image,
    argv: [program.file, ...(options.args ?? [])],
    env: Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`),
    sandboxDir: options.sandboxDir,
    stdout: options.stdout,
    stderr: options.stderr,
    stdin: options.stdin,
    memoryLimit: options.memoryLimit,
    limits: { maxOutputBytes: options.maxOutput, maxOpenFiles: options.maxOpenFiles },
  });
  const stack = new CallStack();
  machine.addObserver(stack);
  for (const o of options.observers ?? []) machine.addObserver(o);
  for (const o of options.attach?.(machine) ?? []) machine.addObserver(o);
  return { program, options, machine, kernel, stack };
}

/** Emulate a loaded program to its end: exit, fault or limit. */
export function runProgram(program: LoadedProgram, options: RunOptions): RunResult {
  const p = start(program, options);
  return finish(p, p.machine.run(options.maxSteps ?? Infinity));
}

/**
 * Emulate a loaded program in slices, yielding to the event loop between them: a wall-clock
 * timeout and Ctrl-C (`interrupt`) stop it where it is, with a report of where that was.
 */
export async function runProgramSliced(
  program: LoadedProgram,
  options: SlicedRunOptions,
): Promise<RunResult> {
  const p = start(program, options);
  const { machine } = p;
  const deadline = options.timeoutMs !== undefined ? Date.now() + options.timeoutMs : Infinity;
  const limit = options.maxSteps ?? Infinity;
  let slice = SLICE_STEPS;
  for (;;) {
    const t0 = performance.now();
    const stop = machine.run(Math.min(slice, limit - machine.steps));
    // Aim at slices of about 20 ms, whatever the speed of the code (observers slow it down).
    const ms = performance.now() - t0;
    slice = Math.max(
      10_000,
      Math.min(SLICE_STEPS * 10, Math.round(slice * Math.min(4, 20 / Math.max(ms, 0.1)))),
    );
    if (stop.kind !== "step-limit" || machine.steps >= limit) return finish(p, stop);
    await options.drain?.();
    await new Promise((resolve) => setImmediate(resolve));
    if (options.interrupt?.aborted)
      return stopped(p, stop, INTERRUPTED_EXIT_STATUS, `abi-lab: interrupted (Ctrl-C) after {steps}`);
    if (Date.now() > deadline)
      return stopped(
        p,
        stop,
        LIMIT_EXIT_STATUS,
        `abi-lab: stopped after {steps} by the time limit (--timeout ${options.timeoutMs! / 1000} s)`,
      );
  }
}

function stopped(p: Process, stop: StopReason, exitCode: number, headline: string): RunResult {
  const steps = p.machine.steps;
  const report = formatStopReport(
    headline.replace("{steps}", `${steps.toLocaleString("en-US")} instructions`),
    p.machine,
    p.program.debug,
    p.stack.frames,
    stop.kind === "halted" ? (p.kernel.haltedAt ?? p.machine.rip) : p.machine.rip,
  );
  return { stop, exitCode, report, steps };
}

function finish(p: Process, stop: StopReason): RunResult {
  const { machine, kernel, program } = p;
  const steps = machine.steps;
  const result = ((): RunResult => {
    switch (stop.kind) {
      case "exit":
        return { stop, exitCode: stop.code, steps };
      case "fault":
        return {
          stop,
          exitCode: exitStatusForSignal(stop.fault.signal),
          report: formatFaultReport(stop.fault, machine, program.debug, p.stack.frames),
          steps,
        };
      case "step-limit":
        return stopped(p, stop, LIMIT_EXIT_STATUS, `abi-lab: stopped after {steps} (the --max-steps limit)`);
      case "halted": {
        const signal = kernel.killedBy;
        if (signal !== undefined) {
          const name = SIGNAL_NAMES[signal] ?? `signal ${signal}`;
          return stopped(
            p,
            stop,
            128 + signal,
            `abi-lab: the program was killed by ${name} (signal ${signal}), which it sent itself` +
              (signal === 6 ? " (abort())" : ""),
          );
        }
        return stopped(p, stop, LIMIT_EXIT_STATUS, `abi-lab: stopped after {steps}: ${stop.reason}`);
      }
      case "breakpoint":
        return { stop, exitCode: 0, steps };
      default:
        return unreachable(stop);
    }
  })();
  // A program that was refused memory and then failed most likely failed because of that.
  if (kernel.memoryRefusals > 0 && result.exitCode !== 0 && result.exitCode !== LIMIT_EXIT_STATUS) {
    const limit = formatBytes(machine.memory.limitBytes);
    const note =
      `abi-lab: the guest memory limit (${limit}, --max-memory) refused ${kernel.memoryRefusals} ` +
      `request${kernel.memoryRefusals === 1 ? "" : "s"} for memory (the largest: ${formatBytes(kernel.largestRefused)}); ` +
      `the program failed after that, most likely because of it`;
    return {
      ...result,
      exitCode: LIMIT_EXIT_STATUS,
      report: result.report ? `${result.report}\n${note}` : note,
    };
  }
  return result;
}

function unreachable(x: never): never {
  throw new Error(`internal error: unexpected stop ${JSON.stringify(x)}`);
}
