import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import {
  linkProgram,
  LinkError,
  readArchive,
  readExecutable,
  readObject,
  writeExecutable,
} from "../../src/linker/index.js";
import { runtimeArchivePath } from "../../src/pipeline/package-root.js";
import { runNative as run, Workdir } from "./helpers.js";

const runNative = (image: Parameters<typeof run>[0]) => {
  const r = run(image);
  return { stdout: r.stdout, status: r.status };
};

const runtime = () => ({ path: "libabi_runtime.a", bytes: readFileSync(runtimeArchivePath()) });
const hasGcc = spawnSync("gcc", ["--version"]).status === 0;

void test("a program defining scheme_entry links with runtime-rs and runs natively", async () => {
  const src = ".intel_syntax noprefix\n.globl scheme_entry\nscheme_entry:\n  mov eax, 42 << 3\n  ret\n";
  const image = await linkProgram({ programSource: src, programFile: "p.s", archives: [runtime()] });
  assert.ok(
    image.symbols.some((s) => s.name === "_start"),
    "the runtime's _start was pulled in",
  );
  assert.ok(image.symbols.some((s) => s.name === "scheme_entry" && s.origin === "p.s"));
  assert.deepEqual(runNative(image), { stdout: "42\n", status: 0 });
});

void test("a program with its own _start runs alone: no runtime member is pulled", async () => {
  const src = [
    ".intel_syntax noprefix",
    ".globl _start",
    "_start:",
    "  mov eax, 1",
    "  mov edi, 1",
    "  lea rsi, [rip + msg]",
    "  mov edx, 3",
    "  syscall",
    "  mov eax, 231",
    "  mov edi, 7",
    "  syscall",
    ".data",
    'msg: .ascii "hi\\n"',
  ].join("\n");
  const image = await linkProgram({ programSource: src, programFile: "p.s", archives: [runtime()] });
  assert.ok(!image.symbols.some((s) => s.name === "writeln"));
  assert.deepEqual(runNative(image), { stdout: "hi\n", status: 7 });
});

void test("undefined symbols are reported by name", async () => {
  await assert.rejects(
    linkProgram({
      programSource: ".intel_syntax noprefix\n_start:\n  call missing_fn\n",
      programFile: "p.s",
      archives: [runtime()],
    }),
    /undefined symbol 'missing_fn'/,
  );
});

void test(
  "gcc-built objects: relocations (PC32, PLT32, 32S, 64, GOTPCREL) resolve; unneeded members stay out",
  { skip: !hasGcc && "gcc is not installed" },
  async () => {
    const dir = new Workdir().dir;
    writeFileSync(
      join(dir, "a.c"),
      `static const char msg[] = "from C\\n";
     const char *table[] = { msg };
     long sys3(long n, long a, long b, long c) { long r; __asm__ volatile ("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory"); return r; }
     long say(void) { return sys3(1, 1, (long)table[0], 7); }`,
    );
    writeFileSync(join(dir, "b.c"), `long unused_function(void) { return 5; }`);
    writeFileSync(
      join(dir, "g.c"),
      `extern long counter; long bump(void) { return ++counter; } long counter = 41;`,
    );
    for (const [f, flags] of [
      ["a", "-fno-pic"],
      ["b", "-fno-pic"],
      ["g", "-fpic"],
    ] as const)
      execFileSync("gcc", [
        "-c",
        "-O2",
        flags,
        "-fno-stack-protector",
        "-ffreestanding",
        "-o",
        join(dir, `${f}.o`),
        join(dir, `${f}.c`),
      ]);
    execFileSync("ar", ["rcs", join(dir, "lib.a"), join(dir, "a.o"), join(dir, "b.o"), join(dir, "g.o")]);
    const src = [
      ".intel_syntax noprefix",
      "_start:",
      "  call say",
      "  call bump",
      "  mov rdi, rax",
      "  mov eax, 231",
      "  syscall",
    ].join("\n");
    const image = await linkProgram({
      programSource: src,
      programFile: "p.s",
      archives: [{ path: "lib.a", bytes: readFileSync(join(dir, "lib.a")) }],
    });
    assert.ok(!image.symbols.some((s) => s.name === "unused_function"), "b.o was not pulled");
    assert.deepEqual(runNative(image), { stdout: "from C\n", status: 42 });
  },
);

void test("an executable written by the linker reads back with the same segments and entry", async () => {
  const src = ".intel_syntax noprefix\n.globl scheme_entry\nscheme_entry:\n  mov eax, 8\n  ret\n";
  const image = await linkProgram({ programSource: src, programFile: "p.s", archives: [runtime()] });
  const back = readExecutable(writeExecutable(image), "prog");
  assert.equal(back.entry, image.entry);
  assert.deepEqual(
    // The file also maps its headers (a read-only page below the text, for AT_PHDR).
    back.segments.slice(1).map((s) => [s.address, s.memorySize, s.perm]),
    image.segments.map((s) => [s.address, s.memorySize, s.perm]),
  );
  assert.equal(back.segments[0].address, 0x400000);
  assert.ok(back.symbols.some((s) => s.name === "scheme_entry"));
});

void test("malformed objects and archives are LinkErrors, never crashes", () => {
  const archive = readFileSync(runtimeArchivePath());
  const member = readArchive(archive, "rt.a").members[0].data;
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: member.length - 1 }),
      fc.integer({ min: 0, max: 255 }),
      fc.integer({ min: 1, max: member.length }),
      (at, byte, cut) => {
        const mutated = member.slice(0, cut);
        if (at < mutated.length) mutated[at] = byte;
        for (const reader of [() => readObject(mutated, "m.o"), () => readExecutable(mutated, "m")]) {
          try {
            reader();
          } catch (e) {
            if (!(e instanceof LinkError)) throw e;
          }
        }
      },
    ),
    { numRuns: 300 },
  );
  assert.throws(() => readArchive(new TextEncoder().encode("!<arch>\nshort"), "x.a"), LinkError);
  assert.throws(() => readObject(new Uint8Array(10), "x.o"), /too short/);
  assert.throws(() => readObject(archive, "x.o"), /not an ELF file/);
});
