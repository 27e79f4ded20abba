import { prestartAssembler } from "../assembler/guarded-assembler.js";
import { setCacheDisabled } from "../cache/object-cache.js";
import { describeFailure, installCrashHandlers } from "./failure.js";

const USAGE = `abi-lab: a calling-convention lab — Scheme compiled to x86-64, linked with a Rust runtime, run on an emulator

usage:
  abi-lab run FILE [--sandbox DIR] [--max-steps N] [--max-memory SIZE] [--max-output SIZE]
               [--timeout SECONDS] [--env K=V]... [--check] [--no-align] [-- ARGS...]
        FILE is .scm, .s or a static x86-64 ELF executable; emulate it
        exit status: the guest's; 128+signal on a fault; 124 at a limit; 130 on Ctrl-C;
        2 for an input error; 70 for an abi-lab bug
  abi-lab compile FILE.scm -S [-o FILE.s] [--no-align]
        print (or write) the assembly
  abi-lab build FILE -o OUT [--no-align]
        write a static ELF executable that runs natively on Linux x86-64
  abi-lab trace FILE [--json] [--all] [--no-align] [--sandbox DIR] [--env K=V]... [-- ARGS...]
        every call, return and syscall with arguments decoded, alignment and callee-saved
        verdicts, and calling-convention violations; one event per line
        (--max-steps, --max-memory, --max-output, --timeout, Ctrl-C and exit status as for run)
  abi-lab step FILE [--break SYMBOL]... [--no-align] [--sandbox DIR]
        the full-screen stepper: call panel, registers, stack, reverse stepping
  abi-lab exercises [ID] [--start]
        list the exercises; show one (statement, signature, what is checked); --start writes its starter file
  abi-lab check FILE --exercise ID [--format text|json|junit|gradescope|tap] [--output FILE] [--seed N] [--runs N]
        grade an answer: random and edge-case inputs against a reference model, the convention at every call

  --debug  show internal stack traces (for bug reports)
  --no-cache  compile, assemble and link anew (or set ABI_LAB_NO_CACHE=1; the cache is in
        $XDG_CACHE_HOME/abi-lab or ~/.cache/abi-lab, or $ABI_LAB_CACHE_DIR)
`;

type Command = (argv: string[]) => Promise<number>;

/** Commands load their modules on demand: `compile` never pays for the emulator. */
const COMMANDS: Record<string, () => Promise<Command>> = {
  run: async () => (await import("./run-command.js")).runCommand,
  compile: async () => (await import("./compile-command.js")).compileCommand,
  build: async () => (await import("./build-command.js")).buildCommand,
  trace: async () => (await import("./trace-command.js")).traceCommand,
  step: async () => (await import("./step-command.js")).stepCommand,
  exercises: async () => (await import("./exercises-command.js")).exercisesCommand,
  check: async () => (await import("./check-command.js")).checkCommand,
};

/** The `abi-lab` command line. Returns the exit status. */
export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes("--debug");
  const end = argv.indexOf("--") >= 0 ? argv.indexOf("--") : argv.length;
  const noCache = argv.slice(0, end).includes("--no-cache");
  const args = argv.filter((a, i) => (a !== "--debug" && a !== "--no-cache") || i > end);
  const [name, ...rest] = args;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    process.stdout.write(USAGE);
    return name === undefined ? 2 : 0;
  }
  if (name === "--version") {
    process.stdout.write("abi-lab 0.1.0\n");
    return 0;
  }
  installCrashHandlers(debug);
  const load = COMMANDS[name];
  if (!load) {
    process.stderr.write(`abi-lab: unknown command '${name}'\n\n${USAGE}`);
    return 2;
  }
  // An assembly answer is assembled in a worker thread: started now, keystone's wasm compiles on
  // another core while the grader's modules load.
  if (name === "check" && !rest.some((a) => /\.(scm|ss|scheme)$/.test(a))) prestartAssembler();
  try {
    setCacheDisabled(noCache);
    const command = await load();
    return await command(rest);
  } catch (e) {
    const { status, text } = describeFailure(e, debug);
    process.stderr.write(text);
    return status;
  }
}
