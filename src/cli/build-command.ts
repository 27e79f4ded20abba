import { chmodSync, writeFileSync } from "node:fs";
import { UserInputError } from "../diagnostics.js";
import { writeExecutable } from "../linker/index.js";
import { loadProgram } from "../pipeline/load-program.js";
import { oneFile, parseCommand } from "./args.js";

/** `abi-lab build FILE -o OUT [--no-align]`: a static ELF executable that runs natively. */
export async function buildCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand("build", argv, {
    output: { type: "string", short: "o" },
    "no-align": { type: "boolean" },
  });
  const file = oneFile("build", positionals);
  const out = values.output as string | undefined;
  if (!out) throw new UserInputError("abi-lab build: where to? (abi-lab build FILE -o OUT)");
  const program = await loadProgram(file, { align: !values["no-align"] });
  try {
    writeFileSync(out, writeExecutable(program.image));
    chmodSync(out, 0o755);
  } catch (e) {
    throw new UserInputError(
      `abi-lab build: cannot write '${out}': ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
    );
  }
  return 0;
}
