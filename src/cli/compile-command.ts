import { writeFileSync } from "node:fs";
import { UserInputError } from "../diagnostics.js";
import { compileFile } from "../pipeline/compile-file.js";
import { oneFile, parseCommand } from "./args.js";

/** `abi-lab compile FILE.scm -S [-o FILE.s] [--no-align]` */
export function compileCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand("compile", argv, {
    S: { type: "boolean", short: "S" },
    output: { type: "string", short: "o" },
    "no-align": { type: "boolean" },
  });
  const file = oneFile("compile", positionals);
  if (!file.endsWith(".scm"))
    throw new UserInputError(`abi-lab compile: expected a .scm file, got '${file}'`);
  const compiled = compileFile(file, { align: !values["no-align"] });
  const out = values.output as string | undefined;
  if (out) {
    try {
      writeFileSync(out, compiled.assembly);
    } catch (e) {
      throw new UserInputError(
        `abi-lab compile: cannot write '${out}': ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
      );
    }
  } else {
    process.stdout.write(compiled.assembly);
  }
  return Promise.resolve(0);
}
