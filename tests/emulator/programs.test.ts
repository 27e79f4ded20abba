/**
 * End to end on real code: the corpus programs (tests/programs/*.scm) compiled by src/compiler and
 * linked by gcc with the committed runtime-rs archive (rustc -O output) run on the emulator and
 * must print exactly what they print natively, and exit the same way.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { compileScheme } from "../../src/compiler/index.js";
import { runElf } from "./elf-run.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const ARCHIVE = join(ROOT, "runtime-rs/dist/libabi_runtime.a");
const PROGRAMS = join(ROOT, "tests/programs");

function skipReason(): string | false {
  if (process.platform !== "linux" || process.arch !== "x64") return "needs x86-64 Linux";
  if (spawnSync("gcc", ["--version"]).status !== 0) return "needs gcc";
  if (!existsSync(ARCHIVE)) return "runtime-rs archive missing";
  return false;
}

const files = existsSync(PROGRAMS)
  ? readdirSync(PROGRAMS)
      .filter((f) => f.endsWith(".scm"))
      // Programs that open files need the sandboxed kernel: tests/e2e/emulated.test.ts runs them.
      .filter((f) => !["ports.scm"].includes(f))
      .sort()
  : [];

for (const file of files) {
  void test(`corpus program ${file} runs on the emulator as natively`, { skip: skipReason() }, () => {
    const dir = mkdtempSync(join(tmpdir(), "abi-lab-emu-"));
    try {
      const { assembly } = compileScheme(readFileSync(join(PROGRAMS, file), "utf8"), file);
      const asm = join(dir, "prog.s");
      const exe = join(dir, "prog");
      writeFileSync(asm, `.section .note.GNU-stack,"",@progbits\n${assembly}`);
      const link = spawnSync("gcc", ["-nostdlib", "-static", "-o", exe, asm, ARCHIVE], { encoding: "utf8" });
      assert.equal(link.status, 0, link.stderr);
      const native = spawnSync(exe, [], { input: "", env: {}, timeout: 20_000 });
      const emu = runElf(readFileSync(exe));
      assert.deepEqual(emu.stop, { kind: "exit", code: native.status }, `stop: ${JSON.stringify(emu.stop)}`);
      assert.equal(emu.stdout.toString("utf8"), native.stdout.toString("utf8"));
      assert.equal(emu.stderr.toString("utf8"), native.stderr.toString("utf8"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
