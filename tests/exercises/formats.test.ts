import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { findExercise } from "../../src/exercises/catalog/index.js";
import { FORMATS } from "../../src/exercises/formats/index.js";
import { gradescopeResults } from "../../src/exercises/formats/gradescope.js";
import { gradeAnswer } from "../../src/exercises/grade.js";
import type { GradeReport } from "../../src/exercises/report.js";
import { validate, type Schema } from "./json-schema.js";
import { solutionOf } from "./answers.js";
import { parseXml } from "./xml.js";

const SCHEMA = JSON.parse(readFileSync("docs/gradescope-results.schema.json", "utf8")) as Schema;

/** Reports to render: a pass, a convention failure (with a fault report), a build error. */
async function reports(): Promise<GradeReport[]> {
  const e = findExercise("align-writeln")!;
  const misaligned = readFileSync("tests/exercises/wrong/align-writeln--misaligned.s", "utf8");
  return [
    await gradeAnswer(e, solutionOf(e).source, "show.s", { numRuns: 20 }),
    await gradeAnswer(e, misaligned, "show.s", { numRuns: 20 }),
    await gradeAnswer(e, ".intel_syntax noprefix\nshow:\n    frobnicate rax, 1\n", "show.s"),
  ];
}

const all = reports();

test("the validator rejects what the schema forbids (so that a pass means something)", () => {
  assert.deepEqual(validate({ score: 1, execution_time: 0.5, tests: [] }, SCHEMA), [
    "$.tests: fewer than 1 items",
  ]);
  const bad = {
    score: "10",
    execution_time: 1,
    tests: [{ name: "x", score: 1, max_score: 1, status: "ok", output: "", visibility: "visible", extra: 1 }],
  };
  assert.deepEqual(validate(bad, SCHEMA), [
    "$.score: expected number, got string",
    '$.tests[0].status: "ok" not in enum',
    "$.tests[0]: unexpected property 'extra'",
  ]);
});

test("gradescope results.json validates against docs/gradescope-results.schema.json", async () => {
  for (const r of await all) {
    const json = JSON.parse(FORMATS.gradescope(r)) as unknown;
    assert.deepEqual(validate(json, SCHEMA), []);
    const g = gradescopeResults(r);
    assert.equal(
      g.score,
      g.tests.reduce((n, t) => n + t.score, 0),
    );
    assert.equal(g.score, r.score);
    assert.ok(g.tests.every((t) => (t.status === "passed") === (t.score === t.max_score)));
  }
  const [passing, failing, broken] = await all;
  assert.equal(gradescopeResults(passing).score, passing.maxScore);
  const convention = gradescopeResults(failing).tests.find((t) => t.name.includes("convention"))!;
  assert.equal(convention.status, "failed");
  assert.match(convention.output, /rule: +stack-alignment/);
  assert.match(convention.output, /instruction: show\.s:10: call rt_current_output_port/);
  assert.equal(gradescopeResults(broken).score, 0);
  assert.match(gradescopeResults(broken).output, /could not be built:\nshow\.s:3:\d+: error/);
});

test("JUnit output is well-formed XML: a suite, a test case per graded part, failures typed by rule", async () => {
  for (const r of await all) {
    const root = parseXml(FORMATS.junit(r));
    assert.equal(root.name, "testsuites");
    const [suite] = root.children;
    assert.equal(suite.name, "testsuite");
    assert.equal(suite.attributes.name, "align-writeln");
    const cases = suite.children.filter((c) => c.name === "testcase");
    assert.equal(cases.length, r.tests.length);
    const failures = cases.filter((c) => c.children.some((x) => x.name === "failure"));
    assert.equal(failures.length, r.tests.filter((t) => !t.passed).length);
    assert.equal(suite.attributes.failures, String(failures.length));
  }
  const failing = parseXml(FORMATS.junit((await all)[1]));
  const failure = failing.children[0].children
    .flatMap((c) => c.children)
    .find((x) => x.name === "failure" && x.attributes.type === "stack-alignment");
  assert.ok(failure, "a failure of type stack-alignment");
  assert.match(failure.text, /instruction: show\.s:10: call rt_current_output_port/);
});

test("JUnit escapes markup and drops characters XML forbids", () => {
  const r: GradeReport = {
    exercise: "x",
    title: "t",
    file: 'a<b>&"c".s',
    seed: 1,
    runs: 1,
    score: 0,
    maxScore: 1,
    passed: false,
    executionTime: 0.1,
    tests: [
      {
        name: "<tricky> & 'quoted'",
        kind: "edge-cases",
        passed: false,
        score: 0,
        maxScore: 1,
        output: "actual: \u0005\u0000 ]]> </failure>",
      },
    ],
  };
  const root = parseXml(FORMATS.junit(r));
  const tc = root.children[0].children.find((c) => c.name === "testcase")!;
  assert.equal(tc.attributes.name, "<tricky> & 'quoted'");
  assert.match(tc.children[0].text, /actual: \\u0005\\u0000 \]\]> <\/failure>/);
  assert.throws(() => parseXml("<a><b></a>"), /not well-formed/);
  assert.throws(() => parseXml('<a x="1" x="2"/>'), /duplicate attribute/);
});

test("TAP output is TAP version 14: a plan, one test point per part, YAML diagnostics on failures", async () => {
  for (const r of await all) {
    const tap = FORMATS.tap(r);
    const lines = tap.split("\n");
    assert.equal(lines[0], "TAP version 14");
    assert.ok(lines.includes(`1..${r.tests.length}`));
    const points = lines.filter((l) => /^(not )?ok \d+ - /.test(l));
    assert.equal(points.length, r.tests.length);
    points.forEach((l, i) => assert.match(l, new RegExp(`^(not )?ok ${i + 1} - `)));
    assert.equal(
      points.filter((l) => l.startsWith("not ok")).length,
      r.tests.filter((t) => !t.passed).length,
    );
    // Every YAML block opens with "  ---" right after a failing point and closes with "  ...".
    assert.equal(lines.filter((l) => l === "  ---").length, lines.filter((l) => l === "  ...").length);
  }
  assert.match(FORMATS.tap((await all)[1]), /\n {2}rule: "stack-alignment"\n/);
});

test("JSON output is the report, failures as data", async () => {
  const r = JSON.parse(FORMATS.json((await all)[1])) as GradeReport;
  const t = r.tests.find((x) => x.kind === "convention")!;
  assert.equal(t.failure?.rule, "stack-alignment");
  assert.equal(t.failure?.input, "show(0)");
  assert.equal(r.passed, false);
});

test("text output lists each part with PASS or FAIL and the score", async () => {
  const text = FORMATS.text((await all)[1]);
  assert.match(text, /^abi-lab check: align-writeln /);
  assert.match(text, /FAIL {2}System V calling convention at every call and return {2}\[0\/3\]/);
  assert.match(text, /score: 1\/10/);
});
