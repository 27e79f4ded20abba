import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import type { RuleName } from "../../src/abi/conventions.js";
import { FunctionLab } from "../../src/lab/function-lab.js";

/** A correct System V function: sum of i for i in 1..n, each addition a call into runtime-rs. */
const CORRECT = `
.intel_syntax noprefix
.globl triangle
triangle:
    push rbx                 # callee-saved: we keep n in rbx
    push r12                 # and the sum in r12
    sub rsp, 8               # align: 2 pushes + return address = 24 bytes; rsp must be 0 mod 16 at calls
    mov rbx, rdi
    xor r12d, r12d
.loop:
    test rbx, rbx
    jz .done
    mov rdi, r12
    mov rsi, rbx
    call rt_add_i64
    mov r12, rax
    dec rbx
    jmp .loop
.done:
    mov rax, r12
    add rsp, 8
    pop r12
    pop rbx
    ret
`;

/** Each mutant breaks one rule of the convention, and must be caught with that rule named. */
const MUTANTS: { name: string; rule: RuleName; source: string }[] = [
  {
    name: "drop the alignment sub",
    rule: "stack-alignment",
    source: CORRECT.replace("    sub rsp, 8  ", "    # no alignment").replace("    add rsp, 8\n", ""),
  },
  {
    name: "clobber rbx (no save/restore)",
    rule: "callee-saved",
    source: CORRECT.replace("    push rbx ", "    push rcx ").replace("    pop rbx\n", "    pop rcx\n"),
  },
  {
    name: "clobber r12 in a shim",
    rule: "callee-saved",
    source: CORRECT.replace("    pop r12\n", "    pop rcx\n    mov r12, rcx\n    add r12, 1\n"),
  },
  {
    name: "leave rsp unbalanced",
    rule: "stack-balance",
    source: CORRECT.replace("    pop rbx\n    ret", "    pop rbx\n    ret 8"),
  },
  {
    name: "write below the red zone",
    rule: "red-zone",
    source: CORRECT.replace("    mov rax, r12\n", "    mov rax, r12\n    mov qword ptr [rsp - 512], rax\n"),
  },
  {
    name: "data below rsp across a call",
    rule: "red-zone",
    source: CORRECT.replace("    call rt_add_i64", "    mov qword ptr [rsp - 8], rbx\n    call rt_add_i64"),
  },
  {
    name: "direction flag set at a call",
    rule: "direction-flag",
    source: CORRECT.replace("    call rt_add_i64", "    std\n    call rt_add_i64\n    cld"),
  },
];

test("the correct function computes n(n+1)/2 with no violation, for any n", async () => {
  const lab = await FunctionLab.fromAssembly(CORRECT, "triangle.s");
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 200 }), (n) => {
      const r = lab.call("triangle", [n]);
      assert.ok(r.returned, r.report);
      assert.equal(r.rax, BigInt((n * (n + 1)) / 2));
      assert.deepEqual(r.violations, []);
    }),
    { numRuns: 25 },
  );
});

test("mutation testing: every mutant is caught, with the rule named (catch rate 100%)", async () => {
  let caught = 0;
  for (const m of MUTANTS) {
    assert.notEqual(m.source, CORRECT, `mutant '${m.name}' did not change the code`);
    const lab = await FunctionLab.fromAssembly(m.source, `${m.name}.s`);
    const r = lab.call("triangle", [5]);
    const rules = r.violations.map((v) => v.rule);
    assert.ok(
      rules.includes(m.rule),
      `${m.name}: expected ${m.rule}, got [${rules.join(", ")}] ${r.report ?? ""}`,
    );
    caught++;
  }
  assert.equal(caught / MUTANTS.length, 1);
});

test("calls with more than six arguments: the 7th and 8th arrive on the stack", async () => {
  const src = `
.intel_syntax noprefix
.globl sum8
sum8:
    lea rax, [rdi + rsi]
    add rax, rdx
    add rax, rcx
    add rax, r8
    add rax, r9
    add rax, qword ptr [rsp + 8]     # 7th
    add rax, qword ptr [rsp + 16]    # 8th
    ret
`;
  const lab = await FunctionLab.fromAssembly(src, "sum8.s");
  fc.assert(
    fc.property(fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 8, maxLength: 8 }), (xs) => {
      const r = lab.call("sum8", xs);
      assert.equal(BigInt.asIntN(64, r.rax), BigInt(xs.reduce((a, b) => a + b, 0)));
      assert.deepEqual(r.violations, []);
    }),
    { numRuns: 20 },
  );
});
