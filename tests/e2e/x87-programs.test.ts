/**
 * C programs that exercise the x87 FPU through musl (printf of doubles and long doubles, strtod,
 * long double libm, <fenv.h> rounding modes and flags), built with `musl-gcc -O2 -static`: the
 * emulated run must print exactly what the native run prints and exit with the same status.
 * Skipped where musl-gcc is not installed (.ci/run installs musl-tools).
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadProgram } from "../../src/pipeline/load-program.js";
import { runProgram } from "../../src/pipeline/run-program.js";

const dir = "tests/programs/c-x87";
const hasMusl = spawnSync("musl-gcc", ["--version"]).status === 0;
const work = mkdtempSync(join(tmpdir(), "abi-lab-x87-"));

for (const name of readdirSync(dir).filter((f) => f.endsWith(".c"))) {
  void test(
    `x87 program ${name}: emulated output equals native`,
    { skip: !hasMusl && "musl-gcc not installed" },
    async () => {
      const exe = join(work, name.replace(/\.c$/, ""));
      execFileSync("musl-gcc", ["-O2", "-static", "-o", exe, join(dir, name), "-lm"]);
      const native = spawnSync(exe, [], { encoding: "utf8" });
      const program = await loadProgram(exe);
      let stdout = "";
      let stderr = "";
      const d = new TextDecoder();
      const r = runProgram(program, {
        sandboxDir: mkdtempSync(join(work, "sandbox-")),
        stdout: (b) => (stdout += d.decode(b)),
        stderr: (b) => (stderr += d.decode(b)),
      });
      assert.equal(r.report, undefined);
      assert.equal(stderr, native.stderr);
      assert.equal(stdout, native.stdout);
      assert.equal(r.exitCode, native.status);
      assert.ok(native.stdout.length > 200, "the program printed its results");
    },
  );
}
