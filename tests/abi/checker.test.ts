import assert from "node:assert/strict";
import { test } from "node:test";
import { AbiChecker, type Violation } from "../../src/abi/checker.js";
import { SYSTEM_V } from "../../src/abi/conventions.js";
import { assemble } from "../../src/assembler/index.js";
import { Machine } from "../../src/emulator/index.js";
import { Perm } from "../../src/emulator/types.js";

const CODE = 0x400000;
const STACK_TOP = 0x800000;
const DONE = 0x3ff000;

/**
 * Run `main` (System V: called with rsp ≡ 8 mod 16) with the checker watching every call.
 * Returns the violations. `main` returns to DONE, where a breakpoint stops the run.
 */
async function violationsOf(source: string): Promise<Violation[]> {
  const p = await assemble(".intel_syntax noprefix\n" + source, {
    file: "t.s",
    externals: new Map(),
    place: () => ({ text: CODE, rodata: CODE + 0x10000, data: CODE + 0x20000, bss: CODE + 0x30000 }),
  });
  const m = new Machine();
  m.memory.map(CODE, 0x1000, Perm.read | Perm.exec);
  m.memory.writeBytes(CODE, p.sections.text.bytes);
  m.memory.map(DONE, 0x1000, Perm.read | Perm.exec);
  m.memory.map(STACK_TOP - 0x10000, 0x10000, Perm.read | Perm.write);
  const violations: Violation[] = [];
  const checker = new AbiChecker(m, {
    conventionOf: () => SYSTEM_V,
    nameOf: (a) => `0x${a.toString(16)}`,
    onViolation: (v) => violations.push(v),
  });
  m.addObserver(checker);
  const rsp = STACK_TOP - 0x100 - 8;
  m.memory.write64(rsp, BigInt(DONE));
  m.setRegister("rsp", BigInt(rsp));
  m.rip = p.symbols.get("main")!.address;
  checker.onCall({ rip: DONE, returnAddress: DONE, target: m.rip, rsp: rsp + 8 });
  m.addBreakpoint(DONE);
  const stop = m.run(10_000);
  assert.equal(stop.kind, "breakpoint", `stopped with ${JSON.stringify(stop)}`);
  return violations;
}

const rules = (vs: Violation[]) => vs.map((v) => v.rule);

const GOOD = `
main:
  push rbx
  mov rbx, 5
  call leaf
  pop rbx
  ret
leaf:
  mov rax, rdi
  mov qword ptr [rsp - 8], rax   # the red zone: fine in a leaf
  ret
`;

test("a correct caller and callee make no violations", async () => {
  assert.deepEqual(await violationsOf(GOOD), []);
});

test("a call with rsp off by 8 is a stack-alignment violation, at the call instruction", async () => {
  const vs = await violationsOf(
    GOOD.replace("  push rbx\n  mov rbx, 5\n", "  mov r8, 5\n").replace("  pop rbx\n", ""),
  );
  assert.deepEqual(rules(vs), ["stack-alignment"]);
  assert.match(vs[0].message, /8 bytes off a multiple of 16/);
});

test("a callee that changes rbx (callee-saved) without restoring it", async () => {
  const vs = await violationsOf(GOOD.replace("  mov rax, rdi\n", "  mov rax, rdi\n  mov rbx, 99\n"));
  assert.deepEqual(rules(vs), ["callee-saved"]);
  assert.equal(vs[0].values.register, "rbx");
});

test("a callee that leaves rsp unbalanced", async () => {
  const src = (ret: string) => `
main:
  push rbp
  mov rbp, rsp
  call callee
  mov rsp, rbp     # main survives a wrong rsp thanks to its frame pointer
  pop rbp
  ret
callee:
  mov rax, 1
  ${ret}
`;
  assert.deepEqual(await violationsOf(src("ret")), []);
  const vs = await violationsOf(src("ret 8     # pops 8 bytes the caller still owns"));
  assert.deepEqual(rules(vs), ["stack-balance"]);
  assert.match(vs[0].message, /\+8 bytes/);
});

test("writing below the red zone, and data below rsp across a call", async () => {
  const deep = GOOD.replace("mov qword ptr [rsp - 8], rax", "mov qword ptr [rsp - 200], rax");
  assert.deepEqual(rules(await violationsOf(deep)), ["red-zone"]);
  const across = GOOD.replace(
    "  mov rbx, 5\n  call leaf",
    "  mov rbx, 5\n  mov qword ptr [rsp - 16], rbx\n  call leaf",
  );
  assert.deepEqual(rules(await violationsOf(across)), ["red-zone"]);
});

test("the direction flag set at a call", async () => {
  const vs = await violationsOf(GOOD.replace("  call leaf", "  std\n  call leaf\n  cld"));
  // at the call, and again when the callee returns without clearing it
  assert.deepEqual(rules(vs), ["direction-flag", "direction-flag"]);
  assert.match(vs[0].message, /^call to .* with the direction flag set/);
});
