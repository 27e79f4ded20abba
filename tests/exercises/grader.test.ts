import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { findExercise } from "../../src/exercises/catalog/index.js";
import { gradeAnswer } from "../../src/exercises/grade.js";

const leaf = findExercise("leaf-args")!;

test("an answer without the function, or calling a function that does not exist, fails to build with a clear message", async () => {
  const none = await gradeAnswer(leaf, ".intel_syntax noprefix\nmuladd:\n    ret\n", "a.s");
  assert.match(
    none.buildError ?? "",
    /^a\.s: no function named mul_add: the answer must define the label mul_add:/,
  );
  assert.equal(none.score, 0);
  assert.ok(none.tests.every((t) => !t.passed && t.output.startsWith("the answer could not be built:")));
  const typo = await gradeAnswer(
    findExercise("align-writeln")!,
    ".intel_syntax noprefix\n.globl show\nshow:\n    push rbx\n    call writelm\n    pop rbx\n    ret\n",
    "b.s",
  );
  assert.match(typo.buildError ?? "", /^b\.s:5:10: error: undefined symbol 'writelm'/);
});

test("grading is reproducible: the same seed gives the same shrunk input; another seed, other inputs", async () => {
  const wrong = readFileSync("tests/exercises/wrong/struct-return--no-sign-extension.s", "utf8");
  const divmod = findExercise("struct-return")!;
  const a = await gradeAnswer(divmod, wrong, "w.s", { numRuns: 30 });
  const b = await gradeAnswer(divmod, wrong, "w.s", { numRuns: 30 });
  const random = (r: typeof a) => r.tests.find((t) => t.kind === "random-inputs")!.failure;
  assert.deepEqual(random(a), random(b));
  assert.equal(a.seed, b.seed);
  const other = await gradeAnswer(divmod, wrong, "w.s", { numRuns: 30, seed: 7 });
  assert.equal(other.seed, 7);
  assert.match(other.tests.find((t) => t.kind === "random-inputs")!.name, /seed 7/);
});

test("an answer that never returns costs a bounded number of instructions, and says where it was stopped", async () => {
  const loop = ".intel_syntax noprefix\n.globl mul_add\nmul_add:\n    jmp mul_add\n";
  const started = performance.now();
  const r = await gradeAnswer(leaf, loop, "loop.s");
  const seconds = (performance.now() - started) / 1000;
  const edge = r.tests.find((t) => t.kind === "edge-cases")!;
  assert.match(
    edge.output,
    /actual: +stopped after 100,000 instructions \(an infinite loop\?\) at loop\.s:4: jmp mul_add/,
  );
  const random = r.tests.find((t) => t.kind === "random-inputs")!;
  assert.match(
    random.output,
    /stopped after 100,000 instructions|inputs not run: the calls so far used up this grading's budget of 2,000,000 instructions/,
  );
  // No call returned: the convention's return-time rules were never judged, so no points for them.
  const convention = r.tests.find((t) => t.kind === "convention")!;
  assert.equal(convention.passed, false);
  assert.match(convention.output, /no call of mul_add returned/);
  assert.ok(r.runs <= 25, `${r.runs} calls`);
  assert.ok(seconds < 20, `${seconds} s`);
});

test("the grader scrambles caller-saved registers after runtime calls, and says so when a result is wrong", async () => {
  const r = await gradeAnswer(
    findExercise("callee-saved-loop")!,
    readFileSync("tests/exercises/wrong/callee-saved-loop--counter-in-rcx.s", "utf8"),
    "rcx.s",
    { numRuns: 20 },
  );
  const edge = r.tests.find((t) => t.kind === "edge-cases")!;
  assert.match(
    edge.output,
    /the grader overwrites the caller-saved registers rcx, rdx, rsi, rdi, r8, r9, r10, r11/,
  );
  // Keeping the counter in rcx breaks no rule the checker sees: only the scrambling exposes it.
  assert.equal(r.tests.find((t) => t.kind === "convention")!.passed, true);
});

test("a Scheme answer that does not define the procedure is told so, not shown the driver's line", async () => {
  const r = await gradeAnswer(findExercise("define-foreign")!, "(define (yell s) s)\n", "yell.scm");
  assert.equal(
    r.buildError,
    "yell.scm: unbound variable 'shout' in the grader's driver, which calls (shout s): define shout at the top level",
  );
  const syntax = await gradeAnswer(findExercise("define-foreign")!, "(define (shout s)\n", "open.scm");
  assert.match(syntax.buildError ?? "", /^open\.scm:1:1: error: /);
});

test("a report names its parts the same way whether or not the answer builds", async () => {
  for (const id of ["variadic-al", "define-foreign"]) {
    const e = findExercise(id)!;
    const starter = await gradeAnswer(e, e.starter.source, e.starter.file, { numRuns: 10 });
    const garbage = e.kind === "scheme" ? "(((" : "frobnicate rax, 1";
    const broken = await gradeAnswer(e, garbage, e.starter.file, { numRuns: 10 });
    assert.ok(broken.buildError);
    assert.deepEqual(
      broken.tests.map((t) => t.name),
      starter.tests.map((t) => t.name),
    );
    assert.equal(broken.maxScore, starter.maxScore);
  }
});

test("an exercise judges the rules it lists (all of them by default)", async () => {
  const clobber = readFileSync("tests/exercises/wrong/leaf-args--clobbers-rbx.s", "utf8");
  const all = await gradeAnswer(leaf, clobber, "c.s", { numRuns: 10 });
  const convention = (r: typeof all) => r.tests.find((t) => t.kind === "convention")!;
  assert.equal(convention(all).failure?.rule, "callee-saved");
  const alignmentOnly = await gradeAnswer({ ...leaf, rules: ["stack-alignment"] }, clobber, "c.s", {
    numRuns: 10,
  });
  assert.ok(convention(alignmentOnly).passed);
  assert.equal(convention(alignmentOnly).output, "no violation: stack-alignment");
});

test("every graded call starts from the loaded program: an answer that counts its calls in a global is graded as if called once", async () => {
  // Correct only while `calls` holds its loaded value (0): a call that saw an earlier call's write fails.
  const counting = `.intel_syntax noprefix
.data
calls: .quad 0
.text
.globl mul_add
mul_add:
    mov rax, rdi
    imul rax, rsi
    add rax, rdx
    add rax, [rip + calls]
    add qword ptr [rip + calls], 1
    sub rsp, 4096                 # and a stack page the next call would find dirty
    add rax, [rsp]
    mov [rsp], rax
    add rsp, 4096
    ret
`;
  const r = await gradeAnswer(leaf, counting, "counting.s", { numRuns: 20 });
  assert.equal(r.runs, 27);
  assert.ok(r.passed, r.tests.map((t) => t.output).join("\n"));
});
