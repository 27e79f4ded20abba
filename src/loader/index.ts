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

/**
 * A machine with the image loaded and a Linux kernel over the sandbox: ready to run. Its
 * instructions decoded by earlier runs come from the object cache.
 */
export function createProcess(options: ProcessOptions): { machine: Machine; kernel: LinuxKernel } {
  const machine = new Machine(options.memoryLimit ? { limitBytes: options.memoryLimit } : {});
  machine.cache.known = knownInstructionsFor(options.image.segments);
  let brk: number;
  try {
    ({ brk } = loadImage(machine, options.image, { argv: options.argv, env: options.env }));
  } catch (e) {
    if (!(e instanceof MemoryLimitError)) throw e;
    throw new ProgramTooLargeError(options.argv[0], e.limitBytes);
  }
  const kernel = new LinuxKernel({
    sandboxDir: options.sandboxDir,
    stdout: options.stdout,
    stderr: options.stderr,
    stdin: options.stdin,
    limits: options.limits,
    brk,
  });
  machine.syscallHandler = kernel;
  return { machine, kernel };
}
