import assert from "node:assert/strict";
import { test } from "node:test";
import { assemble, scanSymbols, type AssembledProgram } from "../../src/assembler/index.js";

const place = () => ({ text: 0x401000, rodata: 0x402000, data: 0x403000, bss: 0x404000 });

async function asm(src: string, externals = new Map<string, number>()): Promise<AssembledProgram> {
  return assemble(src, { file: "t.s", externals, place });
}

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const u64 = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset).getBigUint64(at, true);

void test("data directives emit the bytes GNU as emits", async () => {
  const p = await asm(
    [
      ".data",
      "a: .byte 1, 0xff, 'A'",
      "b: .word 0x1234",
      "   .short 7",
      "   .value 8",
      "c: .long -1",
      "   .int 2",
      "d: .quad 0x1122334455667788",
      'e: .ascii "hi\\n"',
      '   .asciz "z"',
      '   .string "ok"',
      "   .zero 2",
      "   .fill 3, 2, 0x41",
      "   .skip 1",
      "   .space 2, 9",
    ].join("\n"),
  );
  assert.equal(
    hex(p.sections.data.bytes),
    "01ff41" +
      "3412" +
      "0700" +
      "0800" +
      "ffffffff" +
      "02000000" +
      "8877665544332211" +
      "68690a" +
      "7a00" +
      "6f6b00" +
      "0000" +
      "410041004100" +
      "00" +
      "0909",
  );
  assert.equal(p.symbols.get("e")?.address, 0x403000 + 3 + 2 + 2 + 2 + 4 + 4 + 8);
});

void test("alignment directives pad with nops in code and zeros in data; sections report their alignment", async () => {
  const p = await asm(
    [
      ".text",
      "  nop",
      "  .p2align 4",
      "f16: ret",
      "  .balign 8",
      "f8: ret",
      "  .align 4",
      "f4: ret",
      ".data",
      "  .byte 1",
      "  .p2align 3",
      "q: .quad 5",
    ].join("\n"),
  );
  assert.equal(p.symbols.get("f16")?.address, 0x401010);
  assert.equal(p.symbols.get("f8")?.address, 0x401018);
  assert.equal(p.symbols.get("f4")?.address, 0x40101c);
  assert.equal(p.symbols.get("q")?.address, 0x403008);
  assert.deepEqual([...p.sections.data.bytes.subarray(1, 8)], [0, 0, 0, 0, 0, 0, 0]);
  assert.equal(p.sections.text.align, 16);
  assert.equal(p.sections.data.align, 8);
});

