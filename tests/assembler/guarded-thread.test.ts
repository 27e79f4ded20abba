/**
 * The guarded assembler's thread outlives one file: the next file takes it (with a new keystone
 * instance), so that a process that assembles many files (a grader) starts it once.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { assemble, AssemblyError } from "../../src/assembler/index.js";
import { GuardedAssembler, prestartAssembler } from "../../src/assembler/guarded-assembler.js";
import { KeystoneTimeout } from "../../src/assembler/keystone.js";

const program = (n: number) =>
  [".intel_syntax noprefix", ".globl f", "f:", `  mov eax, ${n}`, "  ret", ""].join("\n");

const bytesOf = async (source: string, guard: boolean) =>
  Buffer.from((await assemble(source, { file: "f.s", guard })).sections.text.bytes).toString("hex");

test("files assembled one after another in the kept thread give the bytes they give in process", async () => {
  for (let n = 1; n <= 4; n++)
    assert.equal(await bytesOf(program(n), true), await bytesOf(program(n), false));
  // keystone's error on a file is that file's only: the next one assembles.
  await assert.rejects(
    () => assemble(program(1).replace("mov eax", "mov eaxx"), { file: "bad.s", guard: true }),
    AssemblyError,
  );
  assert.equal(await bytesOf(program(5), true), await bytesOf(program(5), false));
});

test("a kept thread starts the next file sooner than a new thread starts", () => {
  const first = (a: GuardedAssembler) => {
    const started = performance.now();
    a.asm(program(1), 0x401000);
    return performance.now() - started;
  };
  const kept: number[] = [];
  for (let k = 0; k < 5; k++) {
    const a = new GuardedAssembler();
    kept.push(first(a));
    a.close();
  }
  // Two assemblers at once: the second cannot take the first's thread and starts its own.
  const holder = new GuardedAssembler();
  first(holder);
  const other = new GuardedAssembler();
  const fresh = first(other);
  other.close();
  holder.close();
  const median = kept.sort((a, b) => a - b)[2];
  assert.ok(median < fresh, `kept thread ${median.toFixed(1)} ms, new thread ${fresh.toFixed(1)} ms`);
});

test("after a call that ran out of time, the next assembler gets a working thread", () => {
  prestartAssembler();
  const hung = new GuardedAssembler(300);
  hung.asm(program(1), 0x401000);
  // keystone loops forever on this line (see keystone-hang.test.ts)
  assert.throws(() => hung.asm(".intel_syntax noprefix\n.zero loop, f\n", 0x401000), KeystoneTimeout);
  hung.close();
  const next = new GuardedAssembler();
  assert.ok(next.asm(program(2), 0x401000).length > 0);
  next.close();
});
