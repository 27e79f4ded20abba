import assert from "node:assert/strict";
import { test } from "node:test";
import { assemble, AssemblyError, scanReferences } from "../../src/assembler/index.js";

const place = () => ({ text: 0x401000, rodata: 0x402000, data: 0x403000, bss: 0x404000 });

void test("labels, lines and cross-section references get the right addresses", async () => {
  const src = [
    ".intel_syntax noprefix",
    ".text",
    ".globl main",
    "main:",
    "    lea rax, [rip + msg]   # rip-relative into .data",
    "    call helper",
    "    ret",
    "helper:",
    "    mov eax, 1",
    "    ret",
    ".data",
    "msg: .quad main + 1",
  ].join("\n");
  const p = await assemble(src, { file: "t.s", externals: new Map(), place });
  assert.equal(p.symbols.get("main")?.address, 0x401000);
  assert.equal(p.symbols.get("main")?.global, true);
  assert.equal(p.symbols.get("msg")?.address, 0x403000);
  const lea = p.lines.find((l) => l.line === 5)!;
  assert.equal(lea.address, 0x401000);
  assert.equal(lea.size, 7);
  // disp32 = msg - next instruction
  const disp = new DataView(p.sections.text.bytes.buffer).getInt32(3, true);
  assert.equal(0x401007 + disp, 0x403000);
  // .quad main + 1 in data
  assert.equal(new DataView(p.sections.data.bytes.buffer).getBigUint64(0, true), 0x401001n);
  assert.equal(p.symbols.get("helper")?.address, 0x401000 + 7 + 5 + 1);
});

void test("externals: call and rip-relative lea both reach the absolute address", async () => {
  const src = ".intel_syntax noprefix\nf:\n  call writeln\n  lea rdi, [rip + rt_data]\n  ret\n";
  const externals = new Map([
    ["writeln", 0x500000],
    ["rt_data", 0x600010],
  ]);
  const p = await assemble(src, { file: "t.s", externals, place });
  const v = new DataView(p.sections.text.bytes.buffer);
  assert.equal(0x401005 + v.getInt32(1, true), 0x500000);
  assert.equal(0x40100c + v.getInt32(8, true), 0x600010);
  assert.deepEqual([...p.referencedExternals].sort(), ["rt_data", "writeln"]);
});

void test("AT&T syntax is accepted", async () => {
  const p = await assemble(".att_syntax\nf:\n  movq %rsp, %rbp\n  ret\n", {
    file: "t.s",
    externals: new Map(),
    place,
  });
  assert.deepEqual([...p.sections.text.bytes], [0x48, 0x89, 0xe5, 0xc3]);
});

async function errorOf(src: string, externals = new Map<string, number>()): Promise<AssemblyError> {
  try {
    await assemble(src, { file: "bad.s", externals, place });
  } catch (e) {
    assert.ok(e instanceof AssemblyError, String(e));
    return e;
  }
  assert.fail("expected an AssemblyError");
}

void test("a bad mnemonic is reported at its line and column, with the line shown", async () => {
  const e = await errorOf(".intel_syntax noprefix\nf:\n    mov rax, 1\n    movq2 rax, 2\n    ret\n");
  assert.equal(e.location?.line, 4);
  assert.equal(e.location?.column, 5);
  assert.match(e.format(), /^bad\.s:4:5: error: invalid mnemonic 'movq2'\n {2}\s+movq2 rax, 2\n/);
});

void test("a bad operand and an undefined symbol are located too", async () => {
  const bad = await errorOf(".intel_syntax noprefix\nf:\n  ret\n  mov rax, qword ptr [rax + rbx*3]\n");
  assert.equal(bad.location?.line, 4);
  const undef = await errorOf(".intel_syntax noprefix\nf:\n  nop\n  call nowhere\n");
  assert.equal(undef.location?.line, 4);
  assert.match(undef.message, /undefined symbol 'nowhere'/);
});

void test("scanReferences lists what a file uses but does not define", () => {
  const refs = scanReferences(
    ".intel_syntax noprefix\nf:\n  call writeln\n  lea rax, [rip + f]\n  mov rax, qword ptr [rbx + 8]\n",
  );
  assert.deepEqual([...refs], ["writeln"]);
});
