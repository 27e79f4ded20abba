import { partNames } from "./part-names.js";
import { DEFAULT_POINTS, fail, summarize, type GradeReport, type TestResult } from "./report.js";
import type { Exercise } from "./types.js";

/** Every test fails with the same message: the answer could not be assembled or linked. */
export function buildFailure(
  exercise: Exercise,
  base: Omit<GradeReport, "score" | "maxScore" | "passed" | "tests" | "executionTime">,
  message: string,
  started: number,
  numRuns = exercise.numRuns ?? 100,
): GradeReport {
  const points = { ...DEFAULT_POINTS, ...exercise.points };
  const names = partNames(exercise, numRuns, base.seed);
  const output = `the answer could not be built:\n${message}`;
  const tests: TestResult[] = [
    fail("edge-cases", names.edge, points["edge-cases"], output),
    fail("random-inputs", names.random, points["random-inputs"], output),
    fail("convention", names.convention, points.convention, output),
    ...(exercise.requirements ?? []).map((r) =>
      fail("requirements", names.requirement(r), r.points ?? 1, output),
    ),
  ];
  return { ...summarize(base, tests, started), buildError: message };
}
