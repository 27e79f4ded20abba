import type { TestKind } from "./types.js";

/** One graded part of an exercise: a test in JUnit, Gradescope and TAP terms. */
export interface TestResult {
  name: string;
  kind: TestKind;
  passed: boolean;
  score: number;
  maxScore: number;
  /** For a person: what was checked, or what went wrong (input, expected, actual, rule, instruction). */
  output: string;
  /** The failure as data (for `--format json`). */
  failure?: Failure;
}

export interface Failure {
  /** The input that failed (shrunk), as the call reads: `mul_add(1, 2, 3)`. */
  input?: string;
  expected?: string;
  actual?: string;
  /** The rule broken (a convention rule, or an exercise requirement's rule). */
  rule?: string;
  /** The instruction that broke it: `answer.s:12: call writeln`. */
  instruction?: string;
  /** How many times fast-check shrank the input. */
  shrinks?: number;
}

export interface GradeReport {
  exercise: string;
  title: string;
  file: string;
  tests: TestResult[];
  score: number;
  maxScore: number;
  passed: boolean;
  /** Seconds. */
  executionTime: number;
  /** The fast-check seed: the same seed gives the same inputs. */
  seed: number;
  /** Calls (or runs) made. */
  runs: number;
  /** Set when the answer could not be built (it is then the output of every test). */
  buildError?: string;
}

export function summarize(
  base: Omit<GradeReport, "score" | "maxScore" | "passed" | "tests" | "executionTime">,
  tests: TestResult[],
  started: number,
): GradeReport {
  return {
    ...base,
    tests,
    score: tests.reduce((n, t) => n + t.score, 0),
    maxScore: tests.reduce((n, t) => n + t.maxScore, 0),
    passed: tests.every((t) => t.passed),
    executionTime: Math.round(performance.now() - started) / 1000,
  };
}

export const DEFAULT_POINTS: Record<Exclude<TestKind, "requirements">, number> = {
  "edge-cases": 2,
  "random-inputs": 4,
  convention: 3,
};
