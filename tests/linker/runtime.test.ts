/**
 * linkProgram with the real runtime-rs archive: the runtime is laid out first, the program's
 * assembly after it in the same segments, the runtime's `_start` calls the program's
 * `scheme_entry`, and the executable runs natively.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { AssemblyError } from "../../src/assembler/index.js";
import { linkProgram, symbolize, type InputFile } from "../../src/linker/index.js";
import { isLinuxX64, runNative, skipUnlessBuild, Workdir } from "./helpers.js";

const ARCHIVE = join(import.meta.dirname, "..", "..", "runtime-rs", "dist", "libabi_runtime.a");
const skipNoRuntime = existsSync(ARCHIVE)
  ? false
  : "runtime-rs/dist/libabi_runtime.a is not built yet (npm run build:runtime)";
const skipNoNative = skipNoRuntime || (isLinuxX64 ? false : "native runs need Linux x86-64");

const runtime = (): InputFile => ({ path: "libabi_runtime.a", bytes: new Uint8Array(readFileSync(ARCHIVE)) });

const ANSWER = [
  ".intel_syntax noprefix",
  "# scheme_entry(heap, heap_end): returns the fixnum 42 (42 << 3)",
  ".globl scheme_entry",
  "scheme_entry:",
  "    push rbp",
  "    mov rbp, rsp",
  "    mov eax, 42 << 3",
  "    pop rbp",
  "    ret",
].join("\n");

void test(
  "scheme_entry returning fixnum 42 links with runtime-rs and prints 42 natively",
  { skip: skipNoNative },
  async () => {
    const image = await linkProgram({
      programSource: ANSWER,
      programFile: "answer.s",
      archives: [runtime()],
    });
    const r = runNative(image);
    assert.equal(r.stdout, "42\n");
    assert.equal(r.status, 0);
  },
);

void test(
  "layout: the runtime first, the program after it, in the same three segments",
  { skip: skipNoRuntime },
  async () => {
    const image = await linkProgram({
      programSource: ANSWER,
      programFile: "answer.s",
      archives: [runtime()],
    });
    assert.deepEqual(
      image.segments.map((s) => [s.name, s.perm, s.address % 4096]),
      [
        ["text", 5, 0],
        ["rodata", 1, 0],
        ["data", 3, 0],
      ],
    );
    const text = image.segments[0];
    assert.equal(text.address, 0x401000);
    const entry = image.symbols.find((s) => s.name === "scheme_entry")!;
    const start = image.symbols.find((s) => s.name === "_start")!;
    assert.equal(entry.origin, "answer.s");
    assert.equal(start.origin, "libabi_runtime.a(abi_runtime.o)");
    assert.equal(image.entry, start.address);
    assert.ok(entry.address > start.address, "the program's code comes after the runtime's");
    assert.equal(entry.address % 16, 0);
    assert.ok(entry.address + 10 <= text.address + text.memorySize);
    assert.equal(image.sourceFile, "answer.s");
    assert.deepEqual(
      image.lines.map((l) => [l.line, l.text.trim(), l.address - entry.address]),
      [
        [5, "push rbp", 0],
        [6, "mov rbp, rsp", 1],
        [7, "mov eax, 42 << 3", 4],
        [8, "pop rbp", 9],
        [9, "ret", 10],
      ],
    );
    assert.deepEqual(symbolize(image, entry.address + 4), { name: "scheme_entry", offset: 4 });
    // Sorted by address, the runtime's functions are there with their sizes.
    for (let i = 1; i < image.symbols.length; i++)
      assert.ok(image.symbols[i - 1].address <= image.symbols[i].address);
    assert.ok(image.symbols.some((s) => s.name === "writeln" && s.kind === "function" && s.size > 0));
  },
);

void test("a program that calls the runtime and uses rodata and data", { skip: skipNoNative }, async () => {
  // (rt_write_bytes fd bytes length) is one of runtime-rs's C functions.
  const source = [
    ".intel_syntax noprefix",
    "scheme_entry:", // not .globl: the runtime still finds it
    "    push rbx",
    "    mov edi, 1",
    "    lea rsi, [rip + message]",
    "    mov rdx, qword ptr [rip + message_length]",
    "    call rt_write_bytes",
    "    mov eax, 7 << 3",
    "    pop rbx",
    "    ret",
    ".section .rodata",
    'message: .ascii "from the program\\n"',
    ".data",
    "message_length: .quad 17",
  ].join("\n");
  const image = await linkProgram({ programSource: source, programFile: "p.s", archives: [runtime()] });
  assert.equal(runNative(image).stdout, "from the program\n7\n");
});

void test(
  "an unknown function in the program is an AssemblyError at its line, not a link error",
  { skip: skipNoRuntime },
  async () => {
    await assert.rejects(
      linkProgram({
        programSource:
          ".intel_syntax noprefix\n.globl scheme_entry\nscheme_entry:\n    call rt_no_such_function\n    ret\n",
        programFile: "p.s",
        archives: [runtime()],
      }),
      (e: unknown) => {
        assert.ok(e instanceof AssemblyError);
        assert.equal(e.toString().split("\n")[0], "p.s:4:10: error: undefined symbol 'rt_no_such_function'");
        return true;
      },
    );
  },
);

void test(
  "a program with its own _start runs alone: nothing from the runtime is linked",
  { skip: skipNoNative },
  async () => {
    const source = [
      ".intel_syntax noprefix",
      ".globl _start",
      "_start:",
      "    mov eax, 1",
      "    mov edi, 1",
      "    lea rsi, [rip + msg]",
      "    mov edx, 3",
      "    syscall",
      "    mov eax, 60",
      "    mov edi, 9",
      "    syscall",
      ".data",
      'msg: .ascii "hi\\n"',
    ].join("\n");
    const image = await linkProgram({ programSource: source, programFile: "alone.s", archives: [runtime()] });
    assert.ok(image.symbols.every((s) => s.origin === "alone.s"));
    assert.deepEqual(
      image.segments.map((s) => s.name),
      ["text", "data"],
    );
    const r = runNative(image);
    assert.deepEqual([r.stdout, r.status], ["hi\n", 9]);
  },
);

void test(
  "a program, a gcc-built object and runtime-rs in one link (linkProgram with objects)",
  { skip: skipNoNative || skipUnlessBuild },
  async () => {
    const w = new Workdir();
    const c = w.compile("triple.c", "long triple_fixnum(long v) { return (v >> 3) * 3 << 3; }");
    const source = [
      ".intel_syntax noprefix",
      ".globl scheme_entry",
      "scheme_entry:",
      "    sub rsp, 8",
      "    mov edi, 14 << 3",
      "    call triple_fixnum",
      "    add rsp, 8",
      "    ret",
    ].join("\n");
    const image = await linkProgram({
      programSource: source,
      programFile: "p.s",
      objects: [c],
      archives: [runtime()],
    });
    assert.equal(image.symbols.find((s) => s.name === "triple_fixnum")?.origin, "triple.o");
    assert.equal(runNative(image).stdout, "42\n");
  },
);
