/**
 * keystone-wasm loops forever on some malformed lines that source-lines.ts does not know yet. A
 * user's assembly is assembled in a worker with a time limit (guarded-assembler.ts): such a line
 * is an error at its line, the same program otherwise assembles to the same bytes as in process.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { assemble, AssemblyError } from "../../src/assembler/index.js";

const PROGRAM = [
  ".intel_syntax noprefix",
  ".globl _start",
  "_start:",
  "  mov edi, 7",
  "  lea rsi, [rip + msg]",
  "  mov eax, 60",
  "  syscall",
  ".data",
  'msg: .ascii "hi"',
  "",
].join("\n");

test("guarded and in-process assembly give the same bytes", async () => {
  const plain = await assemble(PROGRAM, { file: "p.s" });
  const guarded = await assemble(PROGRAM, { file: "p.s", guard: true });
  const view = (p: typeof plain) =>
    Object.entries(p.sections).map(([name, s]) => [name, s.address, Buffer.from(s.bytes).toString("hex")]);
  assert.deepEqual(view(guarded), view(plain));
  assert.ok(plain.sections.text.bytes.length > 0);
});

test("a line keystone loops on is an error at that line, in bounded time", async () => {
  const source = PROGRAM.replace("  mov eax, 60", "  mov eax, 60\n.0");
  const t0 = performance.now();
  await assert.rejects(
    () => assemble(source, { file: "hang.s", guard: true }),
    (e: unknown) => e instanceof AssemblyError && e.line === 7 && /did not finish/.test(e.message),
  );
  assert.ok(performance.now() - t0 < 60_000);
});

test("abi-lab run FILE.s: the same, from the command line (exit 2)", () => {
  const dir = mkdtempSync(join(tmpdir(), "abi-lab-hang-"));
  writeFileSync(join(dir, "hang.s"), PROGRAM.replace("  syscall", ".zero loop, f\n  syscall"));
  const r = spawnSync(process.execPath, ["bin/abi-lab.js", "run", "--no-cache", join(dir, "hang.s")], {
    encoding: "utf8",
    timeout: 120_000,
  });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /hang\.s:7:1: error: .*did not finish/);
});
