/**
 * linkObjects with real gcc-built objects and archives: the linked programs are written as
 * ELF executables and run natively.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { linkObjects, LinkError, symbolize, type InputFile } from "../../src/linker/index.js";
import { runNative, skipUnlessBuild, SYSCALL_C, Workdir } from "./helpers.js";

const START_S = String.raw`
.intel_syntax noprefix
.text
.globl _start
_start:
    xor ebp, ebp
    and rsp, -16
    call main_c
    mov edi, eax
    mov eax, 60
    syscall
`;

function library(w: Workdir, pic: boolean): { start: InputFile; main: InputFile; lib: InputFile } {
  const flags = [pic ? "-fpic" : "-fno-pic"];
  const start = w.compile("start.S", START_S, []);
  const io = w.compile(
    "io.c",
    `${SYSCALL_C}
     static const char newline[] = "\\n";
     const char *const greetings[] = { "hello", "from", "C" };
     long say(const char *s) { long n = 0; while (s[n]) n++; return sys3(1, 1, (long)s, n); }
     void say_line(const char *s) { say(s); sys3(1, 1, (long)newline, 1); }`,
    flags,
  );
  const counter = w.compile(
    "counter.c",
    `long counter = 40; long bump(void) { return ++counter; } long bump_twice(void) { bump(); return bump(); }
     long table[4] = { 1, 2, 3, 4 }; long pick(long i) { return table[i]; }`,
    flags,
  );
  const unused = w.compile("unused.c", `long unused_function(void) { return 5; }`, flags);
  const main = w.compile(
    "main.c",
    `extern const char *const greetings[]; void say_line(const char *); long bump_twice(void); long pick(long);
     int main_c(void) { for (int i = 0; i < 3; i++) say_line(greetings[i]); return (int)(bump_twice() + pick(2) - 3); }`,
    flags,
  );
  const lib = w.archive("libdemo.a", [io, counter, unused]);
  return { start, main, lib };
}

for (const pic of [false, true])
  void test(
    `linkObjects: _start in assembly, C from an archive (${pic ? "-fpic: GOTPCREL" : "-fno-pic: 32S, PC32, PLT32, 64"}), run natively`,
    { skip: skipUnlessBuild },
    () => {
      const w = new Workdir();
      const { start, main, lib } = library(w, pic);
      const image = linkObjects({ objects: [start, main], archives: [lib] });
      const names = new Set(image.symbols.map((s) => s.name));
      assert.ok(names.has("say_line") && names.has("bump") && names.has("_start"));
      assert.ok(!names.has("unused_function"), "unused.o is not pulled");
      const r = runNative(image);
      assert.equal(r.stdout, "hello\nfrom\nC\n");
      assert.equal(r.status, 42);
      const start0 = image.symbols.find((s) => s.name === "_start")!;
      assert.equal(image.entry, start0.address);
      assert.equal(start0.origin, "start.o");
      assert.equal(image.symbols.find((s) => s.name === "bump")?.origin, "libdemo.a(counter.o)");
    },
  );

void test(
  "segments: text R+X at 0x401000, then rodata R, then data+bss R+W, each on its own pages",
  { skip: skipUnlessBuild },
  () => {
    const w = new Workdir();
    const { start, main, lib } = library(w, false);
    const bss = w.compile("bss.c", "char big_buffer[10000]; long use_buffer(void) { return big_buffer[5]; }");
    const image = linkObjects({ objects: [start, main, bss], archives: [lib] });
    assert.deepEqual(
      image.segments.map((s) => [s.name, s.perm]),
      [
        ["text", 5],
        ["rodata", 1],
        ["data", 3],
      ],
    );
    assert.equal(image.segments[0].address, 0x401000);
    for (const s of image.segments) assert.equal(s.address % 4096, 0);
    for (let i = 1; i < image.segments.length; i++) {
      const prev = image.segments[i - 1];
      assert.ok(image.segments[i].address >= prev.address + prev.memorySize);
    }
    const data = image.segments[2];
    assert.ok(data.memorySize >= data.bytes.length + 10000, "bss extends the data segment in memory only");
    const buffer = image.symbols.find((s) => s.name === "big_buffer")!;
    assert.equal(buffer.kind, "object");
    assert.ok(buffer.address >= data.address + data.bytes.length - 16);
    const bumpAddress = image.symbols.find((s) => s.name === "bump")!.address;
    assert.deepEqual(symbolize(image, bumpAddress + 3), { name: "bump", offset: 3 });
  },
);

void test(
  "undefined symbols: every one is named with the section and offset that refers to it",
  { skip: skipUnlessBuild },
  () => {
    const w = new Workdir();
    const start = w.compile("start.S", START_S, []);
    const main = w.compile(
      "main.c",
      `void missing_fn(void); extern long missing_var; int main_c(void) { missing_fn(); return (int)missing_var; }`,
    );
    assert.throws(
      () => linkObjects({ objects: [start, main] }),
      (e: unknown) => {
        assert.ok(e instanceof LinkError);
        assert.match(
          e.message,
          /^undefined symbol `missing_fn` referenced from main\.o\(\.text(\.startup)?\+0x[0-9a-f]+\)$/m,
        );
        assert.match(
          e.message,
          /^undefined symbol `missing_var` referenced from main\.o\(\.text(\.startup)?\+0x[0-9a-f]+\)$/m,
        );
        return true;
      },
    );
    assert.throws(() => linkObjects({ objects: [main] }), /undefined symbol `missing_fn`/);
    const noStart = w.compile("lib.c", "int main_c(void) { return 0; }");
    assert.throws(() => linkObjects({ objects: [noStart] }), /no entry point: nothing defines `_start`/);
    assert.equal(linkObjects({ objects: [noStart], entry: null }).entry, 0);
    // Without an entry (a library of functions), undefined symbols are allowed, like a shared library's.
    const library = linkObjects({ objects: [main], entry: null });
    assert.deepEqual(library.unresolved?.sort(), ["missing_fn", "missing_var"]);
  },
);

void test(
  "duplicate strong definitions are an error; weak ones give way; weak undefined is 0",
  { skip: skipUnlessBuild },
  () => {
    const w = new Workdir();
    const start = w.compile("start.S", START_S, []);
    const a = w.compile("a.c", "int twice(void) { return 1; }");
    const b = w.compile("b.c", "int twice(void) { return 2; }");
    assert.throws(
      () => linkObjects({ objects: [start, a, b] }),
      /duplicate symbol `twice`: defined in a\.o and in b\.o/,
    );
    const weak = w.compile("weak.c", "__attribute__((weak)) int value(void) { return 1; }");
    const strong = w.compile("strong.c", "int value(void) { return 30; }");
    const main = w.compile(
      "main.c",
      `int value(void); __attribute__((weak)) extern int optional_hook(void);
     int main_c(void) { return value() + (optional_hook ? 100 : 12); }`,
    );
    // The weak definition comes first, the strong one wins.
    assert.equal(runNative(linkObjects({ objects: [start, main, weak, strong] })).status, 42);
    assert.equal(runNative(linkObjects({ objects: [start, main, weak] })).status, 13);
  },
);

void test("COMDAT groups: a group seen twice is linked once", { skip: skipUnlessBuild }, () => {
  const w = new Workdir();
  const group = (n: number) => String.raw`
.intel_syntax noprefix
.section .text.shared_helper,"axG",@progbits,shared_helper,comdat
.globl shared_helper
.type shared_helper, @function
shared_helper:
    mov eax, 21
    ret
.text
.globl user${n}
user${n}:
    jmp shared_helper
`;
  const one = w.compile("one.s", group(1), []);
  const two = w.compile("two.s", group(2), []);
  const main = w.compile(
    "main.c",
    "int user1(void); int user2(void); int main_c(void) { return user1() + user2(); }",
  );
  const start = w.compile("start.S", START_S, []);
  const image = linkObjects({ objects: [start, main, one, two] });
  assert.equal(image.symbols.filter((s) => s.name === "shared_helper").length, 1);
  assert.equal(runNative(image).status, 42);
});

void test("common symbols (-fcommon) are merged and allocated in bss", { skip: skipUnlessBuild }, () => {
  const w = new Workdir();
  const a = w.compile("a.c", "long shared_total; void add(long v) { shared_total += v; }", [
    "-fno-pic",
    "-fcommon",
  ]);
  const b = w.compile(
    "b.c",
    "long shared_total; void add(long); int main_c(void) { add(40); add(2); return (int)shared_total; }",
    ["-fno-pic", "-fcommon"],
  );
  const start = w.compile("start.S", START_S, []);
  const image = linkObjects({ objects: [start, a, b] });
  const total = image.symbols.filter((s) => s.name === "shared_total");
  assert.equal(total.length, 1);
  assert.equal(total[0].kind, "object");
  assert.equal(runNative(image).status, 42);
});

void test(
  "linker-defined symbols: __bss_start, _end, _edata, _GLOBAL_OFFSET_TABLE_",
  { skip: skipUnlessBuild },
  () => {
    const w = new Workdir();
    const main = w.compile(
      "main.c",
      `extern char __bss_start[], _end[], _edata[], __executable_start[];
     static char buffer[1000];
     char *keep(void) { return buffer; }
     int main_c(void) {
       return (_end - __bss_start >= 1000) + (_edata <= __bss_start) * 2 + (__executable_start == (char *)0x401000) * 4;
     }`,
    );
    const start = w.compile("start.S", START_S, []);
    assert.equal(runNative(linkObjects({ objects: [start, main] })).status, 7);
    const got = w.compile(
      "got.s",
      String.raw`
.intel_syntax noprefix
.globl main_c
main_c:
    lea rax, [rip + _GLOBAL_OFFSET_TABLE_]
    mov rcx, qword ptr [rip + answer@GOTPCREL]
    mov eax, dword ptr [rcx]
    ret
.data
answer: .long 42
`,
      [],
    );
    assert.equal(runNative(linkObjects({ objects: [start, got] })).status, 42);
  },
);

void test(
  "relocation overflow: a clear error naming the type, symbol and site",
  { skip: skipUnlessBuild },
  () => {
    const w = new Workdir();
    const far = w.compile("far.s", ".globl far_away\n.set far_away, 0x123456789\n", []);
    const near = w.compile(
      "near.s",
      ".att_syntax\n.globl _start\n_start:\n  nop\n  movl $far_away, %eax\n  ret\n",
      [],
    );
    assert.throws(
      () => linkObjects({ objects: [near, far] }),
      /relocation R_X86_64_32 against `far_away` in near\.o\(\.text\+0x2\): value 0x123456789 does not fit in 32 bits/,
    );
  },
);

void test(
  "a member is pulled only when needed, even if it appears first; members pull each other",
  { skip: skipUnlessBuild },
  () => {
    const w = new Workdir();
    const start = w.compile("start.S", START_S, []);
    const main = w.compile("main.c", "int level1(void); int main_c(void) { return level1(); }");
    const l1 = w.compile("l1.c", "int level2(void); int level1(void) { return level2() + 1; }");
    const l2 = w.compile("l2.c", "int level3(void); int level2(void) { return level3() + 1; }");
    const l3 = w.compile("l3.c", "int level3(void) { return 40; }");
    const junk = w.compile("junk.c", "int junk(void) { return -1; }");
    // The GNU index (rcs) and a BSD-less archive without index (rc + no ranlib) both work.
    for (const flags of ["rcs", "rcS"]) {
      const lib = w.archive(`lib-${flags}.a`, [junk, l3, l2, l1], flags);
      const image = linkObjects({ objects: [start, main], archives: [lib] });
      assert.ok(!image.symbols.some((s) => s.name === "junk"));
      assert.equal(runNative(image).status, 42);
    }
  },
);
