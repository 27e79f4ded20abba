/**
 * The Scheme grader runs every input in one program; when the program stops on an input (an
 * error, a fault) it starts again after that input, at most RESTARTS (4) times. A run that hits
 * the step limit is not started again (another try would cost as much).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { findExercise } from "../../src/exercises/catalog/index.js";
import { gradeAnswer } from "../../src/exercises/grade.js";
import type { GradeReport } from "../../src/exercises/report.js";

const shout = findExercise("define-foreign")!;
const RUNS = 10;
const up = `(define-foreign char-upcase* "rt_char_upcase" (char) char)
(define (up s) (list->string (map (lambda (c) (char-upcase* c)) (string->list s))))
`;
const grade = (definition: string) => gradeAnswer(shout, `${up}${definition}\n`, "a.scm", { numRuns: RUNS });
const part = (r: GradeReport, kind: string) => r.tests.find((t) => t.kind === kind)!;

test("a stop on one input: the grader starts again after it, and every other input is judged", async () => {
  const r = await grade(`(define (shout s) (if (string=? s "abc") (car '()) (up s)))`);
  assert.equal(r.runs, 2);
  const edge = part(r, "edge-cases");
  assert.equal(edge.passed, false);
  assert.equal(edge.failure?.input, '(shout "abc")');
  assert.match(
    edge.failure?.actual ?? "",
    /^the program stopped:\nError in car: expected a pair, got \(\)\n\(exit status 1\)$/,
  );
  assert.equal(part(r, "random-inputs").passed, true, part(r, "random-inputs").output);
  assert.match(part(r, "random-inputs").output, new RegExp(`^${RUNS} results correct`));
  assert.equal(part(r, "requirements").passed, true);
});

test("a stop on every input: five runs, then the inputs left are not run, and say why", async () => {
  const r = await grade(`(define (shout s) (car '()))`);
  assert.equal(r.runs, 5);
  const edges = shout.edgeCases.length;
  assert.equal(edges, 5, "the first random input is the sixth: not run");
  assert.match(part(r, "edge-cases").failure?.actual ?? "", /^the program stopped:\nError in car/);
  assert.equal(
    part(r, "random-inputs").failure?.actual,
    "not run: the program stopped 5 times before this input",
  );
  assert.equal(part(r, "requirements").passed, false);
});

test("the step limit on one input stops the grading: no restart, the later inputs say which stopped it", async () => {
  const r = await grade(`(define (shout s) (if (string=? s "Hello, World!") (let loop () (loop)) (up s)))`);
  assert.equal(r.runs, 1);
  const edge = part(r, "edge-cases");
  assert.equal(edge.failure?.input, '(shout "Hello, World!")');
  assert.match(
    edge.failure?.actual ?? "",
    /stopped after 10,000,000 instructions \(the grader's step limit\)/,
  );
  assert.match(edge.failure?.actual ?? "", /at: +a\.scm:3:\d+ loop/);
  // The backtrace names the driver's frames as the driver's, not as lines past the end of a.scm.
  assert.match(edge.failure?.actual ?? "", /\(the grader's driver \(for-each/);
  assert.doesNotMatch(edge.failure?.actual ?? "", /a\.scm:(?:[4-9]|\d\d)/);
  const random = part(r, "random-inputs").failure?.actual ?? "";
  assert.match(random, /^not run: an earlier input stopped the program:\n/);
  assert.equal(part(r, "convention").passed, true);
});
