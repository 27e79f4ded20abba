import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { AbiChecker, type Violation } from "../abi/checker.js";
import { compileScheme } from "../compiler/index.js";
import { UserInputError } from "../diagnostics.js";
import type { Machine } from "../emulator/index.js";
import type { MachineObserver } from "../emulator/types.js";
import { linkScheme } from "../pipeline/load-program.js";
import { programView } from "../pipeline/program-view.js";
import { runProgram } from "../pipeline/run-program.js";
import { CallWatch } from "./call-watch.js";
import { buildFailure } from "./build-failure.js";
import { callsPart, conventionFailure } from "./common-parts.js";
import { startGrading, type GradeOptions } from "./grading-start.js";
import {
  DEFAULT_POINTS,
  fail,
  hintsOf,
  pass,
  summarize,
  type GradeReport,
  type TestResult,
} from "./report.js";
import type { SchemeExercise } from "./types.js";
import { partNames, rulesOf } from "./part-names.js";

/** The line the driver prints before the results, so that the answer's own output is skipped. */
const MARKER = "--- abi-lab grader ---";
export const SCHEME_MAX_STEPS = 10_000_000;
/** After a run stops on an input, the grader starts again after it, at most this many times. */
const RESTARTS = 4;

/** One input's result: the line written, or why there is none. */
type Result = { line: string } | { stopped: string } | undefined;

/** What the runs saw: results by input, violations with where they happened, calls counted. */
interface Observed {
  results: Result[];
  violations: { v: Violation; where: string }[];
  calls: Map<string, number>;
}

/**
 * Grade a Scheme answer: the answer, followed by a driver that applies the exercise's procedure
 * to every input (edge cases, then random ones, shortest first) and writes each result on a
 * line, is compiled, linked and run with the convention checker watching every call. A run that
 * stops (an error, a fault, the step limit) is started again after the input it stopped on.
 */
export async function gradeScheme(
  exercise: SchemeExercise,
  source: string,
  file: string,
  options: GradeOptions = {},
): Promise<GradeReport> {
  const { started, seed, numRuns, base } = startGrading(exercise, file, options);
  const random = fc.sample(exercise.inputs, { numRuns, seed }).sort((a, b) => a.length - b.length);
  const inputs = [...exercise.edgeCases, ...random];
  const observed: Observed = { results: new Array<Result>(inputs.length), violations: [], calls: new Map() };
  let from = 0;
  for (let run = 0; run <= RESTARTS && from < inputs.length; run++) {
    let stoppedAt: number;
    try {
      stoppedAt = await runFrom(exercise, source, file, inputs, from, observed);
    } catch (e) {
      if (!(e instanceof UserInputError)) throw e;
      const answerLines = source.split("\n").length;
      const inDriver = e.location && e.location.file === file && e.location.line > answerLines;
      const message = inDriver
        ? `${file}: ${e.message} in the grader's driver, which calls (${exercise.procedure} s): define ${exercise.procedure} at the top level`
        : e.format();
      return buildFailure(exercise, base, message, started, numRuns);
    }
    base.runs++;
    from = stoppedAt + 1;
  }

  const call = (i: number) => `(${exercise.procedure} ${exercise.datum(inputs[i])})`;
  const firstWrong = (lo: number, hi: number) => {
    for (let i = lo; i < hi; i++) {
      const want = exercise.expected(inputs[i]);
      const r = observed.results[i];
      if (r && "line" in r && r.line === want) continue;
      const actual = !r
        ? `not run: the program stopped ${RESTARTS + 1} times before this input`
        : "line" in r
          ? r.line
          : r.stopped;
      return { input: call(i), expected: want, actual };
    }
    return undefined;
  };
  const points = { ...DEFAULT_POINTS, ...exercise.points };
  const names = partNames(exercise, numRuns, seed);
  const tests: TestResult[] = [];
  const resultTest = (kind: "edge-cases" | "random-inputs", name: string, lo: number, hi: number) => {
    const wrong = firstWrong(lo, hi);
    if (!wrong) return pass(kind, name, points[kind], `${hi - lo} results correct`);
    return fail(
      kind,
      name,
      points[kind],
      `input:    ${wrong.input}\nexpected: ${wrong.expected}\nactual:   ${wrong.actual}${hintsOf(exercise)}`,
      { input: wrong.input, expected: wrong.expected, actual: wrong.actual },
    );
  };
  const edge = exercise.edgeCases.length;
  tests.push(resultTest("edge-cases", names.edge, 0, edge));
  tests.push(resultTest("random-inputs", names.random, edge, inputs.length));
  const conventionName = names.convention;
  const { violations } = observed;
  if (violations.length) {
    tests.push(
      conventionFailure(
        conventionName,
        points.convention,
        violations[0],
        violations.map((x) => x.v),
      ),
    );
  } else tests.push(pass("convention", conventionName, points.convention, "no violation"));
  for (const r of exercise.requirements ?? [])
    tests.push(callsPart(r, names.requirement(r), observed.calls.get(r.symbol) ?? 0));
  return summarize(base, tests, started);
}

