import { knownInstructionsFor } from "../cache/decoded-instructions.js";
import { UserInputError } from "../diagnostics.js";
import { Machine, MemoryLimitError } from "../emulator/index.js";
import { LinuxKernel, type KernelOptions } from "../syscalls/kernel.js";
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
    const mib = (n: number) => `${Math.ceil(n / (1 << 20))} MiB`;
    throw new UserInputError(
      `${options.argv[0]}: the program does not fit in the guest memory limit of ${mib(e.limitBytes)}: ` +
        `its segments and stack need more (raise the limit with --max-memory)`,
    );
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
