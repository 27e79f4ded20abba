import { createProcess } from "../loader/index.js";
import type { Machine } from "../emulator/index.js";
import type { MachineObserver, StopReason } from "../emulator/types.js";
import type { BlockingInput, GuestInput } from "../syscalls/guest-input.js";
import { formatBytes, type LinuxKernel } from "../syscalls/kernel.js";
import { exitStatusForSignal, formatFaultReport, formatStopReport, signalName } from "./fault-report.js";
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
  /** The guest's stdin (default: the host's fd 0, read synchronously). */
  stdin?: BlockingInput;
  observers?: MachineObserver[];
  /** Observers that need the machine: called once it exists, before the run. */
  attach?: (machine: Machine) => MachineObserver[];
}

export interface SlicedRunOptions extends Omit<RunOptions, "stdin"> {
  /** A stdin with nothing to read yet stops the guest at its read, until `readable()` (or Ctrl-C, the timeout). */
  stdin?: GuestInput;
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
  /** The resource limit the report speaks of, if any (a front end may say how to change it). */
  limit?: ResourceLimit;
  steps: number;
}

export type ResourceLimit = "steps" | "time" | "memory" | "output";

/** Exit status when a resource limit (steps, time, memory, output) stopped the guest. */
export const LIMIT_EXIT_STATUS = 124;
/** Exit status when the user interrupted the run (Ctrl-C), as a shell reports SIGINT. */
export const INTERRUPTED_EXIT_STATUS = 130;

/** Instructions in the first slice of a sliced run; later slices are sized to take about 20 ms. */
const SLICE_STEPS = 1_000_000;

interface Process {
  program: LoadedProgram;
  options: SlicedRunOptions;
  machine: Machine;
  kernel: LinuxKernel;
}

function start(program: LoadedProgram, options: SlicedRunOptions): Process {
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
  for (const o of options.observers ?? []) machine.addObserver(o);
  for (const o of options.attach?.(machine) ?? []) machine.addObserver(o);
  return { program, options, machine, kernel };
}

/** Emulate a loaded program to its end: exit, fault or limit. */
export function runProgram(program: LoadedProgram, options: RunOptions): RunResult {
  const p = start(program, options);
  return finish(p, p.machine.run(options.maxSteps ?? Infinity));
}

/**
 * Emulate a loaded program in slices, yielding to the event loop between them and while the guest
 * waits for input (a `stdin` read that has nothing yet): a wall-clock timeout and Ctrl-C
 * (`interrupt`) stop it where it is, with a report of where that was.
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
    if (stop.kind === "blocked") {
      // The guest waits for input: so does the run, with the event loop free (Ctrl-C, the deadline).
      await waitForInput(options.stdin, options.interrupt, deadline);
    } else {
      if (stop.kind !== "step-limit" || machine.steps >= limit) return finish(p, stop);
      // Aim at slices of about 20 ms, whatever the speed of the code (observers slow it down).
      const ms = performance.now() - t0;
      slice = Math.max(
        10_000,
        Math.min(SLICE_STEPS * 10, Math.round(slice * Math.min(4, 20 / Math.max(ms, 0.1)))),
      );
      await options.drain?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (options.interrupt?.aborted)
      return stopped(p, stop, INTERRUPTED_EXIT_STATUS, `abi-lab: interrupted (Ctrl-C) after {steps}`);
    if (Date.now() > deadline)
      return {
        ...stopped(
          p,
          stop,
          LIMIT_EXIT_STATUS,
          `abi-lab: stopped after {steps} by the time limit (${options.timeoutMs! / 1000} s)`,
        ),
        limit: "time",
      };
  }
}

/** Resolves once the input may be read, the run is interrupted or the deadline has passed. */
function waitForInput(input: GuestInput | undefined, interrupt: AbortSignal | undefined, deadline: number) {
  return new Promise<void>((resolve) => {
    if (interrupt?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      interrupt?.removeEventListener("abort", done);
      resolve();
    };
    // An input that cannot say when it is readable is asked again shortly.
    const timer = setTimeout(
      done,
      input?.readable
        ? Math.min(2 ** 31 - 1, deadline - Date.now() + 1)
        : Math.min(10, deadline - Date.now() + 1),
    );
    interrupt?.addEventListener("abort", done);
    input?.readable?.().then(done, done);
  });
}

function stopped(p: Process, stop: StopReason, exitCode: number, headline: string): RunResult {
  const steps = p.machine.steps;
  const report = formatStopReport(
    headline.replace("{steps}", `${steps.toLocaleString("en-US")} instructions`),
    p.machine,
    p.program.debug,
    p.machine.shadow.list,
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
          report: formatFaultReport(stop.fault, machine, program.debug, machine.shadow.list),
          steps,
        };
      case "step-limit":
        return {
          ...stopped(p, stop, LIMIT_EXIT_STATUS, `abi-lab: stopped after {steps} (the instruction limit)`),
          limit: "steps",
        };
      case "halted": {
        const signal = kernel.killedBy;
        if (signal !== undefined)
          return stopped(
            p,
            stop,
            128 + signal,
            `abi-lab: the program was killed by ${signalName(signal)} (signal ${signal}), which it sent itself` +
              (signal === 6 ? " (abort())" : ""),
          );
        const report = stopped(p, stop, LIMIT_EXIT_STATUS, `abi-lab: stopped after {steps}: ${stop.reason}`);
        return kernel.outputLimitHit ? { ...report, limit: "output" } : report;
      }
      case "breakpoint":
        return { stop, exitCode: 0, steps };
      case "blocked":
        throw new Error("internal error: a read waited for input in a run that cannot wait");
      default:
        return unreachable(stop);
    }
  })();
  return result.exitCode === 0 || result.limit !== undefined ? result : blameMemoryLimit(p, result);
}

/**
 * A program refused memory by the cap that then died (a fault, a signal it sent itself) most
 * likely died of it: that is a stop at a limit (124). One that exited with a status of its own
 * keeps it, with a note.
 */
function blameMemoryLimit({ kernel, machine }: Process, result: RunResult): RunResult {
  if (kernel.memoryRefusals === 0) return result;
  const died = result.stop.kind !== "exit";
  const note =
    `abi-lab: the guest memory limit (${formatBytes(machine.memory.limitBytes)}) refused ${kernel.memoryRefusals} ` +
    `request${kernel.memoryRefusals === 1 ? "" : "s"} for memory (the largest: ${formatBytes(kernel.largestRefused)}); ` +
    (died
      ? `the program died after that, most likely because of it`
      : `the program exited with status ${result.exitCode} after that`);
  return {
    ...result,
    exitCode: died ? LIMIT_EXIT_STATUS : result.exitCode,
    report: result.report ? `${result.report}\n${note}` : note,
    limit: "memory",
  };
}

function unreachable(x: never): never {
  throw new Error(`internal error: unexpected stop ${JSON.stringify(x)}`);
}
