import { UserInputError } from "../diagnostics.js";
import { ProgramTooLargeError } from "../loader/index.js";
import type { LoadedProgram } from "../pipeline/load-program.js";
import {
  runProgramSliced,
  type ResourceLimit,
  type RunResult,
  type SlicedRunOptions,
} from "../pipeline/run-program.js";
import { HostStdin } from "../syscalls/guest-input.js";
import { integerOption, secondsOption, sizeOption, type Options } from "./args.js";

/** Default limits of `abi-lab run` and `abi-lab trace` (README, "Exit codes and limits"). */
export const RUN_LIMITS = { steps: 10_000_000_000, memory: 1 << 30, output: 1 << 30, openFiles: 256 };

/** The options that set the limits, for parseCommand. */
export const LIMIT_OPTIONS = {
  "max-steps": { type: "string" },
  "max-memory": { type: "string" },
  "max-output": { type: "string" },
  timeout: { type: "string" },
} as const satisfies Options;

/** How each limit is changed on the command line, for the reports. */
const LIMIT_FLAGS: Record<ResourceLimit, string> = {
  steps: "--max-steps N",
  time: "--timeout SECONDS",
  memory: "--max-memory SIZE",
  output: "--max-output SIZE",
};

type Limits = Pick<SlicedRunOptions, "maxSteps" | "memoryLimit" | "maxOutput" | "maxOpenFiles" | "timeoutMs">;

/** The limits a command line asks for (LIMIT_OPTIONS), the defaults for the others. */
export function limitsFrom(command: string, values: Record<string, unknown>): Limits {
  const timeout = secondsOption(command, "timeout", values.timeout);
  return {
    maxSteps: integerOption(command, "max-steps", values["max-steps"]) ?? RUN_LIMITS.steps,
    memoryLimit: sizeOption(command, "max-memory", values["max-memory"], "M") ?? RUN_LIMITS.memory,
    maxOutput: sizeOption(command, "max-output", values["max-output"], "M") ?? RUN_LIMITS.output,
    maxOpenFiles: RUN_LIMITS.openFiles,
    timeoutMs: timeout !== undefined ? timeout * 1000 : undefined,
  };
}

/**
 * Run a program for a command: in slices, so that Ctrl-C (130) and --timeout stop it where it is,
 * even while it waits for our stdin (its stdin); output held back while stdout is slow; a limit's
 * report says which flag changes it.
 */
export async function runFromCommandLine(
  program: LoadedProgram,
  options: Omit<SlicedRunOptions, "interrupt" | "drain" | "stdin">,
): Promise<RunResult> {
  const interrupt = new AbortController();
  const onSigint = () => interrupt.abort();
  process.on("SIGINT", onSigint);
  const stdin = new HostStdin();
  try {
    const result = await runProgramSliced(program, {
      ...options,
      stdin,
      interrupt: interrupt.signal,
      drain: drainStdout,
    });
    if (result.limit === undefined) return result;
    return {
      ...result,
      report: `${result.report}\nabi-lab: this limit is set with ${LIMIT_FLAGS[result.limit]}`,
    };
  } catch (e) {
    if (e instanceof ProgramTooLargeError)
      throw new UserInputError(`${e.message} (this limit is set with ${LIMIT_FLAGS.memory})`);
    throw e;
  } finally {
    process.off("SIGINT", onSigint);
    stdin.close();
  }
}

/** Wait while much guest output is still queued for a slow stdout (a pipe): memory stays bounded. */
function drainStdout(): Promise<void> | undefined {
  if (process.stdout.writableLength < 8 << 20) return undefined;
  return new Promise((resolve) => process.stdout.once("drain", () => resolve()));
}
