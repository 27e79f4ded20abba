import assert from "node:assert/strict";
import { test } from "node:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { EXERCISES, findExercise } from "../../src/exercises/catalog/index.js";
import { gradeAnswer } from "../../src/exercises/grade.js";
import { solutionOf } from "./answers.js";

for (const exercise of EXERCISES) {
  test(`${exercise.id}: the reference solution gets full marks`, async () => {
    const { file, source } = solutionOf(exercise);
    const report = await gradeAnswer(exercise, source, file);
    const failed = report.tests.filter((t) => !t.passed);
    assert.deepEqual(
      failed.map((t) => `${t.name}: ${t.output}`),
      [],
    );
    assert.equal(report.score, report.maxScore);
    assert.ok(report.passed);
    const random = report.tests.find((t) => t.kind === "random-inputs")!;
    assert.match(random.output, /^100 (inputs|results) correct$/, "every random input ran");
  });
}

test("answers in AT&T syntax are graded too (with the exercise's support code in AT&T syntax)", async () => {
  const dir = "tests/exercises/solutions/att";
  const files = readdirSync(dir).sort();
  assert.ok(files.length >= 3);
  for (const name of files) {
    const exercise = findExercise(name.replace(/\.s$/, ""))!;
    const file = join(dir, name);
    const report = await gradeAnswer(exercise, readFileSync(file, "utf8"), file, { numRuns: 30 });
    assert.deepEqual(
      report.tests.filter((t) => !t.passed).map((t) => `${t.name}: ${t.output}`),
      [],
      file,
    );
  }
  for (const e of EXERCISES)
    if (e.kind === "function" && e.support)
      assert.ok(e.supportAtt, `${e.id}: support code in AT&T syntax too`);
});
