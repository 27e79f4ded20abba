import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { AbiChecker } from "../abi/checker.js";
import { compileScheme } from "../compiler/index.js";
import { UserInputError } from "../diagnostics.js";
import type { Machine } from "../emulator/index.js";
import type { MachineObserver } from "../emulator/types.js";
import { DebugInfo } from "../pipeline/debug-info.js";
import { linkAssembly, type LoadedProgram } from "../pipeline/load-program.js";
import { programView } from "../pipeline/program-view.js";
import { runProgram } from "../pipeline/run-program.js";
import { CallWatch } from "./call-watch.js";
import { buildFailure, DEFAULT_SEED, fail, pass, type GradeOptions } from "./function-grader.js";
import { DEFAULT_POINTS, summarize, type GradeReport, type TestResult } from "./report.js";
import type { SchemeExercise } from "./types.js";
import { ruleCounts, violationFailure, violationText } from "./violation-text.js";

/** The line the driver prints before the results, so that the answer's own output is skipped. */
const MARKER = "--- abi-lab grader ---";

/**
 * Grade a Scheme answer: the answer, followed by a driver that applies the exercise's procedure
 * to every input (edge cases, then random ones, shortest first) and writes each result on a
 * line, is compiled, linked and run once, with the convention checker watching every call.
 */
export async function gradeScheme(
  exercise: SchemeExercise,
  source: string,
  file: string,
  options: GradeOptions = {},
): Promise<GradeReport> {
  const started = performance.now();
  const seed = options.seed ?? DEFAULT_SEED;
  const numRuns = options.numRuns ?? exercise.numRuns ?? 100;
  const random = fc.sample(exercise.inputs, { numRuns, seed }).sort((a, b) => a.length - b.length);
  const inputs = [...exercise.edgeCases, ...random];
  const base = { exercise: exercise.id, title: exercise.title, file, seed, runs: inputs.length };
  const driver = [
    "",
    `(display ${JSON.stringify(MARKER)})`,
    "(newline)",
    `(for-each (lambda (x) (write (${exercise.procedure} x)) (newline))`,
    `  (list ${inputs.map((i) => exercise.datum(i)).join("\n        ")}))`,
    "",
  ].join("\n");
  let program: LoadedProgram;
  try {
    const compiled = compileScheme(`${source}\n${driver}`, file, { align: true });
    const image = await linkAssembly(compiled.assembly, file.replace(/\.\w+$/, ".s"));
    program = {
      file,
      kind: "scheme",
      image,
      debug: new DebugInfo(image, compiled.sourceMap),
      compiled,
      assembly: compiled.assembly,
    };
  } catch (e) {
    if (!(e instanceof UserInputError)) throw e;
    return buildFailure(exercise, base, e.format(), started);
  }
  const view = programView(program);
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
    const at = program.image.symbols.find((s) => s.name === r.symbol)?.address;
    if (at !== undefined) counted.set(at, r.symbol);
  }
  let checker: AbiChecker | undefined;
  let watch: CallWatch | undefined;
  let stdout = "";
  let stderr = "";
  const decoder = new TextDecoder();
  const sandboxDir = mkdtempSync(join(tmpdir(), "abi-lab-grade-"));
  let result;
  try {
    result = runProgram(program, {
      sandboxDir,
      maxSteps: exercise.maxSteps ?? 50_000_000,
      stdout: (b) => (stdout += decoder.decode(b, { stream: true })),
      stderr: (b) => (stderr += decoder.decode(b, { stream: true })),
      attach: (machine: Machine): MachineObserver[] => {
        checker = new AbiChecker(machine, {
          conventionOf: (t, site) => view.conventionOf(t, site),
          nameOf: (a) => view.nameOf(a),
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
  const marker = stdout.indexOf(`${MARKER}\n`);
  const lines = marker < 0 ? [] : stdout.slice(marker + MARKER.length + 1).split("\n");
  const ended =
    result.exitCode === 0
      ? undefined
      : [stderr.trim(), result.report, `(exit status ${result.exitCode})`].filter(Boolean).join("\n");
  // Results written in full (the last line of a finished run is empty).
  const completed = Math.max(0, lines.length - 1);
  const call = (i: number) => `(${exercise.procedure} ${exercise.datum(inputs[i])})`;
  const firstWrong = (from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const want = exercise.expected(inputs[i]);
      if (i < completed) {
        if (lines[i] === want) continue;
        return { input: call(i), expected: want, actual: lines[i] };
      }
      const stopped =
        marker < 0 ? "the program stopped before the grader's driver ran" : "the program stopped";
      const detail = ended ? `:\n${ended}` : "";
      if (completed < from || completed >= inputs.length)
        return { input: call(i), expected: want, actual: `not run: ${stopped}${detail}` };
      return {
        input: call(completed),
        expected: exercise.expected(inputs[completed]),
        actual: `${stopped}${detail}`,
      };
    }
    return undefined;
  };
  const points = { ...DEFAULT_POINTS, ...exercise.points };
  const tests: TestResult[] = [];
  const resultTest = (kind: "edge-cases" | "random-inputs", name: string, from: number, to: number) => {
    const wrong = firstWrong(from, to);
    if (!wrong) return pass(kind, name, points[kind], `${to - from} results correct`);
    return fail(
      kind,
      name,
      points[kind],
      `input:    ${wrong.input}\nexpected: ${wrong.expected}\nactual:   ${wrong.actual}${hints(exercise.hints)}`,
      { input: wrong.input, expected: wrong.expected, actual: wrong.actual },
    );
  };
  const edge = exercise.edgeCases.length;
  tests.push(resultTest("edge-cases", `results on ${edge} fixed edge cases`, 0, edge));
  tests.push(
    resultTest(
      "random-inputs",
      `results on ${random.length} random inputs (fast-check, seed ${seed})`,
      edge,
      inputs.length,
    ),
  );
  const violations = checker?.violations ?? [];
  const conventionName = "calling conventions at every call and return (Scheme and System V)";
  if (violations.length) {
    const v = violations[0];
    const more = violations.length > 1 ? `\n(all: ${ruleCounts(violations)})` : "";
    tests.push(
      fail(
        "convention",
        conventionName,
        points.convention,
        violationText(v, where(v.address)) + more,
        violationFailure(v, where(v.address)),
      ),
    );
  } else tests.push(pass("convention", conventionName, points.convention, "no violation"));
  for (const r of exercise.requirements ?? []) {
    const n = watch?.calls.get(r.symbol) ?? 0;
    const p = r.points ?? 1;
    tests.push(
      n > 0
        ? pass("requirements", `calls ${r.symbol}`, p, `${r.symbol} called ${n} times`)
        : fail("requirements", `calls ${r.symbol}`, p, `${r.symbol} was never called: ${r.why}`, {
            rule: `calls ${r.symbol}`,
            expected: `at least one call to ${r.symbol}`,
            actual: "none",
          }),
    );
  }
  return summarize(base, tests, started);
}

function hints(list: string[] | undefined): string {
  return list?.length ? `\nhints:\n${list.map((h) => `  - ${h}`).join("\n")}` : "";
}
