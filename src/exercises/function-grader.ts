import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { SYSTEM_V } from "../abi/conventions.js";
import { UserInputError } from "../diagnostics.js";
import { FunctionLab } from "../lab/function-lab.js";
import { buildFailure } from "./build-failure.js";
import { CallWatch, type ArgumentCheck } from "./call-watch.js";
import { resultProblem, type Outcome } from "./call-outcome.js";
import { partNames, registerName } from "./part-names.js";
import {
  DEFAULT_POINTS,
  fail,
  hintsOf,
  pass,
  summarize,
  type Failure,
  type GradeReport,
  type TestResult,
} from "./report.js";
import type { FunctionExercise } from "./types.js";
import { rulesOf } from "./part-names.js";
import { callsPart, conventionFailure } from "./common-parts.js";
import { startGrading, type GradeOptions } from "./grading-start.js";

export const DEFAULT_MAX_STEPS = 100_000;
/** A grading's instruction budget, in calls at the step limit: an answer that loops stops costing time. */
const BUDGET_CALLS = 20;

const signed = (v: bigint) => BigInt.asIntN(64, v).toString();

/** Grade an assembly answer to a function exercise. */
export async function gradeFunction(
  exercise: FunctionExercise,
  source: string,
  file: string,
  options: GradeOptions = {},
): Promise<GradeReport> {
  const { started, seed, numRuns, base } = startGrading(exercise, file, options);
  const answerLines = source.split("\n").length;
  const att = /^\s*\.att_syntax\b/m.test(source);
  if (exercise.support && att && !exercise.supportAtt)
    return buildFailure(
      exercise,
      base,
      `${file}: this exercise links Intel-syntax support code with the answer: write the answer in Intel syntax (.intel_syntax noprefix)`,
      started,
      numRuns,
    );
  const support = att ? exercise.supportAtt : exercise.support;
  const program = support
    ? `${source}\n${att ? ".att_syntax" : ".intel_syntax noprefix"}\n.text\n# --- exercise support code ---\n${support}\n`
    : source;
  let lab: FunctionLab;
  try {
    lab = await FunctionLab.fromAssembly(program, file);
  } catch (e) {
    if (!(e instanceof UserInputError)) throw e;
    return buildFailure(exercise, base, e.format(), started, numRuns);
  }
  const problem = missingSymbols(exercise, lab);
  if (problem) return buildFailure(exercise, base, problem, started, numRuns);

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
  const maxSteps = exercise.maxSteps ?? DEFAULT_MAX_STEPS;
  const judged = new Set(rulesOf(exercise));
  let budget = maxSteps * BUDGET_CALLS;
  /** The outcome of a call, or undefined when the budget is spent (the call is then not judged). */
  const tryRun = (args: readonly bigint[], skipped: { n: number }): Outcome | undefined => {
    if (budget <= 0 && !cache.has(args.join(","))) {
      skipped.n++;
      return undefined;
    }
    return run(args);
  };
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
      maxSteps,
      sandboxDir,
      // Every call in the answer's one process, put back as loaded before each call.
      reuseProcess: true,
      // The runtime's buffered output is only needed when the output is judged.
      flush: exercise.expected(args).stdout !== undefined,
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
      problem: result.returned
        ? undefined
        : result.stop.kind === "step-limit"
          ? `stopped after ${result.steps.toLocaleString("en-US")} instructions (an infinite loop?) at ${where(result.machine.rip)}`
          : result.report,
      violations: result.violations.filter((v) => judged.has(v.rule)),
      mismatches: watch!.mismatches,
      calls: watch!.calls,
      scrambles: watch!.scrambles,
    };
    budget -= result.steps;
    cache.set(key, outcome);
    return outcome;
  };

  /** Checks that every call (edge cases first, then random inputs, shrunk) passes `ok`; a call not run passes. */
  const everyCall = (ok: (o: Outcome) => boolean, skipped: { n: number }) =>
    fc.check(
      fc.property(exercise.inputs, (args) => {
        const o = tryRun(args, skipped);
        return !o || ok(o);
      }),
      { numRuns, seed, examples: exercise.edgeCases.map((a) => [a]) },
    );
  const showArgs = (args: readonly bigint[]) =>
    `${exercise.function}(${exercise.showArgs ? exercise.showArgs(args) : args.map(signed).join(", ")})`;
  const show = (v: bigint, r: "rax" | "rdx") => (exercise.showValue ? exercise.showValue(v, r) : signed(v));
  const points = { ...DEFAULT_POINTS, ...exercise.points };
  const names = partNames(exercise, numRuns, seed);
  const unjudged = (n: number) =>
    n
      ? ` (${n} inputs not run: the calls so far used up this grading's budget of ${(maxSteps * BUDGET_CALLS).toLocaleString("en-US")} instructions)`
      : "";
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
              names.edge,
              points["edge-cases"],
              `${failing} of ${n} edge cases wrong; the first:\n${failure.text}${hintsOf(exercise)}`,
              failure.failure,
            )
          : pass("edge-cases", names.edge, points["edge-cases"], `${n} cases correct`),
      );
    }
    // 2. Results on random inputs, shrunk on failure.
    {
      const name = names.random;
      const skippedResults = { n: 0 };
      const details = fc.check(
        fc.property(exercise.inputs, (args) => {
          const o = tryRun(args, skippedResults);
          return !o || !resultProblem(exercise, args, o, showArgs, show);
        }),
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
            `failed after ${plural(details.numRuns, "input")}; shrunk ${plural(details.numShrinks, "time")} to:\n${wrong.text}${hintsOf(exercise)}`,
            { ...wrong.failure, shrinks: details.numShrinks },
          ),
        );
      } else if (details.failed) {
        throw new Error(`fast-check stopped without a counterexample (${details.numSkips} skipped inputs)`);
      } else
        tests.push(
          pass(
            "random-inputs",
            name,
            points["random-inputs"],
            `${numRuns - skippedResults.n} inputs correct${unjudged(skippedResults.n)}`,
          ),
        );
    }
    // 3. The convention, on every call (edge cases first, then random inputs, shrunk).
    {
      const name = names.convention;
      const skippedConvention = { n: 0 };
      const details = everyCall((o) => o.violations.length === 0, skippedConvention);
      if (details.failed && details.counterexample) {
        const args = details.counterexample[0];
        const o = run(args);
        const v = o.violations[0];
        tests.push(
          conventionFailure(name, points.convention, { v, where: where(v.address) }, o.violations, {
            input: showArgs(args),
            shrinks: details.numShrinks,
          }),
        );
      } else if (![...cache.values()].some((o) => o.returned)) {
        // Nothing returned: the checks made at a return (callee-saved, stack balance) never ran.
        const first = [...cache.values()][0];
        tests.push(
          fail(
            "convention",
            name,
            points.convention,
            `no call of ${exercise.function} returned, so the rules checked at a return could not be judged` +
              (first?.problem ? `; the first: ${first.problem}` : ""),
            { rule: "return", expected: "calls that return", actual: "none returned" },
          ),
        );
      } else
        tests.push(
          pass(
            "convention",
            name,
            points.convention,
            `no violation: ${[...judged].join(", ")}${unjudged(skippedConvention.n)}`,
          ),
        );
    }
    // 4. The exercise's requirements.
    for (const r of exercise.requirements ?? []) {
      if (r.kind === "calls") {
        const all = [...cache.values()];
        const total = all.reduce((n, o) => n + (o.calls.get(r.symbol) ?? 0), 0);
        tests.push(callsPart(r, names.requirement(r), total, ` over ${all.length} calls`));
        continue;
      }
      const p = r.points ?? 1;
      const name = names.requirement(r);
      const skippedArguments = { n: 0 };
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
      const details = everyCall((o) => o.mismatches.length === 0, skippedArguments);
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
      } else tests.push(pass("requirements", name, p, r.why + unjudged(skippedArguments.n)));
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

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
