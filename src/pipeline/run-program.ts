import { createProcess } from "../loader/index.js";
import type { Machine } from "../emulator/index.js";
import type { MachineObserver, StopReason } from "../emulator/types.js";
import { CallStack } from "./call-stack.js";
import { exitStatusForSignal, formatFaultReport } from "./fault-report.js";
import type { LoadedProgram } from "./load-program.js";

export interface RunOptions {
  /** argv[1..]; argv[0] is the program's name. */
  args?: string[];
  env?: Record<string, string>;
  sandboxDir: string;
  maxSteps?: number;
  memoryLimit?: number;
  stdout: (bytes: Uint8Array) => void;
  stderr: (bytes: Uint8Array) => void;
  stdin?: { read(max: number): Uint8Array | null };
  observers?: MachineObserver[];
  /** Observers that need the machine: called once it exists, before the run. */
  attach?: (machine: Machine) => MachineObserver[];
}

export interface RunResult {
  stop: StopReason;
  /** The process exit status abi-lab reports. */
  exitCode: number;
  /** For a fault or a limit: what to tell the user. */
  report?: string;
  steps: number;
}

/** Exit status when a resource limit stopped the guest. */
export const LIMIT_EXIT_STATUS = 124;

/** Emulate a loaded program to its end: exit, fault or limit. */
export function runProgram(program: LoadedProgram, options: RunOptions): RunResult {
  const { machine } = createProcess({
    image: program.image,
    argv: [program.file, ...(options.args ?? [])],
    env: Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`),
    sandboxDir: options.sandboxDir,
    stdout: options.stdout,
    stderr: options.stderr,
    stdin: options.stdin,
    memoryLimit: options.memoryLimit,
  });
  const stack = new CallStack();
  machine.addObserver(stack);
  for (const o of options.observers ?? []) machine.addObserver(o);
  for (const o of options.attach?.(machine) ?? []) machine.addObserver(o);
  const stop = machine.run(options.maxSteps ?? Infinity);
  const steps = machine.steps;
  switch (stop.kind) {
    case "exit":
      return { stop, exitCode: stop.code, steps };
    case "fault":
      return {
        stop,
        exitCode: exitStatusForSignal(stop.fault.signal),
        report: formatFaultReport(stop.fault, machine, program.debug, stack.frames),
        steps,
      };
    case "step-limit":
      return {
        stop,
        exitCode: LIMIT_EXIT_STATUS,
        report: `abi-lab: stopped after ${steps.toLocaleString("en-US")} instructions (the --max-steps limit) at ${program.debug.nameOf(machine.rip)}${where(program, machine.rip)}`,
        steps,
      };
    case "halted":
      return {
        stop,
        exitCode: LIMIT_EXIT_STATUS,
        report: `abi-lab: stopped: ${stop.reason} (at ${program.debug.nameOf(machine.rip)}${where(program, machine.rip)})`,
        steps,
      };
    case "breakpoint":
      return { stop, exitCode: 0, steps };
    default:
      return unreachable(stop);
  }
}

function unreachable(x: never): never {
  throw new Error(`internal error: unexpected stop ${JSON.stringify(x)}`);
}

function where(program: LoadedProgram, rip: number): string {
  const d = program.debug.describe(rip);
  return d ? `, ${d}` : "";
}
