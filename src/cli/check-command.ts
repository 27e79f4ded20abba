import { writeFileSync } from "node:fs";
import { UserInputError } from "../diagnostics.js";
import { FORMATS, type FormatName } from "../exercises/formats/index.js";
import { gradeAnswer } from "../exercises/grade.js";
import { buildFailure } from "../exercises/build-failure.js";
import { DEFAULT_SEED } from "../exercises/grading-start.js";
import type { GradeReport } from "../exercises/report.js";
import { readUserFile } from "../pipeline/read-user-file.js";
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
  const output = values.output as string | undefined;
  let source: string;
  let report: GradeReport;
  try {
    source = readUserFile(file).toString("utf8");
    report = await gradeAnswer(exercise, source, file, { seed, numRuns });
  } catch (e) {
    // An autograder still gets a report (every part failed, with the reason) for a missing answer.
    if (!(e instanceof UserInputError) || !output || format === "text") throw e;
    report = buildFailure(
      exercise,
      { exercise: exercise.id, title: exercise.title, file, seed: seed ?? DEFAULT_SEED, runs: 0 },
      e.format(),
      performance.now(),
      numRuns,
    );
    writeReport(output, FORMATS[format as FormatName](report));
    throw e;
  }
  const text = FORMATS[format as FormatName](report);
  if (output) {
    writeReport(output, text);
    process.stderr.write(
      `abi-lab check: ${exercise.id}: ${report.score}/${report.maxScore}${report.passed ? " (all passed)" : ""}; ${format} report written to ${output}\n`,
    );
  } else process.stdout.write(text);
  return report.passed ? 0 : 1;
}

function writeReport(output: string, text: string): void {
  try {
    writeFileSync(output, text);
  } catch (e) {
    throw new UserInputError(
      `abi-lab check: cannot write '${output}': ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
    );
  }
}
