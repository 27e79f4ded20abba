import type { Violation } from "../abi/checker.js";
import { SCRAMBLED, type ArgumentMismatch } from "./call-watch.js";
import type { Failure } from "./report.js";
import type { Expected, FunctionExercise } from "./types.js";

/** What one call of the answer did. */
export interface Outcome {
  returned: boolean;
  rax: bigint;
  rdx: bigint;
  stdout: string;
  /** Fault or step limit, as a report. */
  problem?: string;
  violations: Violation[];
  mismatches: ArgumentMismatch[];
  calls: Map<string, number>;
  scrambles: number;
}

/** Why an outcome is wrong (a fault, the step limit, or a wrong result), or undefined. */
export function resultProblem(
  exercise: FunctionExercise,
  args: readonly bigint[],
  o: Outcome,
  showArgs: (args: readonly bigint[]) => string,
  show: (v: bigint, r: "rax" | "rdx") => string,
): { text: string; failure: Failure } | undefined {
  const input = showArgs(args);
  const expected = exercise.expected(args);
  const scrambled =
    o.scrambles > 0
      ? `\nnote: after each call into the runtime (${o.scrambles} here) the grader overwrites the caller-saved registers ${SCRAMBLED.join(", ")}, as any callee may: a value kept in one of them across a call is lost`
      : "";
  if (!o.returned) {
    const text = o.problem ?? "the call did not return";
    return {
      text: `input:    ${input}\nexpected: ${describeExpected(exercise, expected, show)}\nactual:   ${text}${scrambled}`,
      failure: { input, expected: describeExpected(exercise, expected, show), actual: text },
    };
  }
  const wrong: string[] = [];
  const want: string[] = [];
  const names = exercise.resultNames ?? {};
  for (const r of ["rax", "rdx"] as const) {
    const e = expected[r];
    if (e === undefined) continue;
    const label = names[r] ? `${r} (${names[r]})` : r;
    want.push(`${label} = ${show(BigInt.asUintN(64, e), r)}`);
    if (BigInt.asUintN(64, e) !== BigInt.asUintN(64, o[r])) wrong.push(`${label} = ${show(o[r], r)}`);
  }
  if (expected.stdout !== undefined) {
    want.push(`output ${JSON.stringify(expected.stdout)}`);
    if (o.stdout !== expected.stdout)
      wrong.push(o.stdout ? `output ${JSON.stringify(o.stdout)}` : "no output (nothing written to stdout)");
  }
  if (wrong.length === 0) return undefined;
  const failure = { input, expected: want.join(", "), actual: wrong.join(", ") };
  return {
    text: `input:    ${input}\nexpected: ${failure.expected}\nactual:   ${failure.actual}${scrambled}`,
    failure,
  };
}

function describeExpected(
  exercise: FunctionExercise,
  expected: Expected,
  show: (v: bigint, r: "rax" | "rdx") => string,
): string {
  const parts: string[] = [];
  for (const r of ["rax", "rdx"] as const) {
    const e = expected[r];
    if (e === undefined) continue;
    const label = exercise.resultNames?.[r] ? `${r} (${exercise.resultNames[r]})` : r;
    parts.push(`${label} = ${show(BigInt.asUintN(64, e), r)}`);
  }
  if (expected.stdout !== undefined) parts.push(`output ${JSON.stringify(expected.stdout)}`);
  return `a return with ${parts.join(", ")}`;
}