/**
 * Compile the answer with a driver for inputs[from..], run it, and record what it wrote.
 * Returns the index of the input the run stopped on (inputs.length when it finished).
 */
async function runFrom(
  exercise: SchemeExercise,
  source: string,
  file: string,
  inputs: readonly string[],
  from: number,
  observed: Observed,
): Promise<number> {
  const driver = [
    "",
    `(display ${JSON.stringify(MARKER)})`,
    "(newline)",
    "(flush-output-port)",
    // Flushed line by line, so that the results before a crash are not lost in the runtime's buffer.
    `(for-each (lambda (x) (write (${exercise.procedure} x)) (newline) (flush-output-port))`,
    `  (list ${inputs
      .slice(from)
      .map((i) => exercise.datum(i))
      .join("\n        ")}))`,
    "",
  ].join("\n");
  const program = await linkScheme(compileScheme(`${source}\n${driver}`, file, { align: true }), file);
  const { image } = program;
  const view = programView(program);
  const judged = new Set(rulesOf(exercise));
  const answerLines = source.split("\n").length;
  const where = (address: number): string => {
    const src = view.sourceOf(address);
    const name = view.nameOf(address);
    if (!src) return name;
    if (src.file === file && src.line > answerLines) return `the grader's driver (${name})`;
    return `${src.file}:${src.line}: ${src.text ?? ""}  (${name})`;
  };
  const counted = new Map<number, string>();
  for (const r of exercise.requirements ?? []) {
    const at = image.symbols.find((s) => s.name === r.symbol)?.address;
    if (at !== undefined) counted.set(at, r.symbol);
  }
  let watch: CallWatch | undefined;
  let stdout = "";
  let stderr = "";
  const decoder = new TextDecoder();
  const errors = new TextDecoder();
  const sandboxDir = mkdtempSync(join(tmpdir(), "abi-lab-grade-"));
  let result;
  try {
    result = runProgram(program, {
      sandboxDir,
      maxSteps: exercise.maxSteps ?? SCHEME_MAX_STEPS,
      stdout: (b) => (stdout += decoder.decode(b, { stream: true })),
      stderr: (b) => (stderr += errors.decode(b, { stream: true })),
      attach: (machine: Machine): MachineObserver[] => {
        const checker = new AbiChecker(machine, {
          conventionOf: (t, site) => view.conventionOf(t, site),
          nameOf: (a) => view.nameOf(a),
          onViolation: (v) => {
            if (judged.has(v.rule)) observed.violations.push({ v, where: where(v.address) });
          },
        });
        watch = new CallWatch(machine, {
          isProgram: (a) => program.debug.isProgram(a),
          counted,
          argumentChecks: [],
          scramble: false,
        });
        return [checker, watch];
      },
    });
  } finally {
    rmSync(sandboxDir, { recursive: true, force: true });
  }
  for (const [name, n] of watch?.calls ?? []) observed.calls.set(name, (observed.calls.get(name) ?? 0) + n);
  const marker = stdout.indexOf(`${MARKER}\n`);
  // Lines written in full (a finished line ends with a newline).
  const lines =
    marker < 0
      ? []
      : stdout
          .slice(marker + MARKER.length + 1)
          .split("\n")
          .slice(0, -1);
  lines.forEach((line, k) => {
    if (from + k < inputs.length) observed.results[from + k] = { line };
  });
  const stoppedAt = from + lines.length;
  if (stoppedAt >= inputs.length && result.exitCode === 0) return inputs.length;
  // Places in the driver are not lines of the student's file.
  const inFile = new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:(\\d+):\\d+`, "g");
  const report = result.report
    ?.replace("(the instruction limit)", "(the grader's step limit)")
    .replace(inFile, (place, line: string) => (Number(line) > answerLines ? "the grader's driver" : place));
  const why = [stderr.trim(), report, `(exit status ${result.exitCode})`].filter(Boolean).join("\n");
  const stopped =
    marker < 0
      ? `the program stopped before the grader's driver ran:\n${why}`
      : `the program stopped:\n${why}`;
  if (marker < 0 || result.stop.kind === "step-limit") {
    // The answer's own top-level code stopped (no input can run), or an input ran out of steps
    // (another try would only cost as much again).
    observed.results[stoppedAt] ??= { stopped };
    for (let i = stoppedAt + 1; i < inputs.length; i++)
      observed.results[i] = { stopped: `not run: an earlier input stopped the program:\n${why}` };
    return inputs.length;
  }
  if (stoppedAt < inputs.length) observed.results[stoppedAt] = { stopped };
  return stoppedAt;
}
