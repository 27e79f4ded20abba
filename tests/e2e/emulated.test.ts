import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { AbiChecker, type Violation } from "../../src/abi/checker.js";
import { loadProgram } from "../../src/pipeline/load-program.js";
import { programView } from "../../src/pipeline/program-view.js";
import { runProgram } from "../../src/pipeline/run-program.js";

const sandbox = () => mkdtempSync(join(tmpdir(), "abi-lab-emu-"));

async function emulate(
  file: string,
  options: { align?: boolean; check?: boolean; sandboxDir?: string } = {},
) {
  const program = await loadProgram(file, { align: options.align ?? true });
  let stdout = "";
  let stderr = "";
  const d = new TextDecoder();
  const violations: Violation[] = [];
  const view = programView(program);
  const result = runProgram(program, {
    sandboxDir: options.sandboxDir ?? sandbox(),
    stdout: (b) => (stdout += d.decode(b)),
    stderr: (b) => (stderr += d.decode(b)),
    attach: options.check
      ? (m) => [
          new AbiChecker(m, {
            conventionOf: (t, s) => view.conventionOf(t, s),
            nameOf: (a) => view.nameOf(a),
            onViolation: (v) => violations.push(v),
          }),
        ]
      : undefined,
  });
  return { ...result, stdout, stderr, violations };
}

for (const name of readdirSync("tests/programs").filter((f) => f.endsWith(".scm"))) {
  test(`emulated ${name} prints what the native build prints`, async () => {
    const r = await emulate(join("tests/programs", name), { check: true });
    assert.equal(r.stdout, readFileSync(join("tests/programs", name.replace(/\.scm$/, ".out")), "utf8"));
    assert.equal(r.exitCode, 0);
    assert.deepEqual(r.violations, [], "compiled code keeps the convention at every runtime call");
  });
}

test("the talk's demo writes exactly 'Hello !!con 👋\\n' (UTF-8) into the sandbox", async () => {
  const dir = sandbox();
  const r = await emulate("examples/hello.scm", { sandboxDir: dir });
  assert.equal(r.exitCode, 0);
  const file = join(dir, "tmp/inc/io.txt");
  assert.ok(existsSync(file));
  assert.deepEqual(readFileSync(file), Buffer.from("Hello !!con 👋\n", "utf8"));
  assert.ok(!existsSync(join(dir, "..", "tmp", "inc", "io.txt.abi-lab-should-not-exist")));
});

test("--no-align: the checker names the misaligned call to writeln, and runtime-rs faults as on the CPU", async () => {
  const r = await emulate("examples/hello.scm", { align: false, check: true });
  assert.equal(r.stop.kind, "fault");
  assert.equal(r.exitCode, 128 + 11);
  assert.match(r.report ?? "", /SIGSEGV/);
  assert.match(r.report ?? "", /movaps operand at 0x[0-9a-f]+ is not 16-byte aligned/);
  assert.match(r.report ?? "", /writeln/);
  assert.match(r.report ?? "", /examples\/hello\.scm:1:1/);
  const calls = r.violations.filter((v) => v.rule === "stack-alignment").map((v) => v.callee);
  assert.ok(calls.includes("writeln"), `violations: ${calls.join(", ")}`);
});

test("a safe-primitive error stops with a message, status 1, and output written before it is kept", async () => {
  const dir = sandbox();
  const file = join(dir, "err.scm");
  (await import("node:fs")).writeFileSync(
    file,
    '(display "before")\n(newline)\n(car 1)\n(display "after")\n',
  );
  const r = await emulate(file);
  assert.equal(r.stdout, "before\n");
  assert.match(r.stderr, /car/);
  assert.equal(r.exitCode, 1);
});

test("a tail loop of 10^6 iterations runs in constant stack", async () => {
  const dir = sandbox();
  const file = join(dir, "loop.scm");
  (await import("node:fs")).writeFileSync(
    file,
    "(define (loop i) (if (= i 0) 'done (loop (- i 1))))\n(loop 1000000)\n",
  );
  const r = await emulate(file);
  assert.equal(r.stdout, "done\n");
});
