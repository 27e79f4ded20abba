import assert from "node:assert/strict";
import { test } from "node:test";
import { EXERCISES } from "../../src/exercises/catalog/index.js";
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
