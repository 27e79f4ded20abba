import assert from "node:assert/strict";
import { test } from "node:test";
import { assemble, AssemblyError } from "../../src/assembler/index.js";

async function errorOf(src: string, externals = new Map<string, number>()): Promise<AssemblyError> {
  try {
    await assemble(src, { file: "hello.s", externals });
  } catch (e) {
    assert.ok(e instanceof AssemblyError, `expected an AssemblyError, got ${String(e)}`);
    return e;
  }
  assert.fail("expected an AssemblyError");
}

const program = (bad: string, at: number, total = 40) => {
  const lines = [".intel_syntax noprefix", ".text", "f:"];
  while (lines.length < total) lines.push(lines.length % 3 ? "  add rax, 1" : "  mov rbx, rax");
  lines.splice(at - 1, 0, bad);
  return lines.join("\n") + "\n";
};

void test("a bad mnemonic on line N: FILE:LINE:COL, the line and a caret", async () => {
  for (const at of [4, 17, 40]) {
    const e = await errorOf(program("  movq2 rax, 2", at));
    assert.equal(e.file, "hello.s");
    assert.equal(e.line, at);
    assert.equal(e.column, 3);
    assert.equal(e.message, "invalid mnemonic 'movq2'");
    assert.equal(e.sourceText, "  movq2 rax, 2");
    assert.equal(e.toString(), `hello.s:${at}:3: error: invalid mnemonic 'movq2'\n    movq2 rax, 2\n    ^`);
    assert.equal(e.format(), e.toString());
  }
});

void test("a bad operand points at the operands", async () => {
  const e = await errorOf(program("    mov rax, qword ptr [rax + rbx*3]", 12));
  assert.equal(e.line, 12);
  assert.equal(e.column, 9);
  assert.match(e.message, /invalid operand for 'mov'/);
  const size = await errorOf(program("  mov rax, ebx", 5));
  assert.equal(size.line, 5);
  assert.match(size.message, /invalid operand/);
});

void test("an undefined symbol names the symbol and the line and column that first use it", async () => {
  const e = await errorOf(
    [
      ".intel_syntax noprefix",
      "f:",
      "  call known",
      "  lea rdi, [rip + missing_table]",
      "  call missing_table",
    ].join("\n"),
    new Map([["known", 0x500000]]),
  );
  assert.equal(e.line, 4);
  assert.equal(e.column, 19);
  assert.equal(e.message, "undefined symbol 'missing_table'");
  assert.match(e.toString(), /^hello\.s:4:19: error: undefined symbol 'missing_table'\n/);
});

void test("errors in data sections, unknown directives and out-of-range values are located too", async () => {
  const data = await errorOf(".text\nf: ret\n.data\nx: .quad 1\ny: .byte 300\n");
  assert.equal(data.line, 5);
  assert.match(data.message, /value out of range for '\.byte'/);
  const directive = await errorOf("f:\n  nop\n  .frobnicate 3\n");
  assert.equal(directive.line, 3);
  assert.match(directive.message, /unknown directive '\.frobnicate'/);
});

void test("AT&T errors are located as well", async () => {
  const e = await errorOf(".att_syntax\nf:\n  movq %rax, %rbx\n  movq %rax, %%rbx\n  ret\n");
  assert.equal(e.line, 4);
});

void test("the assembler recovers after an error: the next file assembles", async () => {
  await errorOf("f:\n  movq2 rax, 1\n");
  const p = await assemble("f: mov eax, 1\n", { file: "ok.s" });
  assert.deepEqual([...p.sections.text.bytes], [0xb8, 1, 0, 0, 0]);
});

void test("relocation modifiers that need a GOT or TLS are reported, not assembled wrongly", async () => {
  const tls = await errorOf("f:\n  mov eax, dword ptr fs:counter@TPOFF\n", new Map([["counter", 0]]));
  assert.equal(tls.line, 2);
  assert.match(tls.message, /relocation modifier '@TPOFF' is not supported/);
  const got = await errorOf("f:\n  nop\n  add rax, [rip + table@GOTPCREL]\n", new Map([["table", 0x500000]]));
  assert.equal(got.line, 3);
  assert.match(got.message, /use lea reg, \[rip \+ sym\]/);
});

void test("thousands of files (and failures) in one process: keystone's fixed heap does not fill up", async () => {
  for (let i = 0; i < 3000; i++) {
    if (i % 10 === 0) await errorOf("f:\n  movq2 rax, 1\n");
    else await assemble(`f: mov eax, ${i}\n  ret\n.data\nx: .quad f\n`, { file: "many.s" });
  }
});
