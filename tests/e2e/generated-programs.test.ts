import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { compileScheme } from "../../src/compiler/index.js";
import { writeExecutable } from "../../src/linker/index.js";
import { AbiChecker, type Violation } from "../../src/abi/checker.js";
import { DebugInfo } from "../../src/pipeline/debug-info.js";
import { programView } from "../../src/pipeline/program-view.js";
import { linkAssembly } from "../../src/pipeline/load-program.js";
import { runProgram } from "../../src/pipeline/run-program.js";
import { interpret } from "../support/interpreter.js";
import { programArbitrary } from "../support/program-gen.js";

const work = mkdtempSync(join(tmpdir(), "abi-lab-gen-"));

async function native(
  source: string,
): Promise<{ stdout: string; stderr: string; status: number | null; emulated: string }> {
  const compiled = compileScheme(source, "gen.scm");
  const image = await linkAssembly(compiled.assembly, "gen.s");
  let emulated = "";
  const d = new TextDecoder();
  const program = {
    file: "gen.scm",
    kind: "scheme" as const,
    image,
    debug: new DebugInfo(image, compiled.sourceMap),
    compiled,
  };
  const view = programView(program);
  const violations: Violation[] = [];
  runProgram(program, {
    sandboxDir: work,
    stdout: (b) => (emulated += d.decode(b)),
    stderr: (b) => (emulated += d.decode(b)),
    attach: (m) => [
      new AbiChecker(m, {
        conventionOf: (t, s) => view.conventionOf(t, s),
        nameOf: (a) => view.nameOf(a),
        onViolation: (v) => violations.push(v),
      }),
    ],
  });
  assert.deepEqual(violations, [], "compiled code keeps both conventions at every call");
  const exe = join(work, "prog");
  writeFileSync(exe, writeExecutable(image));
  chmodSync(exe, 0o755);
  const r = spawnSync(exe, [], { encoding: "utf8", cwd: work, timeout: 10_000 });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status, emulated };
}

test("generated programs: native and emulated runs print what the reference interpreter prints", async () => {
  await fc.assert(
    fc.asyncProperty(programArbitrary, async (source) => {
      const expected = interpret(source);
      fc.pre(expected.error === undefined);
      const got = await native(source);
      assert.equal(got.stderr, "", `stderr for:\n${source}`);
      assert.equal(got.stdout, expected.stdout, `program:\n${source}`);
      assert.equal(got.emulated, got.stdout, `emulated vs native, program:\n${source}`);
      assert.equal(got.status, 0);
    }),
    { numRuns: 100, seed: 20261125 },
  );
});
