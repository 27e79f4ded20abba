import { writeFileSync } from "node:fs";
import { UserInputError } from "../diagnostics.js";
import { FORMATS, type FormatName } from "../exercises/formats/index.js";
import { gradeAnswer } from "../exercises/grade.js";
import { readUserFile } from "../pipeline/compile-file.js";
import { integerOption, oneFile, parseCommand } from "./args.js";
import { exerciseById } from "./exercises-command.js";

/** `abi-lab check FILE --exercise ID [--format text|json|junit|gradescope|tap] [--output FILE] [--seed N] [--runs N]` */
export async function checkCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand("check", argv, {
    exercise: { type: "string", short: "e" },
    format: { type: "string" },
    output: { type: "string", short: "o" },
    seed: { type: "string" },
    runs: { type: "string" },
  });
  const file = oneFile("check", positionals);
  const id = values.exercise as string | undefined;
  if (id === undefined)
    throw new UserInputError(
      "abi-lab check: which exercise? (abi-lab check FILE --exercise ID; abi-lab exercises lists them)",
    );
  const exercise = exerciseById("check", id);
  const format = (values.format as string | undefined) ?? "text";
  if (!(format in FORMATS))
    throw new UserInputError(
      `abi-lab check: --format expects one of ${Object.keys(FORMATS).join(", ")}, not '${format}'`,
    );
  const scheme = /\.(scm|ss|scheme)$/.test(file);
  if (exercise.kind === "scheme" && !scheme)
    throw new UserInputError(
      `abi-lab check: exercise ${exercise.id} is answered in Scheme (a .scm file), not ${file}`,
    );
  if (exercise.kind === "function" && scheme)
    throw new UserInputError(
      `abi-lab check: exercise ${exercise.id} is answered in assembly (a .s file), not ${file}`,
    );
  const seed = integerOption("check", "seed", values.seed, 0);
  const numRuns = integerOption("check", "runs", values.runs);
  const source = readUserFile(file).toString("utf8");
  const report = await gradeAnswer(exercise, source, file, { seed, numRuns });
  const text = FORMATS[format as FormatName](report);
  const output = values.output as string | undefined;
  if (output) {
    try {
      writeFileSync(output, text);
    } catch (e) {
      throw new UserInputError(
        `abi-lab check: cannot write '${output}': ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
      );
    }
    process.stderr.write(
      `abi-lab check: ${exercise.id}: ${report.score}/${report.maxScore}${report.passed ? " (all passed)" : ""}; ${format} report written to ${output}\n`,
    );
  } else process.stdout.write(text);
  return report.passed ? 0 : 1;
}
