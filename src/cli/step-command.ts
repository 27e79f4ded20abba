import { mkdirSync, mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { UserInputError } from "../diagnostics.js";
import { loadProgram } from "../pipeline/load-program.js";
import { envOption, oneFile, parseCommand } from "./args.js";

/**
 * `abi-lab step FILE [--break SYMBOL]... [--no-align] [--sandbox DIR] [--env K=V]... [-- ARGS...]`:
 * the full-screen terminal stepper. It needs a terminal; scripts use `abi-lab trace`.
 */
export async function stepCommand(argv: string[]): Promise<number> {
  const { values, positionals, rest } = parseCommand("step", argv, {
    break: { type: "string", multiple: true },
    sandbox: { type: "string" },
    env: { type: "string", multiple: true },
    "no-align": { type: "boolean" },
  });
  const file = oneFile("step", positionals);
  if (!process.stdin.isTTY || !process.stdout.isTTY || typeof process.stdin.setRawMode !== "function") {
    process.stderr.write(
      `abi-lab step: the stepper needs an interactive terminal (stdin and stdout must be a TTY).\n` +
        `For scripts, CI and autograders use: abi-lab trace ${file} [--json]\n`,
    );
    return 2;
  }
  const program = await loadProgram(file, { align: !values["no-align"] });
  const sandboxDir = prepareSandbox(values.sandbox as string | undefined);
  // ink prints only the last frame when it believes it runs in CI; the stepper is interactive.
  if (process.env.CI !== undefined) process.env.CI = "false";
  if (process.env.CONTINUOUS_INTEGRATION !== undefined) process.env.CONTINUOUS_INTEGRATION = "false";
  const { openSession } = await import("../tui/open-session.js");
  const { runStepper } = await import("../tui/run-stepper.js");
  const session = openSession(program, {
    sandboxDir,
    args: rest,
    env: envOption("step", values.env),
    breakpoints: (values.break as string[] | undefined) ?? [],
  });
  await runStepper(session);
  process.stderr.write(`abi-lab step: the sandbox (the guest's /) was ${sandboxDir}\n`);
  return 0;
}

function prepareSandbox(dir: string | undefined): string {
  if (dir === undefined) return mkdtempSync(join(tmpdir(), "abi-lab-"));
  const path = resolve(dir);
  try {
    mkdirSync(path, { recursive: true });
    if (!statSync(path).isDirectory()) throw new Error("not a directory");
  } catch (e) {
    throw new UserInputError(
      `abi-lab step: --sandbox ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  return path;
}
