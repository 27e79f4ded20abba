/**
 * GNU as and ld as an oracle: the same file, assembled by us and by binutils at the same
 * addresses, gives the same bytes in every section.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { assemble } from "../../src/assembler/index.js";

const made: string[] = [];
process.on("exit", () => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});
const tempDir = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
};

const hasBinutils = ["as", "ld", "objcopy"].every((t) => spawnSync(t, ["--version"]).status === 0);

const ADDRESSES = { text: 0x401000, rodata: 0x404000, data: 0x405000, bss: 0x406000 };
const EXTERNALS = new Map([
  ["rt_write", 0x480000],
  ["rt_table", 0x4a0010],
]);

const INTEL = String.raw`
.intel_syntax noprefix
.text
.globl scheme_entry
scheme_entry:
    push rbp
    mov rbp, rsp
    push rbx
    sub rsp, 24
    mov r12, rdi
    lea rdi, [rip + message]
    lea rsi, [rip + message + 5]
    mov rax, qword ptr [rip + counter]
    add qword ptr [rip + counter], 1
    mov rcx, qword ptr [rip + rt_table]
    call rt_write
    call helper
    movabs rax, 0x1122334455667788
    mov eax, dword ptr [rbx + 4*rcx + 16]
    movzx ecx, byte ptr [rdi]
    movsx rax, word ptr [rsi - 2]
    imul rax, rcx, 24
    cqo
    idiv rcx
    test al, 7
    jne .Lfar
    cmp rax, 8
    jl 1f
    shl rax, 3
    sar rdx, cl
1:  sete al
    cmovg rax, rbx
    xor eax, eax
    rep stosb
    movsd xmm0, qword ptr [rip + pi]
    addsd xmm0, xmm1
    cvttsd2si rax, xmm0
    movaps xmmword ptr [rsp], xmm0
    jmp qword ptr [rip + offset_table + 8]
.Lfar:
    .zero 200, 0x90
    lea rax, [rip + .Lfar]
    jmp .Lfar
helper:
    mov rax, 42 << 3
    leave
    ret
.section .rodata
message: .asciz "hello, world"
pi: .quad 0x400921fb54442d18
.data
.p2align 3
counter: .quad 0
offset_table: .quad scheme_entry, helper, message, rt_write, counter + 8
.long 1, 2, 3
.bss
buffer: .zero 64
`;

const ATT = String.raw`
.att_syntax
.text
.globl _start
_start:
    movq $60, %rax
    leaq msg(%rip), %rsi
    movq $msg, %rdi
    movl 16(%rsp), %eax
    addq $-8, %rsp
    movb $10, (%rdi)
    call rt_write
    jmp *tbl(,%rax,8)
    rep; movsb
    ret
.data
msg: .ascii "hi\n"
tbl: .quad _start, msg
`;

function gnu(
  dir: string,
  name: string,
  source: string,
  addresses: typeof ADDRESSES = ADDRESSES,
): Record<"text" | "rodata" | "data", Buffer> {
  writeFileSync(join(dir, `${name}.s`), source);
  execFileSync("as", ["-o", join(dir, `${name}.o`), join(dir, `${name}.s`)]);
  const hex = (n: number) => `0x${n.toString(16)}`;
  execFileSync("ld", [
    "-o",
    join(dir, name),
    "-e",
    "0",
    `-Ttext=${hex(addresses.text)}`,
    `--section-start=.rodata=${hex(addresses.rodata)}`,
    `-Tdata=${hex(addresses.data)}`,
    `-Tbss=${hex(addresses.bss)}`,
    ...[...EXTERNALS].flatMap(([k, v]) => ["--defsym", `${k}=${hex(v)}`]),
    join(dir, `${name}.o`),
  ]);
  const section = (s: string) => {
    const out = join(dir, `${name}${s}.bin`);
    execFileSync("objcopy", ["-O", "binary", "-j", s, join(dir, name), out]);
    return readFileSync(out);
  };
  return { text: section(".text"), rodata: section(".rodata"), data: section(".data") };
}

for (const [syntax, source] of [
  ["Intel", INTEL],
  ["AT&T", ATT],
] as const) {
  void test(
    `${syntax} syntax: every section matches GNU as + ld byte for byte`,
    { skip: !hasBinutils && "binutils (as, ld, objcopy) not installed" },
    async () => {
      const ours = await assemble(source, { file: "oracle.s", externals: EXTERNALS, place: () => ADDRESSES });
      const theirs = gnu(tempDir("abi-lab-as-"), "oracle", source);
      for (const s of ["text", "rodata", "data"] as const)
        assert.equal(Buffer.from(ours.sections[s].bytes).toString("hex"), theirs[s].toString("hex"), `.${s}`);
    },
  );
}

const hasGcc = spawnSync("gcc", ["--version"]).status === 0;

const C_SOURCE = String.raw`
static const char *names[] = { "a", "bb", "ccc" };
int counter;
static long table[16];
double scale = 2.5;
long f(long i, long *p) { counter++; table[i & 15] += p[i]; return table[3] + (long)names[i % 3][0]; }
double g(double x) { return x * scale + 1.0; }
int h(int n) { int s = 0; for (int i = 0; i < n; i++) s += i * i; return s; }
void k(char *d, const char *s, unsigned long n) { while (n--) *d++ = *s++; }
`;

for (const opt of ["-O0", "-O2"])
  void test(
    `gcc -masm=intel ${opt} output (sym[rip], .LC0, table[0+rax*8], .local/.comm) matches GNU as`,
    { skip: !(hasBinutils && hasGcc) && "gcc or binutils not installed" },
    async () => {
      const dir = tempDir("abi-lab-gcc-");
      writeFileSync(join(dir, "t.c"), C_SOURCE);
      // Alignment padding is left out: GNU as and LLVM choose different (equivalent) nops.
      execFileSync("gcc", [
        "-S",
        "-masm=intel",
        opt,
        "-fno-pic",
        "-fno-asynchronous-unwind-tables",
        "-fno-align-functions",
        "-fno-align-loops",
        "-fno-align-jumps",
        "-fno-align-labels",
        "-o",
        join(dir, "t.s"),
        join(dir, "t.c"),
      ]);
      const source = readFileSync(join(dir, "t.s"), "utf8");
      const ours = await assemble(source, { file: "t.s", place: () => ADDRESSES });
      const theirs = gnu(dir, "t", source);
      for (const s of ["text", "rodata", "data"] as const)
        assert.equal(Buffer.from(ours.sections[s].bytes).toString("hex"), theirs[s].toString("hex"), `.${s}`);
      assert.equal(ours.symbols.get("f")?.kind, "function");
      assert.ok((ours.symbols.get("f")?.size ?? 0) > 0);
      assert.equal(ours.symbols.get("table")?.global, false);
    },
  );

/** A file far bigger than one keystone call can take (its wasm memory is 16 MiB). */
function bigProgram(): string {
  // (A constant used before its definition is a memory operand for GNU as: define it first.)
  const lines = [
    ".intel_syntax noprefix",
    "buffer_size = 1 << 24",
    ".text",
    ".globl big_entry",
    "big_entry:",
  ];
  const n = 3000;
  for (let i = 0; i < n; i++) {
    lines.push(`L${i}:`, `    add rax, ${i}`, "    cmp rax, rbx");
    lines.push(`    jne L${(i * 7919) % n}`); // jumps forward and back, near and far, across chunks
    if (i % 10 === 0) lines.push(`    lea rsi, [rip + table_${i % 50}]`, `    call rt_write`);
    if (i % 97 === 0) lines.push(`    jmp 1f`, `    nop`, `1:  mov edx, buffer_size`);
  }
  lines.push("    ret", ".data");
  for (let j = 0; j < 50; j++) lines.push(`table_${j}: .quad L${j * 37}, big_entry`);
  lines.push("big_gap: .zero 100000", "after_gap: .quad after_gap", ".bss");
  lines.push("huge: .zero buffer_size", "  .byte 0", ".p2align 6", "tail: .skip 8");
  return lines.join("\n") + "\n";
}

void test(
  "a 13,000-line file (chunks, cross-chunk jumps, a 100 kB fill, a 16 MiB bss) matches GNU as",
  { skip: !hasBinutils && "binutils (as, ld, objcopy) not installed" },
  async () => {
    const source = bigProgram();
    const at = { text: 0x401000, rodata: 0x500000, data: 0x600000, bss: 0x700000 };
    const ours = await assemble(source, { file: "big.s", externals: EXTERNALS, place: () => at });
    const theirs = gnu(tempDir("abi-lab-big-"), "big", source, at);
    for (const s of ["text", "data"] as const)
      assert.equal(Buffer.from(ours.sections[s].bytes).equals(theirs[s]), true, `.${s} differs`);
    assert.equal(ours.sections.bss.size, (1 << 24) + 64 + 8);
    assert.equal(ours.symbols.get("tail")?.address, at.bss + (1 << 24) + 64);
    assert.ok(ours.lines.length > 9000, "every instruction line has its address");
  },
);
