import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { findExercise } from "../../src/exercises/catalog/index.js";
import type { GradeReport } from "../../src/exercises/report.js";
import type { Exercise } from "../../src/exercises/types.js";

const DIR = "tests/exercises";

/** The reference solution of an exercise (kept in the tests, not shipped). */
export function solutionOf(e: Exercise): { file: string; source: string } {
  const file = join(DIR, "solutions", `${e.id}.${e.kind === "scheme" ? "scm" : "s"}`);
  return { file, source: readFileSync(file, "utf8") };
}

export interface WrongAnswer {
  file: string;
  exercise: Exercise;
  source: string;
  /** From the file's first line `# expect: REASON`: a rule name, `wrong-result`, `crash` or `calls SYMBOL`. */
  expect: string;
}

/** Every plausible wrong answer: tests/exercises/wrong/ID--what.s (or .scm). */
export function wrongAnswers(): WrongAnswer[] {
  return readdirSync(join(DIR, "wrong"))
    .sort()
    .map((name) => {
      const file = join(DIR, "wrong", name);
      const id = name.split("--")[0];
      const exercise = findExercise(id);
      if (!exercise) throw new Error(`${file}: no exercise ${id}`);
      const source = readFileSync(file, "utf8");
      const expect = /^[#;]\s*expect:\s*(.+)$/m.exec(source)?.[1].trim();
      if (!expect) throw new Error(`${file}: no '# expect: REASON' line`);
      return { file, exercise, source, expect };
    });
}

/** Whether a failed report names `reason` as the cause. */
export function failsFor(report: GradeReport, reason: string): boolean {
  const failed = report.tests.filter((t) => !t.passed);
  if (reason === "wrong-result" || reason === "crash") {
    return failed.some(
      (t) =>
        (t.kind === "edge-cases" || t.kind === "random-inputs") &&
        /expected: /.test(t.output) &&
        (reason === "crash") === /killed by SIG/.test(t.output),
    );
  }
  return failed.some((t) => t.failure?.rule === reason);
}
