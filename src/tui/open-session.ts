import { createProcess } from "../loader/index.js";
import type { LoadedProgram } from "../pipeline/load-program.js";
import { kernelStateOf } from "./kernel-state.js";
import { StepSession, type SessionOptions } from "./session.js";

export interface OpenOptions extends Partial<Omit<SessionOptions, "program" | "spawn" | "sandboxDir">> {
  /** argv[1..]. */
  args?: string[];
  env?: Record<string, string>;
  sandboxDir: string;
}

/** A stepping session over a loaded program, in a fresh process over the sandbox. */
export function openSession(program: LoadedProgram, options: OpenOptions): StepSession {
  return new StepSession({
    kernelState: kernelStateOf,
    ...options,
    program,
    spawn: (io) =>
      createProcess({
        image: program.image,
        argv: [program.file, ...(options.args ?? [])],
        env: Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`),
        sandboxDir: options.sandboxDir,
        stdout: (bytes) => io.stdout(bytes),
        stderr: (bytes) => io.stderr(bytes),
        // The terminal belongs to the stepper: the guest reads end of file.
        stdin: { read: () => null },
      }),
  });
}
