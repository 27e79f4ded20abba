import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { writeExecutable } from "../../src/linker/index.js";
import { loadProgram } from "../../src/pipeline/load-program.js";

const dir = "tests/programs";
const programs = readdirSync(dir).filter((f) => f.endsWith(".scm"));

/** The native build is the oracle: our compiler + assembler + linker, run on the real CPU. */
for (const name of programs) {
  test(`abi-lab build ${name} runs natively and prints the expected output`, async () => {
    const program = await loadProgram(join(dir, name));
    const out = mkdtempSync(join(tmpdir(), "abi-lab-native-"));
    const exe = join(out, "prog");
    writeFileSync(exe, writeExecutable(program.image));
    chmodSync(exe, 0o755);
    const r = spawnSync(exe, [], { encoding: "utf8", cwd: out });
    assert.equal(r.stderr, "");
    assert.equal(r.stdout, readFileSync(join(dir, name.replace(/\.scm$/, ".out")), "utf8"));
    assert.equal(r.status, 0);
  });
}

test("exhausting the 64 MiB heap is a clear 'heap exhausted' error, not memory corruption", async () => {
  const dir = mkdtempSync(join(tmpdir(), "abi-lab-heap-"));
  const src = join(dir, "grow.scm");
  writeFileSync(src, '(display "start")\n(newline)\n(define (grow l) (grow (cons 1 l)))\n(grow \'())\n');
  const program = await loadProgram(src);
  const exe = join(dir, "grow");
  writeFileSync(exe, writeExecutable(program.image));
  chmodSync(exe, 0o755);
  const r = spawnSync(exe, [], { encoding: "utf8" });
  assert.equal(r.stdout, "start\n");
  assert.match(r.stderr, /heap exhausted/);
  assert.equal(r.status, 1);
});
