import { knownInstructionsFor } from "../cache/decoded-instructions.js";
import { UserInputError } from "../diagnostics.js";
import { Machine, MemoryLimitError } from "../emulator/index.js";
import { LinuxKernel, formatBytes, type KernelOptions } from "../syscalls/kernel.js";
import { loadImage, type LoadableImage } from "./load-image.js";

export { loadImage, STACK_TOP, STACK_SIZE, type LoadableImage, type LoadOptions } from "./load-image.js";

export interface ProcessOptions {
  image: LoadableImage;
  argv: string[];
  /** "NAME=value" strings: the guest's whole environment. */
  env: string[];
  sandboxDir: string;
  stdout: KernelOptions["stdout"];
  stderr: KernelOptions["stderr"];
  stdin?: KernelOptions["stdin"];
  limits?: KernelOptions["limits"];
  /** Guest memory cap in bytes (default: the emulator's, 1 GiB). */
  memoryLimit?: number;
}

/** The program's segments and stack do not fit in the guest memory limit. */
export class ProgramTooLargeError extends UserInputError {
  constructor(
    file: string,
    readonly limitBytes: number,
  ) {
    super(
      `${file}: the program does not fit in the guest memory limit of ${formatBytes(limitBytes)}: ` +
        `its segments and stack need more`,
    );
  }
}

/** What a process's kernel needs: its sandbox and where its output goes. */
export type KernelSetup = Pick<ProcessOptions, "sandboxDir" | "stdout" | "stderr" | "stdin" | "limits">;

/**
 * A machine with the image loaded and a Linux kernel over the sandbox: ready to run. Its
 * instructions decoded by earlier runs come from the object cache.
 */
export function createProcess(options: ProcessOptions): { machine: Machine; kernel: LinuxKernel } {
  const { machine, brk } = loadProcess(options);
  const kernel = createKernel(options, brk);
  machine.syscallHandler = kernel;
  return { machine, kernel };
}

/** A machine with the image loaded (no kernel yet), and the initial program break. */
export function loadProcess(options: Pick<ProcessOptions, "image" | "argv" | "env" | "memoryLimit">): {
  machine: Machine;
  brk: number;
} {
  const machine = new Machine(options.memoryLimit ? { limitBytes: options.memoryLimit } : {});
  machine.cache.known = knownInstructionsFor(options.image.segments);
  try {
    const { brk } = loadImage(machine, options.image, { argv: options.argv, env: options.env });
    return { machine, brk };
  } catch (e) {
    if (!(e instanceof MemoryLimitError)) throw e;
    throw new ProgramTooLargeError(options.argv[0], e.limitBytes);
  }
}

/** A new kernel for a process whose program break starts at `brk` (no file open but stdin, stdout, stderr). */
export function createKernel(setup: KernelSetup, brk: number): LinuxKernel {
  return new LinuxKernel({
    sandboxDir: setup.sandboxDir,
    stdout: setup.stdout,
    stderr: setup.stderr,
    stdin: setup.stdin,
    limits: setup.limits,
    brk,
  });
}
