import { gradeFunction } from "./function-grader.js";
import type { GradeOptions } from "./grading-start.js";
import type { GradeReport } from "./report.js";
import { gradeScheme } from "./scheme-grader.js";
import type { Exercise } from "./types.js";

export type { GradeOptions };

/** Grade an answer (the text of a `.s` or `.scm` file) to an exercise. */
export function gradeAnswer(
  exercise: Exercise,
  source: string,
  file: string,
  options: GradeOptions = {},
): Promise<GradeReport> {
  return exercise.kind === "scheme"
    ? gradeScheme(exercise, source, file, options)
    : gradeFunction(exercise, source, file, options);
}
