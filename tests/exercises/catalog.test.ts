import assert from "node:assert/strict";
import { test } from "node:test";
import { EXERCISES, findExercise } from "../../src/exercises/catalog/index.js";
import { describeExercise, listExercises } from "../../src/exercises/describe.js";
import { gradeAnswer } from "../../src/exercises/grade.js";

test("at least 12 exercises, unique kebab-case IDs, each with a statement, signature and starter", () => {
  assert.ok(EXERCISES.length >= 12);
  const ids = EXERCISES.map((e) => e.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const e of EXERCISES) {
    assert.match(e.id, /^[a-z0-9]+(-[a-z0-9]+)*$/);
    assert.ok(e.title && e.statement.length > 100 && e.signature, e.id);
    assert.match(e.starter.file, e.kind === "scheme" ? /\.scm$/ : /\.s$/);
    assert.equal(findExercise(e.id), e);
  }
});

test("the list covers the convention's themes, from first steps to the talk's", () => {
  const ids = EXERCISES.map((e) => e.id);
  for (const id of [
    "leaf-args",
    "stack-args",
    "align-writeln",
    "callee-saved-loop",
    "red-zone",
    "struct-return",
    "variadic-al",
    "recursion-frames",
    "tagged-values",
    "translation-shim",
    "define-foreign",
    "debug-crash",
  ])
    assert.ok(ids.includes(id), id);
  assert.equal(ids[0], "leaf-args");
  assert.ok(ids.indexOf("translation-shim") > ids.indexOf("tagged-values"));
  const lines = listExercises(EXERCISES).trimEnd().split("\n");
  assert.equal(lines.length, EXERCISES.length);
  lines.forEach((l, i) => assert.match(l, new RegExp(`^${EXERCISES[i].id} +\\S`)));
});

test("a description shows the statement, the signature, the rules checked and how to start", () => {
  const text = describeExercise(findExercise("align-writeln")!);
  assert.match(text, /^align-writeln: /);
  assert.match(text, /C signature:\n {2}void show\(long n\);/);
  for (const rule of ["stack-alignment", "callee-saved", "stack-balance", "red-zone", "direction-flag"])
    assert.match(text, new RegExp(`${rule}: `));
  assert.match(text, /calls writeln/);
  assert.match(text, /abi-lab exercises align-writeln --start +\(writes show\.s\)/);
});

for (const e of EXERCISES) {
  test(`${e.id}: the starter fails, with a helpful message`, async () => {
    const report = await gradeAnswer(e, e.starter.source, e.starter.file, { numRuns: 20 });
    assert.ok(!report.passed);
    assert.equal(report.buildError, undefined, "the starter builds");
    const failed = report.tests.filter((t) => !t.passed);
    assert.ok(failed.length > 0);
    // Each failure says what was expected and what happened, or which rule broke where.
    for (const t of failed)
      assert.match(
        t.output,
        /expected: .*\n.*actual: |rule: .*\n.*instruction: |was never called/s,
        t.output,
      );
  });
}
