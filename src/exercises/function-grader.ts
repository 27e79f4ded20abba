import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import type { Violation } from "../abi/checker.js";
import { SYSTEM_V } from "../abi/conventions.js";
import { UserInputError } from "../diagnostics.js";
import { FunctionLab } from "../lab/function-lab.js";
import { CallWatch, SCRAMBLED, type ArgumentCheck, type ArgumentMismatch } from "./call-watch.js";
import { DEFAULT_POINTS, summarize, type Failure, type GradeReport, type TestResult } from "./report.js";
import type { Expected, FunctionExercise } from "./types.js";
import { ruleCounts, violationFailure, violationText } from "./violation-text.js";

export interface GradeOptions {
  /** fast-check seed (default: fixed, so that a grade is reproducible). */
  seed?: number;
  /** Random inputs per property (default: the exercise's, else 100). */
  numRuns?: number;
}

export const DEFAULT_SEED = 20_240_601;
const DEFAULT_MAX_STEPS = 200_000;

/** What one call of the answer did. */
interface Outcome {
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

const signed = (v: bigint) => BigInt.asIntN(64, v).toString();

/** Grade an assembly answer to a function exercise. */
export async function gradeFunction(
  exercise: FunctionExercise,
  source: string,
  file: string,
  options: GradeOptions = {},
): Promise<GradeReport> {
  const started = performance.now();
  const seed = options.seed ?? DEFAULT_SEED;
  const numRuns = options.numRuns ?? exercise.numRuns ?? 100;
  const base = { exercise: exercise.id, title: exercise.title, file, seed, runs: 0 };
  const answerLines = source.split("\n").length;
  const program = exercise.support
    ? `${source}\n.intel_syntax noprefix\n.text\n# --- exercise support code ---\n${exercise.support}\n`
    : source;
  let lab: FunctionLab;
  try {
    lab = await FunctionLab.fromAssembly(program, file);
  } catch (e) {
    if (!(e instanceof UserInputError)) throw e;
    return buildFailure(exercise, base, e.format(), started);
  }
  const problem = missingSymbols(exercise, lab);
  if (problem) return buildFailure(exercise, base, problem, started);

  const where = (address: number): string => {
    const name = lab.debug.nameOf(address);
    const line = lab.debug.asmLineAt(address);
    if (!line) return `${name} (in runtime-rs)`;
    if (line.line <= answerLines) return `${file}:${line.line}: ${line.text.trim()}  (${name})`;
    return `exercise support code: ${line.text.trim()}  (${name})`;
  };
  const isProgram = (a: number) => lab.debug.isProgram(a);
  const counted = new Map<number, string>();
  for (const r of exercise.requirements ?? []) counted.set(lab.addressOf(r.symbol)!, r.symbol);
  const sandboxDir = mkdtempSync(join(tmpdir(), "abi-lab-grade-"));
  const cache = new Map<string, Outcome>();
  const run = (args: readonly bigint[]): Outcome => {
    const key = args.join(",");
    const cached = cache.get(key);
    if (cached) return cached;
    const argumentChecks: ArgumentCheck[] = [];
    for (const r of exercise.requirements ?? [])
      if (r.kind === "argument")
        argumentChecks.push({
          address: lab.addressOf(r.symbol)!,
          symbol: r.symbol,
          register: r.register,
          bits: r.bits ?? 64,
          expected: r.expected(args),
          rule: r.rule,
        });
    let watch: CallWatch | undefined;
    const result = lab.call(exercise.entry ?? exercise.function, [...args], {
      maxSteps: exercise.maxSteps ?? DEFAULT_MAX_STEPS,
      sandboxDir,
      // Judge the border: calls made by the answer, and calls into it; the runtime's inner calls are rustc's.
      conventionOf: (target, site) => (isProgram(site) || isProgram(target) ? SYSTEM_V : undefined),
      attach: (machine) => {
        watch = new CallWatch(machine, { isProgram, counted, argumentChecks, scramble: true });
        return [watch];
      },
    });
    const outcome: Outcome = {
      returned: result.returned,
      rax: result.rax,
      rdx: result.rdx,
      stdout: result.stdout,
      problem: result.returned ? undefined : result.report,
      violations: result.violations,
      mismatches: watch!.mismatches,
      calls: watch!.calls,
      scrambles: watch!.scrambles,
    };
    cache.set(key, outcome);
    return outcome;
  };

  const showArgs = (args: readonly bigint[]) =>
    `${exercise.function}(${exercise.showArgs ? exercise.showArgs(args) : args.map(signed).join(", ")})`;
  const show = (v: bigint, r: "rax" | "rdx") => (exercise.showValue ? exercise.showValue(v, r) : signed(v));
  const points = { ...DEFAULT_POINTS, ...exercise.points };
  const tests: TestResult[] = [];
  try {
    // 1. Results on the fixed edge cases.
    {
      let failure: { text: string; failure: Failure } | undefined;
      let failing = 0;
      for (const args of exercise.edgeCases) {
        const wrong = resultProblem(exercise, args, run(args), showArgs, show);
        if (!wrong) continue;
        failing++;
        failure ??= wrong;
      }
      const n = exercise.edgeCases.length;
      tests.push(
        failure
          ? fail(
              "edge-cases",
              `results on ${n} fixed edge cases`,
              points["edge-cases"],
              `${failing} of ${n} edge cases wrong; the first:\n${failure.text}${hintsOf(exercise)}`,
              failure.failure,
            )
          : pass(
              "edge-cases",
              `results on ${n} fixed edge cases`,
              points["edge-cases"],
              `${n} cases correct`,
            ),
      );
    }
    // 2. Results on random inputs, shrunk on failure.
    {
      const name = `results on ${numRuns} random inputs (fast-check, seed ${seed})`;
      const details = fc.check(
        fc.property(exercise.inputs, (args) => !resultProblem(exercise, args, run(args), showArgs, show)),
        { numRuns, seed },
      );
      if (details.failed && details.counterexample) {
        const args = details.counterexample[0];
        const wrong = resultProblem(exercise, args, run(args), showArgs, show)!;
        tests.push(
          fail(
            "random-inputs",
            name,
            points["random-inputs"],
            `failed after ${details.numRuns} inputs; shrunk ${details.numShrinks} times to:\n${wrong.text}${hintsOf(exercise)}`,
            { ...wrong.failure, shrinks: details.numShrinks },
          ),
        );
      } else if (details.failed) {
        throw new Error(`fast-check stopped without a counterexample (${details.numSkips} skipped inputs)`);
      } else tests.push(pass("random-inputs", name, points["random-inputs"], `${numRuns} inputs correct`));
    }
    // 3. The convention, on every call (edge cases first, then random inputs, shrunk).
    {
      const name = "System V calling convention at every call and return";
      const details = fc.check(
        fc.property(exercise.inputs, (args) => run(args).violations.length === 0),
        { numRuns, seed, examples: exercise.edgeCases.map((a) => [a]) },
      );
      if (details.failed && details.counterexample) {
        const args = details.counterexample[0];
        const o = run(args);
        const v = o.violations[0];
        const more = o.violations.length > 1 ? `\n(all on this input: ${ruleCounts(o.violations)})` : "";
        tests.push(
          fail(
            "convention",
            name,
            points.convention,
            violationText(v, where(v.address), showArgs(args)) + more,
            { ...violationFailure(v, where(v.address), showArgs(args)), shrinks: details.numShrinks },
          ),
        );
      } else
        tests.push(
          pass(
            "convention",
            name,
            points.convention,
            "no violation: stack-alignment, callee-saved, stack-balance, red-zone, direction-flag",
          ),
        );
    }
    // 4. The exercise's requirements.
    for (const r of exercise.requirements ?? []) {
      const p = r.points ?? 1;
      if (r.kind === "calls") {
        const all = [...cache.values()];
        const total = all.reduce((n, o) => n + (o.calls.get(r.symbol) ?? 0), 0);
        const name = `calls ${r.symbol}`;
        tests.push(
          total > 0
            ? pass("requirements", name, p, `${r.symbol} called ${total} times over ${all.length} calls`)
            : fail("requirements", name, p, `${r.symbol} was never called: ${r.why}`, {
                rule: `calls ${r.symbol}`,
                expected: `at least one call to ${r.symbol}`,
                actual: "none",
              }),
        );
        continue;
      }
      const name = `${r.rule}: ${registerName(r.register, r.bits ?? 64)} at each call to ${r.symbol}`;
      if (![...cache.values()].some((o) => o.calls.get(r.symbol))) {
        tests.push(
          fail("requirements", name, p, `${r.symbol} was never called, so ${r.why}`, {
            rule: r.rule,
            expected: `calls to ${r.symbol}`,
            actual: "none",
          }),
        );
        continue;
      }
      const details = fc.check(
        fc.property(exercise.inputs, (args) => run(args).mismatches.length === 0),
        { numRuns, seed, examples: exercise.edgeCases.map((a) => [a]) },
      );
      if (details.failed && details.counterexample) {
        const args = details.counterexample[0];
        const m = run(args).mismatches[0];
        const bits = registerName(r.register, m.check.bits);
        const failure: Failure = {
          input: showArgs(args),
          rule: r.rule,
          instruction: where(m.rip),
          expected: `${bits} = ${m.check.expected}`,
          actual: `${bits} = ${m.actual}`,
        };
        tests.push(
          fail(
            "requirements",
            name,
            p,
            `input:       ${failure.input}\nrule:        ${r.rule} (${r.why})\ninstruction: ${failure.instruction}\nexpected:    ${failure.expected}\nactual:      ${failure.actual}`,
            failure,
          ),
        );
      } else tests.push(pass("requirements", name, p, r.why));
    }
  } finally {
    rmSync(sandboxDir, { recursive: true, force: true });
  }
  return summarize({ ...base, runs: cache.size }, tests, started);
}

function missingSymbols(exercise: FunctionExercise, lab: FunctionLab): string | undefined {
  if (lab.addressOf(exercise.function) === undefined)
    return `${lab.file}: no function named ${exercise.function}: the answer must define the label ${exercise.function}: (and .globl ${exercise.function})`;
  if (lab.addressOf(exercise.entry ?? exercise.function) === undefined)
    throw new Error(`exercise ${exercise.id}: no entry ${exercise.entry}`);
  const unresolved = (lab.image.unresolved ?? []).filter(
    (s) => s !== exercise.function && s !== "scheme_entry",
  );
  if (unresolved.length)
    return `${lab.file}: undefined symbol${unresolved.length > 1 ? "s" : ""} ${unresolved.join(", ")}: not in the answer nor in runtime-rs`;
  for (const r of exercise.requirements ?? [])
    if (lab.addressOf(r.symbol) === undefined)
      throw new Error(`exercise ${exercise.id}: no symbol ${r.symbol}`);
  return undefined;
}

/** Why an outcome is wrong (a fault, the step limit, or a wrong result), or undefined. */
function resultProblem(
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

function hintsOf(exercise: { hints?: string[] }): string {
  return exercise.hints?.length ? `\nhints:\n${exercise.hints.map((h) => `  - ${h}`).join("\n")}` : "";
}

export function pass(kind: TestResult["kind"], name: string, points: number, output: string): TestResult {
  return { kind, name, passed: true, score: points, maxScore: points, output };
}

export function fail(
  kind: TestResult["kind"],
  name: string,
  points: number,
  output: string,
  failure?: Failure,
): TestResult {
  return { kind, name, passed: false, score: 0, maxScore: points, output, failure };
}

/** Every test fails with the same message: the answer could not be assembled or linked. */
export function buildFailure(
  exercise:
    | FunctionExercise
    | {
        id: string;
        requirements?: { kind: string; symbol: string; points?: number }[];
        points?: FunctionExercise["points"];
      },
  base: Omit<GradeReport, "score" | "maxScore" | "passed" | "tests" | "executionTime">,
  message: string,
  started: number,
): GradeReport {
  const points = { ...DEFAULT_POINTS, ...exercise.points };
  const output = `the answer could not be built:\n${message}`;
  const tests: TestResult[] = [
    fail("edge-cases", "results on the fixed edge cases", points["edge-cases"], output),
    fail("random-inputs", "results on random inputs", points["random-inputs"], output),
    fail("convention", "System V calling convention at every call and return", points.convention, output),
    ...(exercise.requirements ?? []).map((r) =>
      fail(
        "requirements",
        `${r.kind === "calls" ? "calls" : "at each call to"} ${r.symbol}`,
        r.points ?? 1,
        output,
      ),
    ),
  ];
  return { ...summarize(base, tests, started), buildError: message };
}

/** `al` for the low 8 bits of rax, `edi` for the low 32 of rdi... */
function registerName(register: string, bits: number): string {
  if (bits === 64) return register;
  const legacy = /^r([abcd])x$/.exec(register);
  if (legacy) return bits === 8 ? `${legacy[1]}l` : `e${legacy[1]}x`;
  const index = /^r([sd]i|[sb]p)$/.exec(register);
  if (index) return bits === 8 ? `${index[1]}l` : `e${index[1]}`;
  return `${register}${bits === 8 ? "b" : "d"}`;
}
