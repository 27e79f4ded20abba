/** The ELF writer (checked by binutils and by running), and the static executable reader. */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { isElf, linkObjects, readExecutable, writeExecutable, type Image } from "../../src/linker/index.js";
import { FREESTANDING, isLinuxX64, runNative, skipUnlessBuild, SYSCALL_C, Workdir } from "./helpers.js";

const hasMusl = spawnSync("musl-gcc", ["--version"]).status === 0;

function smallImage(w: Workdir): Image {
  const start = w.compile(
    "start.c",
    `${SYSCALL_C}
     static const char msg[] = "written by abi-lab\\n";
     long scratch[64];
     long counter = 3;
     __attribute__((noinline)) static int helper(int x) { scratch[x & 63] = x; return x + (int)counter; }
     __attribute__((noreturn)) void _start(void) {
       sys3(1, 1, (long)msg, sizeof msg - 1);
       sys3(60, helper(39), 0, 0);
       __builtin_unreachable();
     }`,
  );
  return linkObjects({ objects: [start] });
}

void test(
  "the written executable runs natively, and binutils read it without complaint",
  { skip: skipUnlessBuild },
  () => {
    const w = new Workdir();
    const image = smallImage(w);
    const run = runNative(image);
    assert.equal(run.stdout, "written by abi-lab\n");
    assert.equal(run.status, 42);

    const headers = spawnSync("readelf", ["-hlSsW", run.path], { encoding: "utf8" });
    assert.equal(headers.status, 0);
    assert.equal(headers.stderr, "", "readelf has no warnings");
    assert.match(headers.stdout, /Type:\s+EXEC \(Executable file\)/);
    assert.match(headers.stdout, /Machine:\s+Advanced Micro Devices X86-64/);
    assert.match(headers.stdout, /PHDR\s+0x000040 0x0000000000400040 /);
    assert.match(headers.stdout, /LOAD\s+0x000000 0x0000000000400000 0x0000000000400000 \S+ \S+ R\s+0x1000/);
    assert.match(headers.stdout, /LOAD\s+0x001000 0x0000000000401000 0x0000000000401000 \S+ \S+ R E 0x1000/);
    assert.match(headers.stdout, /GNU_STACK .* RW /);
    assert.match(headers.stdout, /\.text\s+PROGBITS\s+0000000000401000/);
    assert.match(headers.stdout, /\.bss\s+NOBITS/);
    assert.match(headers.stdout, /FUNC\s+GLOBAL DEFAULT\s+\d+ _start/);
    assert.match(headers.stdout, /FUNC\s+LOCAL\s+DEFAULT\s+\d+ helper/);
    assert.match(headers.stdout, /OBJECT\s+GLOBAL DEFAULT\s+\d+ scratch/);
    const disassembly = execFileSync("objdump", ["-d", run.path], { encoding: "utf8" });
    assert.match(disassembly, /<_start>:/);
  },
);

void test(
  "an executable written by the writer reads back as the same image",
  { skip: skipUnlessBuild },
  () => {
    const image = smallImage(new Workdir());
    const bytes = writeExecutable(image);
    assert.ok(isElf(bytes));
    const back = readExecutable(bytes, "prog");
    assert.equal(back.entry, image.entry);
    // The file has one more segment: the ELF and program headers, read-only, below the text.
    const [headers, ...rest] = back.segments;
    assert.deepEqual([headers.address, headers.perm], [0x400000, 1]);
    assert.deepEqual([...headers.bytes.subarray(0, 4)], [0x7f, 0x45, 0x4c, 0x46]);
    assert.equal(back.programHeaders?.address, 0x400040, "AT_PHDR will point at mapped memory");
    assert.deepEqual(
      rest.map((s) => [s.address, s.memorySize, s.perm, Buffer.from(s.bytes).toString("hex")]),
      image.segments.map((s) => [s.address, s.memorySize, s.perm, Buffer.from(s.bytes).toString("hex")]),
    );
    const simplify = (i: Image) =>
      i.symbols.map((s) => [s.name, s.address, s.size, s.kind, s.binding ?? "global"]).sort();
    assert.deepEqual(simplify(back), simplify(image));
  },
);

void test(
  "static executables from gcc -static -nostdlib are read: segments, entry, symbols",
  { skip: skipUnlessBuild },
  () => {
    const w = new Workdir();
    const src = w.write(
      "prog.c",
      `${SYSCALL_C}
     char zeros[5000];
     const char text[] = "static";
     void _start(void) { sys3(60, zeros[7] + sizeof text, 0, 0); }`,
    );
    const exe = w.path("prog");
    execFileSync("gcc", [...FREESTANDING, "-static", "-no-pie", "-fno-pic", "-o", exe, src]);
    const image = readExecutable(readFileSync(exe), "prog");
    assert.equal(image.entry, image.symbols.find((s) => s.name === "_start")?.address);
    assert.ok(
      image.segments.some((s) => s.perm === 5),
      "a read+execute segment",
    );
    const rw = image.segments.find((s) => s.perm === 3);
    assert.ok(rw && rw.memorySize >= rw.bytes.length + 5000, "bss: memory size beyond the file size");
    assert.equal(image.symbols.find((s) => s.name === "zeros")?.kind, "object");
    assert.deepEqual(image.lines, []);
  },
);

void test(
  "musl-gcc -static executables are read, with their TLS template and program headers",
  { skip: !hasMusl && "musl-gcc not installed" },
  () => {
    const w = new Workdir();
    const src = w.write(
      "hello.c",
      `#include <stdio.h>\n__thread int per_thread = 5;\n` +
        `int main(int argc, char **argv) { printf("hi %d\\n", per_thread + argc); return 3; }\n`,
    );
    const exe = w.path("hello");
    execFileSync("musl-gcc", ["-static", "-O2", "-o", exe, src]);
    const image = readExecutable(readFileSync(exe), "hello");
    assert.ok(image.symbols.some((s) => s.name === "main" && s.kind === "function"));
    assert.ok(image.symbols.some((s) => s.name === "printf"));
    assert.ok(image.segments.length >= 2);
    assert.ok(image.programHeaders, "the program headers are inside a loaded segment (for AT_PHDR)");
    assert.equal(image.programHeaders.count * 56, image.programHeaders.bytes.length);
    assert.deepEqual(image.tls && [image.tls.fileSize, image.tls.memorySize], [4, 4]);
    // Written back by our writer (segments not page-aligned, a TLS template), it still runs.
    if (isLinuxX64) {
      const r = runNative(image);
      assert.deepEqual([r.stdout, r.status], ["hi 6\n", 3]);
    }
  },
);

void test(
  "dynamically linked and position-independent executables are refused clearly",
  { skip: skipUnlessBuild },
  () => {
    const w = new Workdir();
    const src = w.write("main.c", "int main(void) { return 0; }\n");
    const dynamic = w.path("dynamic");
    execFileSync("gcc", ["-no-pie", "-o", dynamic, src]);
    assert.throws(() => readExecutable(readFileSync(dynamic), "dynamic"), /dynamically linked.*-static/);
    const pie = w.path("pie");
    const spie = spawnSync("gcc", ["-static-pie", "-o", pie, src]);
    if (spie.status === 0)
      assert.throws(
        () => readExecutable(readFileSync(pie), "pie"),
        /position-independent|dynamically linked/,
      );
    const object = w.compile("o.c", "int x;");
    assert.throws(() => readExecutable(object.bytes, "o.o"), /relocatable object.*expected an executable/);
  },
);