void test("comments (# and ;), labels with dots, underscores and dollars, several labels on a line", async () => {
  const p = await asm(
    [
      ".intel_syntax noprefix",
      "# a comment line",
      "_a.b$c: x_1: mov eax, 1 ; trailing comment",
      ".Llocal:   # comment after a label",
      "  jmp _a.b$c  # back",
      '  .ascii "not # a comment ; either"',
    ].join("\n"),
  );
  assert.equal(p.symbols.get("_a.b$c")?.address, 0x401000);
  assert.equal(p.symbols.get("x_1")?.address, 0x401000);
  assert.equal(p.symbols.get(".Llocal")?.address, 0x401005);
  assert.equal(hex(p.sections.text.bytes.subarray(0, 7)), "b801000000ebf9");
  assert.match(Buffer.from(p.sections.text.bytes.subarray(7)).toString("latin1"), /not # a comment ; either/);
});

void test("lines: every line that emits bytes has its address, size, line, column and text", async () => {
  const src = ["main:", "    push rbp", "", "    mov rbp, rsp  # frame", "    pop rbp", "    ret"].join("\n");
  const p = await asm(src);
  assert.deepEqual(
    p.lines.map((l) => [l.address, l.size, l.line, l.column, l.text, l.file, l.section]),
    [
      [0x401000, 1, 2, 5, "    push rbp", "t.s", "text"],
      [0x401001, 3, 4, 5, "    mov rbp, rsp  # frame", "t.s", "text"],
      [0x401004, 1, 5, 5, "    pop rbp", "t.s", "text"],
      [0x401005, 1, 6, 5, "    ret", "t.s", "text"],
    ],
  );
});

void test(".globl/.type/.size/.local are recorded: symbols get binding, kind and size", async () => {
  const p = await asm(
    [
      ".globl f",
      ".type f, @function",
      "f:",
      "  mov eax, 2",
      "  ret",
      ".size f, .-f",
      ".local g",
      "g: ret",
      ".data",
      ".type obj, @object",
      ".size obj, 8",
      "obj: .quad 1",
    ].join("\n"),
  );
  assert.deepEqual(p.symbols.get("f"), {
    name: "f",
    address: 0x401000,
    section: "text",
    global: true,
    kind: "function",
    size: 6,
  });
  assert.equal(p.symbols.get("g")?.global, false);
  assert.equal(p.symbols.get("g")?.kind, "label");
  assert.equal(p.symbols.get("obj")?.kind, "object");
  assert.equal(p.symbols.get("obj")?.size, 8);
});

void test("cross-section references: text → rodata string (rip-relative lea), data → text (.quad)", async () => {
  const p = await asm(
    [
      ".text",
      "start:",
      "  lea rsi, [rip + greeting]",
      "  mov rax, qword ptr [rip + table + 8]",
      "  ret",
      ".section .rodata",
      'greeting: .asciz "hello"',
      ".data",
      "table: .quad start, greeting",
    ].join("\n"),
  );
  const text = new DataView(p.sections.text.bytes.buffer, p.sections.text.bytes.byteOffset);
  assert.equal(0x401007 + text.getInt32(3, true), 0x402000);
  assert.equal(0x40100e + text.getInt32(10, true), 0x403008);
  assert.equal(u64(p.sections.data.bytes, 0), 0x401000n);
  assert.equal(u64(p.sections.data.bytes, 8), 0x402000n);
  assert.equal(Buffer.from(p.sections.rodata.bytes).toString("latin1"), "hello\0");
});

void test("section names route to text, rodata, data and bss; other sections are dropped", async () => {
  const p = await asm(
    [
      '.section .text.startup,"ax",@progbits',
      "f: ret",
      '.section .rodata.str1.1,"aMS",@progbits,1',
      's: .asciz "x"',
      ".section .data.rel.local",
      "d: .quad 1",
      ".bss",
      "z: .zero 32",
      '.section .note.GNU-stack,"",@progbits',
      ".previous",
      "z2: .zero 8",
    ].join("\n"),
  );
  assert.equal(p.symbols.get("f")?.section, "text");
  assert.equal(p.symbols.get("s")?.section, "rodata");
  assert.equal(p.symbols.get("d")?.section, "data");
  assert.equal(p.symbols.get("z")?.section, "bss");
  assert.equal(p.symbols.get("z2")?.address, 0x404020, ".previous returns to .bss");
  assert.equal(p.sections.bss.size, 40);
  assert.equal(p.sections.bss.bytes.length, 0);
});

void test("numeric local labels: 1b and 1f find the nearest definition", async () => {
  const p = await asm(
    ["1: dec ecx", "  jnz 1b", "  jmp 1f", "  nop", "1: jmp 2f", "2: ret", "  jmp 1b"].join("\n"),
  );
  // dec ecx (2) ; jnz -4 ; jmp +1 ; nop ; jmp +0 ; ret ; jmp back to the second 1:
  assert.equal(hex(p.sections.text.bytes), "ffc9" + "75fc" + "eb01" + "90" + "eb00" + "c3" + "ebfb");
  assert.ok(![...p.symbols.keys()].some((k) => k.includes("abi")), "renamed labels stay internal");
});

void test(".set, .equ and = constants, also used from another section", async () => {
  const p = await asm(
    [
      ".equ SYS_WRITE, 1",
      "SYS_EXIT = 60",
      ".text",
      "  mov eax, SYS_WRITE",
      "  mov edx, msg_len",
      "  mov eax, SYS_EXIT",
      ".data",
      'msg: .ascii "hello\\n"',
      ".set msg_len, . - msg",
    ].join("\n"),
  );
  assert.equal(hex(p.sections.text.bytes), "b801000000" + "ba06000000" + "b83c000000");
});

void test(".comm and .lcomm reserve zeros in bss", async () => {
  const p = await asm([".comm buffer, 64, 16", ".lcomm counter, 8", "f: lea rax, [rip + buffer]"].join("\n"));
  assert.equal(p.symbols.get("buffer")?.section, "bss");
  assert.equal(p.symbols.get("buffer")?.global, true);
  assert.equal(p.symbols.get("counter")?.address, 0x404040);
  assert.equal(p.sections.bss.size, 72);
});

void test("AT&T syntax: immediates, symbols as immediates, rip-relative and ; separators", async () => {
  const p = await asm(
    [
      ".att_syntax",
      "_start:",
      "  movq $60, %rax",
      "  leaq msg(%rip), %rsi",
      "  movq $msg, %rdi",
      "  rep; movsb",
      "  call ext",
      ".data",
      'msg: .asciz "hi"',
    ].join("\n"),
    new Map([["ext", 0x500000]]),
  );
  const b = p.sections.text.bytes;
  const v = new DataView(b.buffer, b.byteOffset);
  assert.equal(hex(b.subarray(0, 7)), "48c7c03c000000");
  assert.equal(0x40100e + v.getInt32(10, true), 0x403000);
  assert.equal(v.getInt32(17, true), 0x403000);
  assert.equal(hex(b.subarray(21, 23)), "f3a4");
  assert.equal(0x40101c + v.getInt32(24, true), 0x500000);
  assert.equal(p.syntax, "att");
});

void test("scanSymbols: labels, globals and references without assembling", () => {
  const s = scanSymbols(
    [
      ".globl scheme_entry",
      "scheme_entry:",
      "  call rt_write",
      "  lea rdi, [rip + local_data]",
      "  mov rax, qword ptr [rbx + 8]",
      "  jmp 1f",
      "1: ret",
      ".data",
      "local_data: .quad other_symbol",
    ].join("\n"),
  );
  assert.deepEqual([...s.labels].sort(), ["local_data", "scheme_entry"]);
  assert.deepEqual([...s.globals], ["scheme_entry"]);
  assert.deepEqual([...s.references].sort(), ["other_symbol", "rt_write"]);
});

void test("a place callback gets sizes and alignments and is asked again until the layout is stable", async () => {
  const calls: [number, number][] = [];
  const p = await assemble(".text\nf: lea rax, [rip + d]\n.data\n.p2align 4\nd: .quad 1\n", {
    file: "t.s",
    place: (sizes, aligns) => {
      calls.push([sizes.text, aligns.data]);
      return { text: 0x700000, rodata: 0x700000 + sizes.text, data: 0x800000, bss: 0x900000 };
    },
  });
  assert.ok(calls.length >= 2);
  assert.deepEqual(calls.at(-1), [7, 16]);
  assert.equal(p.sections.text.address, 0x700000);
  assert.equal(p.symbols.get("d")?.address, 0x800000);
});

void test("@PLT is a plain call; mov reg, [rip + sym@GOTPCREL] becomes lea (as ld relaxes it)", async () => {
  const externals = new Map([["f", 0x500000]]);
  const intel = await asm(
    ["call f@PLT", "mov rax, QWORD PTR f@GOTPCREL[rip]", "mov rcx, qword ptr [rip + f@GOTPCREL]"].join("\n"),
    externals,
  );
  const plain = await asm(["call f", "lea rax, [rip + f]", "lea rcx, [rip + f]"].join("\n"), externals);
  assert.equal(hex(intel.sections.text.bytes), hex(plain.sections.text.bytes));
  const att = await asm(".att_syntax\ncall f@PLT\nmovq f@GOTPCREL(%rip), %rax\n", externals);
  assert.equal(hex(att.sections.text.bytes), hex(plain.sections.text.bytes.subarray(0, 12)));
});
