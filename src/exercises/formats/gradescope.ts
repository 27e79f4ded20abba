import type { GradeReport } from "../report.js";

/** Gradescope's autograder `results.json` (docs/exercises.md and docs/gradescope-results.schema.json). */
export interface GradescopeResults {
  score: number;
  execution_time: number;
  output: string;
  tests: {
    name: string;
    score: number;
    max_score: number;
    status: "passed" | "failed";
    output: string;
    visibility: "visible";
  }[];
}

export function gradescopeResults(r: GradeReport): GradescopeResults {
  return {
    score: r.score,
    execution_time: r.executionTime,
    output: `${r.exercise}: ${r.score}/${r.maxScore}${r.buildError ? `\nthe answer could not be built:\n${r.buildError}` : ""}`,
    tests: r.tests.map((t) => ({
      name: t.name,
      score: t.score,
      max_score: t.maxScore,
      status: t.passed ? "passed" : "failed",
      output: t.output,
      visibility: "visible",
    })),
  };
}

export function formatGradescope(r: GradeReport): string {
  return JSON.stringify(gradescopeResults(r), null, 2) + "\n";
}
