import assert from "node:assert/strict";
import { test } from "node:test";
import { EXERCISES } from "../../src/exercises/catalog/index.js";
import { gradeAnswer } from "../../src/exercises/grade.js";
import { failsFor, wrongAnswers } from "./answers.js";

const WRONG = wrongAnswers();

test("every exercise has at least two plausible wrong answers", () => {
  for (const e of EXERCISES) {
    const n = WRONG.filter((w) => w.exercise === e).length;
    assert.ok(n >= 2, `${e.id}: ${n} wrong answers in tests/exercises/wrong`);
  }
});

for (const w of WRONG) {
  test(`${w.file} fails, for the reason it was written with: ${w.expect}`, async () => {
    const report = await gradeAnswer(w.exercise, w.source, w.file, { numRuns: 50 });
    assert.ok(!report.passed, "graded as passing");
    assert.ok(report.score < report.maxScore);
    const summary = report.tests
      .filter((t) => !t.passed)
      .map((t) => `[${t.failure?.rule ?? t.kind}] ${t.output}`)
      .join("\n---\n");
    assert.ok(failsFor(report, w.expect), `not failed for '${w.expect}':\n${summary}`);
    // A rule is named with the instruction that broke it, in the answer's own file.
    for (const t of report.tests)
      if (!t.passed && t.failure?.instruction)
        assert.match(t.failure.instruction, new RegExp(`^${w.file}:\\d+: `));
  });
}
