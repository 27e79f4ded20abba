/**
 * The fuzz targets: every kind of input abi-lab accepts, random and mutated, through the
 * module that reads it and on to the emulator. The property is the same for all: the call ends
 * in a UserInputError with a message (and, for source text, a location), a guest signal report,
 * a limit, or success. Anything else (a RangeError, a TypeError, an internal error, a hang) is a
 * failure. Shared by the bounded sweep (tests/fuzz/*.test.ts) and `npm run fuzz`.
 */
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { compileScheme } from "../../src/compiler/index.js";
import { UserInputError } from "../../src/diagnostics.js";
import { Machine } from "../../src/emulator/index.js";
import { Perm } from "../../src/emulator/types.js";
import {
  linkObjects,
  readArchive,
  readExecutable,
  readObject,
  writeExecutable,
  type Image,
} from "../../src/linker/index.js";
import { linkAssembly, runtimeArchiveBytes } from "../../src/pipeline/load-program.js";
import { DebugInfo } from "../../src/pipeline/debug-info.js";
import { runProgram, type RunResult } from "../../src/pipeline/run-program.js";
import { LinuxKernel } from "../../src/syscalls/kernel.js";
import {
  applyByteEdits,
  archiveFieldOffsets,
  byteEdits,
  elfFieldOffsets,
  mutatedText,
  type ByteEdit,
} from "./mutate.js";

const ROOT = new URL("../../", import.meta.url).pathname;
const SANDBOX = mkdtempSync(join(tmpdir(), "abi-lab-fuzz-"));

/** Limits for guest runs inside the fuzzers: small, so that a case takes milliseconds. */
export const RUN_STEPS = 50_000;
const RUN_MEMORY = 64 << 20;

/** A property violation: the input and what escaped. */
export class Escaped extends Error {
  constructor(
    readonly target: string,
    override readonly cause: unknown,
  ) {
    super(`${target}: ${cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)}`);
    this.name = "Escaped";
  }
}

export type Outcome = "rejected" | "exit" | "fault" | "limit";

export interface Target<T> {
  name: string;
  arbitrary: fc.Arbitrary<T>;
  /** Resolves to the outcome; rejects with Escaped when the property fails. */
  run(input: T): Promise<Outcome>;
}

/** A UserInputError with a message is a clean rejection; anything else escaped. */
function rejected(target: string, e: unknown, needLocation: boolean): Outcome {
  if (!(e instanceof UserInputError)) throw new Escaped(target, e);
  if (e.message.trim().length === 0)
    throw new Escaped(target, new Error("a UserInputError without a message"));
  if (needLocation && !e.location && !/\S+:\d+/.test(e.message))
    throw new Escaped(target, new Error(`a UserInputError without a location: ${e.message}`));
  if (/\n\s+at .*\(.*:\d+:\d+\)/.test(e.format()))
    throw new Escaped(target, new Error(`a stack trace in a user message: ${e.format()}`));
  return "rejected";
}

function outcomeOf(target: string, r: RunResult): Outcome {
  switch (r.stop.kind) {
    case "exit":
      return "exit";
    case "fault":
      if (!r.report || !/killed by SIG/.test(r.report))
        throw new Escaped(target, new Error(`a fault without a report: ${r.report}`));
      return "fault";
    case "step-limit":
    case "halted":
      if (!r.report) throw new Escaped(target, new Error("a limit without a report"));
      return "limit";
    case "breakpoint":
      throw new Escaped(target, new Error("a breakpoint in a run without breakpoints"));
    case "blocked":
      throw new Escaped(target, new Error("a read that waits, in a run whose stdin is empty"));
  }
}

function runImage(target: string, image: Image, debug: DebugInfo, file: string): Outcome {
  let r: RunResult;
  try {
    r = runProgram(
      { file, kind: "executable", image, debug },
      {
        sandboxDir: SANDBOX,
        maxSteps: RUN_STEPS,
        memoryLimit: RUN_MEMORY,
        stdout: () => {},
        stderr: () => {},
        stdin: { read: () => null },
      },
    );
  } catch (e) {
    // Loading an image whose segments exceed the memory cap is a user error, not a crash.
    return rejected(target, e, false);
  }
  return outcomeOf(target, r);
}

// ------------------------------------------------------------------ seeds

function files(dir: string, ext: string): string[] {
  return readdirSync(join(ROOT, dir))
    .filter((f) => f.endsWith(ext))
    .sort()
    .map((f) => readFileSync(join(ROOT, dir, f), "utf8"));
}

const schemeSeeds = [...files("tests/programs", ".scm"), ...files("examples", ".scm")];

