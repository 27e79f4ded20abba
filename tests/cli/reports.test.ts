/**
 * The four ways a run can end badly are told apart by message and exit status: a Scheme run-time
 * error (the program's own exit 1), a guest fault (128+signal), a limit (124), an error in the
 * input (2) and a bug in abi-lab (70, an apology, the trace only with --debug).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { UserInputError } from "../../src/diagnostics.js";
import { describeFailure } from "../../src/cli/failure.js";

const built = existsSync("dist/src/cli/main.js");
const dir = mkdtempSync(join(tmpdir(), "abi-lab-reports-"));

function run(name: string, source: string, ...flags: string[]) {
  const file = join(dir, name);
  writeFileSync(file, source);
  const r = spawnSync(
    process.execPath,
    ["bin/abi-lab.js", "run", file, "--sandbox", join(dir, "box"), ...flags],
    {
      encoding: "utf8",
      input: "",
    },
  );
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const INTERNAL = /internal error|bug in abi-lab/;

void test(
  "each kind of ending has its own message and exit status",
  { skip: !built && "build first" },
  () => {
    const scheme = run("err.scm", '(display "before")\n(car 1)\n');
    assert.equal(scheme.status, 1);
    assert.equal(scheme.stdout, "before");
    assert.match(scheme.stderr, /Error in car: /);
    assert.doesNotMatch(scheme.stderr, /killed by|stopped after|internal error/);

    const fault = run("segv.s", ".intel_syntax noprefix\n.globl _start\n_start:\n  mov rax, qword ptr [8]\n");
    assert.equal(fault.status, 139);
    assert.match(fault.stderr, /the program was killed by SIGSEGV \(segmentation fault, signal 11\)/);
    assert.match(fault.stderr, /segv\.s:4/);
    assert.doesNotMatch(fault.stderr, INTERNAL);

    const limit = run("loop.scm", "(define (f) (f))\n(f)\n", "--max-steps", "100000");
    assert.equal(limit.status, 124);
    assert.match(limit.stderr, /stopped after 100,000 instructions \(the instruction limit\)/);
    assert.match(limit.stderr, /this limit is set with --max-steps N/);
    assert.match(limit.stderr, /loop\.scm:1/);
    assert.doesNotMatch(limit.stderr, INTERNAL);

    const input = run("bad.scm", "(car (cdr x)\n");
    assert.equal(input.status, 2);
    assert.match(input.stderr, /bad\.scm:1:1: error: /);
    assert.doesNotMatch(input.stderr, /\n\s+at .*:\d+:\d+\)/, "no stack trace");
  },
);

void test("an abi-lab bug: an apology and how to report it; the trace only with --debug", () => {
  const bug = describeFailure(new TypeError("cannot read properties of undefined"), false);
  assert.equal(bug.status, 70);
  assert.match(bug.text, /^abi-lab: internal error: cannot read properties of undefined\n/);
  assert.match(bug.text, /This is a bug in abi-lab, not in your program\. Sorry! Please report it/);
  assert.match(bug.text, /add --debug for the full trace/);
  assert.doesNotMatch(bug.text, /\n\s+at /);
  const debug = describeFailure(new TypeError("boom"), true);
  assert.match(debug.text, /\n\s+at .*reports\.test\.ts/);
  const user = describeFailure(new UserInputError("x.scm: nope"), false);
  assert.equal(user.status, 2);
  assert.equal(user.text, "error: x.scm: nope\n");
});

void test(
  "an error thrown outside the command (a timer, an unawaited promise) also gets the apology and 70",
  { skip: !built && "build first" },
  () => {
    for (const thrower of [
      "setTimeout(() => { throw new RangeError('late'); }, 1);",
      "void Promise.reject(new RangeError('late'));",
    ]) {
      const script =
        `import { installCrashHandlers } from "./dist/src/cli/failure.js";\n` +
        `installCrashHandlers(process.argv.includes("--debug"));\n${thrower}\n`;
      const plain = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
      assert.equal(plain.status, 70, plain.stderr);
      assert.match(plain.stderr, /abi-lab: internal error: late\nThis is a bug in abi-lab/);
      assert.doesNotMatch(plain.stderr, /\n\s+at /);
      const debug = spawnSync(process.execPath, ["--input-type=module", "-e", script, "--", "--debug"], {
        encoding: "utf8",
      });
      assert.equal(debug.status, 70);
      assert.match(debug.stderr, /\n\s+at /);
    }
  },
);
