import { mkdirSync, mkdtempSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { UserInputError } from "../diagnostics.js";
import { loadProgram } from "../pipeline/load-program.js";
import { AbiChecker } from "../abi/checker.js";
import { programView } from "../pipeline/program-view.js";
import { envOption, oneFile, parseCommand } from "./args.js";
import { LIMIT_OPTIONS, limitsFrom, runFromCommandLine } from "./guest-run.js";

/**
 * `abi-lab run FILE [--sandbox DIR] [--max-steps N] [--max-memory SIZE] [--max-output SIZE]
 * [--timeout SECONDS] [--env K=V]... [--no-align] [-- ARGS...]`
 */
export async function runCommand(argv: string[]): Promise<number> {
  const { values, positionals, rest } = parseCommand("run", argv, {
    sandbox: { type: "string" },
    ...LIMIT_OPTIONS,
    env: { type: "string", multiple: true },
    "no-align": { type: "boolean" },
    check: { type: "boolean" },
    stats: { type: "boolean" },
  });
  const file = oneFile("run", positionals);
  const limits = limitsFrom("run", values);
  const env = envOption("run", values.env);
  const program = await loadProgram(file, { align: !values["no-align"] });
  const sandboxDir = prepareSandbox(values.sandbox as string | undefined);
  const fresh = values.sandbox === undefined;
  let violations = 0;
  if (fresh) process.stderr.write(`abi-lab: sandbox (the guest's /) is ${sandboxDir}\n`);
  const result = await runFromCommandLine(program, {
    args: rest,
    env,
    sandboxDir,
    ...limits,
    stdout: (b) => process.stdout.write(b),
    stderr: (b) => process.stderr.write(b),
    attach: values.check
      ? (machine) => {
          const view = programView(program);
          return [
            new AbiChecker(machine, {
              conventionOf: (t, site) => view.conventionOf(t, site),
              nameOf: (a) => view.nameOf(a),
              onViolation: (v) => {
                violations++;
                const src = view.sourceOf(v.address);
                process.stderr.write(
                  `abi-lab: convention violation (${v.rule}) at ${view.nameOf(v.address)}${src ? ` [${src.file}:${src.line}: ${src.text ?? ""}]` : ""}\n  ${v.message}\n`,
                );
              },
            }),
          ];
        }
      : undefined,
  });
  if (values.check)
    process.stderr.write(
      `abi-lab: --check: ${violations} calling-convention violation${violations === 1 ? "" : "s"}\n`,
    );
  if (result.report) process.stderr.write(result.report + "\n");
  if (values.stats) process.stderr.write(`abi-lab: ${result.steps} instructions emulated\n`);
  if (fresh) {
    const files = listFiles(sandboxDir, 20);
    if (files.length) process.stderr.write(`abi-lab: files in the sandbox: ${files.join(", ")}\n`);
  }
  return result.exitCode;
}

function prepareSandbox(dir: string | undefined): string {
  if (dir === undefined) return mkdtempSync(join(tmpdir(), "abi-lab-"));
  const path = resolve(dir);
  try {
    mkdirSync(path, { recursive: true });
    if (!statSync(path).isDirectory()) throw new Error("not a directory");
  } catch (e) {
    throw new UserInputError(
      `abi-lab run: --sandbox ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  return path;
}

/** Host paths of the regular files in dir (at most `max`). */
function listFiles(dir: string, max: number): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      if (out.length >= max) return;
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.isFile()) out.push(p);
    }
  };
  walk(dir);
  return out;
}