const SCHEME_WORDS = [
  "(",
  ")",
  "'",
  "`",
  ",",
  ",@",
  "#(",
  '"',
  "#\\a",
  "#t",
  "#f",
  ".",
  " ",
  "\n",
  ";",
  "define",
  "lambda",
  "let",
  "let*",
  "letrec",
  "if",
  "cond",
  "else",
  "=>",
  "case",
  "and",
  "or",
  "when",
  "unless",
  "do",
  "begin",
  "set!",
  "quote",
  "quasiquote",
  "unquote",
  "define-foreign",
  "call/cc",
  "values",
  "call-with-values",
  "apply",
  "car",
  "cdr",
  "cons",
  "vector-ref",
  "string-ref",
  "display",
  "error",
  "x",
  "f",
  "0",
  "-1",
  "4611686018427387904",
  "99999999999999999999999",
  "1.5",
  "#xff",
  "...",
];

const schemeTokens = /(\s+|[()'`,"]|[^\s()'`,"]+)/;

const schemeSource = fc.oneof(
  {
    weight: 4,
    arbitrary: mutatedText(schemeSeeds, fc.constantFrom(...SCHEME_WORDS), schemeTokens).map((m) => m.text),
  },
  {
    weight: 1,
    arbitrary: fc.array(fc.constantFrom(...SCHEME_WORDS), { maxLength: 60 }).map((w) => w.join(" ")),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 200, unit: "binary" }) },
);

/** Small assembly programs: with their own `_start`, and as `scheme_entry` called by the runtime. */
const ASM_SEEDS = [
  `.intel_syntax noprefix
.globl _start
_start:
  mov eax, 1
  mov edi, 1
  lea rsi, [rip + msg]
  mov edx, 6
  syscall
  mov eax, 60
  xor edi, edi
  syscall
.data
msg: .ascii "hello\\n"
`,
  `.intel_syntax noprefix
.globl scheme_entry
scheme_entry:
  push rbp
  mov rbp, rsp
  sub rsp, 16
  mov rdi, 42
  shl rdi, 3
  mov rax, rdi
  leave
  ret
`,
  `.intel_syntax noprefix
.text
.globl _start
_start:
  mov rcx, 10
loop:
  dec rcx
  jnz loop
  movaps xmm0, [rsp]
  call f
  mov eax, 231
  syscall
f:
  push rbx
  pop rbx
  ret
.section .rodata
.align 8
table: .quad loop, f
.bss
buf: .zero 64
`,
];

const ASM_WORDS = [
  "mov",
  "lea",
  "push",
  "pop",
  "call",
  "ret",
  "jmp",
  "syscall",
  "rax",
  "rsp",
  "rip",
  "[rsp + 8]",
  "qword ptr",
  "0x7fffffffffffffff",
  "-1",
  ",",
  ":",
  ".globl",
  ".quad",
  ".byte 0xff",
  ".align 4096",
  ".zero 100000000",
  ".section",
  ".text",
  ".data",
  ".intel_syntax noprefix",
  ".att_syntax",
  "%rax",
  "$1",
  "label",
  "scheme_entry",
  "_start",
  "rt_cons",
  "\n",
  "\t",
  " ",
  "#",
];

const asmTokens = /(\s+|[,:[\]+\-*])/;

let asmSeedsCache: string[] | undefined;
function asmSeeds(): string[] {
  if (!asmSeedsCache) {
    const compiled = schemeSeeds
      .slice(0, 3)
      .map((s) => compileScheme(s, "seed.scm").assembly)
      .filter((a) => a.length < 20_000);
    asmSeedsCache = [...ASM_SEEDS, ...compiled];
  }
  return asmSeedsCache;
}

// ------------------------------------------------------------------ targets

/** Mutated and random Scheme source through the compiler only (cheap: many cases). */
export const schemeCompile: Target<string> = {
  name: "scheme compile",
  arbitrary: schemeSource,
  run(source) {
    try {
      compileScheme(source, "fuzz.scm");
      return Promise.resolve("exit");
    } catch (e) {
      return Promise.resolve(rejected("scheme compile", e, true));
    }
  },
};

/** Mutated Scheme compiled, linked with runtime-rs and run (the whole `abi-lab run` path). */
export const schemeRun: Target<string> = {
  name: "scheme run",
  arbitrary: schemeSource,
  async run(source) {
    let image: Image;
    let debug: DebugInfo;
    try {
      const compiled = compileScheme(source, "fuzz.scm");
      image = await linkAssembly(compiled.assembly, "fuzz.s");
      debug = new DebugInfo(image, compiled.sourceMap);
    } catch (e) {
      return rejected("scheme run", e, true);
    }
    return runImage("scheme run", image, debug, "fuzz.scm");
  },
};

/** Mutated and random assembly through the assembler and the linker, then run. */
export const assembly: Target<string> = {
  name: "assembly",
  arbitrary: fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .constant(null)
        .chain(() => mutatedText(asmSeeds(), fc.constantFrom(...ASM_WORDS), asmTokens).map((m) => m.text)),
    },
    {
      weight: 1,
      arbitrary: fc
        .array(fc.constantFrom(...ASM_WORDS), { maxLength: 40 })
        .map((w) => ".intel_syntax noprefix\n" + w.join(" ")),
    },
  ),
  async run(text) {
    let image: Image;
    try {
      image = await linkAssembly(text, "fuzz.s");
    } catch (e) {
      return rejected("assembly", e, false);
    }
    return runImage("assembly", image, new DebugInfo(image), "fuzz.s");
  },
};

interface Corpus {
  archive: Uint8Array;
  archiveHot: number[];
  members: { name: string; bytes: Uint8Array; hot: number[] }[];
  exe: Uint8Array;
  exeHot: number[];
}

let corpusCache: Promise<Corpus> | undefined;

/** The runtime archive, its members, and an executable linked from a Scheme program. */
function corpus(): Promise<Corpus> {
  corpusCache ??= (async () => {
    const archive = runtimeArchiveBytes();
    const parsed = readArchive(archive, "libabi_runtime.a");
    const members = parsed.members
      .map((m) => ({ name: m.name, bytes: Uint8Array.from(m.data), hot: elfFieldOffsets(m.data) }))
      .filter((m) => m.bytes.length > 64);
    const hello = compileScheme('(display "hi")\n(newline)\n', "hello.scm");
    const exe = writeExecutable(await linkAssembly(hello.assembly, "hello.s"));
    return { archive, archiveHot: archiveFieldOffsets(archive), members, exe, exeHot: elfFieldOffsets(exe) };
  })();
  return corpusCache;
}

const edits = (hot: () => readonly number[]) => fc.constant(null).chain(() => byteEdits(hot()));

let corpusSync: Corpus | undefined;
/** Targets that need the corpus call this first (fast-check arbitraries are synchronous). */
export async function prepareCorpus(): Promise<void> {
  corpusSync = await corpus();
}
const c = (): Corpus => {
  if (!corpusSync) throw new Error("prepareCorpus() first");
  return corpusSync;
};

/** Mutated runtime archives: read, every member parsed, and linked into a library. */
export const archive: Target<ByteEdit[]> = {
  name: "archive",
  arbitrary: edits(() => c().archiveHot),
  run(e) {
    const bytes = applyByteEdits(c().archive, e, c().archiveHot);
    try {
      const a = readArchive(bytes, "fuzz.a");
      a.members.forEach((_, i) => a.object(i));
      linkObjects({ objects: [], archives: [{ path: "fuzz.a", bytes }], entry: null, require: ["rt_main"] });
      return Promise.resolve("exit");
    } catch (e) {
      return Promise.resolve(rejected("archive", e, false));
    }
  },
};

/** Mutated objects (runtime members): header fields, symbols, relocations; read and linked. */
export const object: Target<{ member: number; edits: ByteEdit[] }> = {
  name: "object",
  arbitrary: fc
    .constant(null)
    .chain(() => fc.integer({ min: 0, max: c().members.length - 1 }))
    .chain((member) => byteEdits(c().members[member].hot).map((edits) => ({ member, edits }))),
  run({ member, edits }) {
    const m = c().members[member];
    const bytes = applyByteEdits(m.bytes, edits, m.hot);
    try {
      readObject(bytes, m.name);
      linkObjects({ objects: [{ path: m.name, bytes }], entry: null });
      return Promise.resolve("exit");
    } catch (e) {
      return Promise.resolve(rejected("object", e, false));
    }
  },
};

/** Mutated executables: read, loaded and run. */
export const executable: Target<ByteEdit[]> = {
  name: "executable",
  arbitrary: edits(() => c().exeHot),
  run(e) {
    const bytes = applyByteEdits(c().exe, e, c().exeHot);
    let image: Image;
    try {
      image = readExecutable(bytes, "fuzz");
    } catch (err) {
      return Promise.resolve(rejected("executable", err, false));
    }
    return Promise.resolve(runImage("executable", image, new DebugInfo(image), "fuzz"));
  },
};

/** Random machine code (with a stack and a writable page) executed for a bounded number of steps. */
export const code: Target<Uint8Array> = {
  name: "code",
  arbitrary: fc.oneof(
    fc.uint8Array({ minLength: 1, maxLength: 256 }),
    // Mostly-valid code: common prefixes and opcodes.
    fc
      .array(
        fc.oneof(
          fc.constantFrom(
            [0x48],
            [0x66],
            [0xf3],
            [0xf2],
            [0x0f],
            [0x0f, 0x05],
            [0xc3],
            [0xe8],
            [0xff],
            [0xcd, 0x80],
            [0x0f, 0x0b],
            [0xc4],
            [0xc5],
            [0x62],
          ),
          fc.uint8Array({ minLength: 1, maxLength: 4 }).map((a) => [...a]),
        ),
        { maxLength: 64 },
      )
      .map((parts) => Uint8Array.from(parts.flat())),
  ),
  run(bytes) {
    const m = new Machine({ limitBytes: RUN_MEMORY });
    const kernel = new LinuxKernel({
      sandboxDir: SANDBOX,
      stdout: () => {},
      stderr: () => {},
      stdin: { read: () => null },
    });
    m.syscallHandler = kernel;
    const base = 0x400000;
    m.memory.map(base, 0x1000, Perm.read | Perm.write);
    m.memory.writeBytes(base, bytes);
    m.memory.protect(base, 0x1000, Perm.read | Perm.exec);
    m.memory.map(0x600000, 0x1000, Perm.read | Perm.write);
    m.memory.map(0x7fff0000, 0x10000, Perm.read | Perm.write);
    m.setRegister("rsp", 0x7fff8000n);
    for (const r of ["rax", "rbx", "rcx", "rdx", "rsi", "rdi"] as const) m.setRegister(r, 0x600100n);
    m.rip = base;
    try {
      const stop = m.run(RUN_STEPS);
      if (stop.kind === "fault") return Promise.resolve("fault");
      return Promise.resolve(stop.kind === "exit" ? "exit" : "limit");
    } catch (e) {
      throw new Escaped("code", e);
    }
  },
};
const EXTREMES_FOR_SYSCALLS: bigint[] = [
  0x600000n,
  0x600009n,
  0x600013n,
  0x600ff8n,
  0x601ff0n,
  0x1000n,
  0x100000n,
  0x7fff_ffffn,
  0xffff_ffffn,
  0x7fff_ffff_ffffn,
  0xffff_ffff_ffff_ff9cn, // AT_FDCWD
  0xffff_ffff_ffff_ffffn,
  0x8000_0000_0000_0000n,
  0x22n, // MAP_PRIVATE | MAP_ANONYMOUS
  0x32n, // ... | MAP_FIXED
  0o1101n, // O_WRONLY | O_CREAT | O_TRUNC
  0o2101n,
];

/** Syscalls with hostile arguments: extreme numbers, bad pointers, huge sizes, through the kernel. */
export const syscalls: Target<[number, bigint[]][]> = {
  name: "syscalls",
  arbitrary: fc.array(
    fc.tuple(
      fc.oneof(
        fc.constantFrom(0, 1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 16, 17, 18, 19, 20, 21, 32, 33, 72, 79, 80, 82),
        fc.constantFrom(83, 84, 87, 89, 96, 158, 202, 204, 228, 257, 258, 262, 263, 264, 267, 269, 292, 302),
        fc.constantFrom(316, 318, 439, 56, 57, 58, 59, 62, 200, 234, 435),
        fc.integer({ min: 0, max: 600 }),
      ),
      fc.array(
        fc.oneof(
          fc.constantFrom(...EXTREMES_FOR_SYSCALLS),
          fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
          fc.integer({ min: -4, max: 8 }).map((n) => BigInt.asUintN(64, BigInt(n))),
        ),
        { minLength: 6, maxLength: 6 },
      ),
    ),
    { minLength: 1, maxLength: 12 },
  ),
  run(calls) {
    const m = new Machine({ limitBytes: RUN_MEMORY });
    const kernel = new LinuxKernel({
      sandboxDir: SANDBOX,
      stdout: () => {},
      stderr: () => {},
      stdin: { read: () => null },
      limits: { maxOutputBytes: 1 << 20 },
    });
    m.memory.map(0x600000, 0x2000, Perm.read | Perm.write);
    m.memory.writeBytes(0x600000, new TextEncoder().encode("fuzz.txt\0/dev/zero\0..\0"));
    try {
      for (const [n, args] of calls) {
        m.setRegister("rax", BigInt(n));
        (["rdi", "rsi", "rdx", "r10", "r8", "r9"] as const).forEach((r, k) => m.setRegister(r, args[k]));
        kernel.handle(m);
      }
    } catch (e) {
      throw new Escaped("syscalls", e);
    }
    return Promise.resolve("exit");
  },
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const ALL_TARGETS: Target<any>[] = [
  schemeCompile,
  schemeRun,
  assembly,
  archive,
  object,
  executable,
  code,
  syscalls,
];
