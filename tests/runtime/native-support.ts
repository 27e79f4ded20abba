/**
 * Helpers for running hand-written `scheme_entry` assembly natively, linked with the committed
 * runtime-rs archive by gcc, and for laying out Scheme data in `.data` the way layout.ts says.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as L from "../../src/values/layout.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
export const ARCHIVE = join(ROOT, "runtime-rs/dist/libabi_runtime.a");

/** Why native tests cannot run here, or undefined if they can (x86-64 Linux with gcc). */
export function nativeSkipReason(): string | undefined {
  if (process.platform !== "linux" || process.arch !== "x64") return "not an x86-64 Linux machine";
  if (spawnSync("gcc", ["--version"]).status !== 0) return "gcc is not available";
  return undefined;
}

/** A fresh temporary directory; removed by the returned cleanup function. */
export function tempDir(prefix = "abi-lab-runtime-"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface RunResult {
  stdout: Buffer;
  stderr: string;
  status: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunOptions {
  stdin?: string | Buffer;
  args?: string[];
  /** Directory to build in (a temporary one by default). */
  dir?: string;
}

/** Assembles `source` (GNU as, Intel syntax), links it with runtime-rs and runs it. */
export function linkAndRun(source: string, options: RunOptions = {}): RunResult {
  const own = options.dir ? undefined : tempDir();
  const dir = options.dir ?? own!.dir;
  try {
    const asm = join(dir, "entry.s");
    const prog = join(dir, "prog");
    writeFileSync(asm, source);
    const link = spawnSync("gcc", ["-nostdlib", "-static", "-o", prog, asm, ARCHIVE], { encoding: "utf8" });
    if (link.status !== 0) throw new Error(`gcc failed:\n${link.stderr}\n${numbered(source)}`);
    const r = spawnSync(prog, options.args ?? [], {
      input: options.stdin ?? "",
      cwd: dir,
      timeout: 20_000,
      env: {},
    });
    return { stdout: r.stdout, stderr: r.stderr.toString("utf8"), status: r.status, signal: r.signal };
  } finally {
    own?.cleanup();
  }
}

function numbered(source: string): string {
  return source
    .split("\n")
    .map((l, i) => `${String(i + 1).padStart(4)}  ${l}`)
    .join("\n");
}

/**
 * A complete `.s` file: `scheme_entry` saves rbp, rbx, r12 (so rsp ≡ 0 mod 16 in `body`, ready
 * for System V calls; rbx and r12 are free for the body), runs `body`, and returns rax.
 */
export function program(body: string, data = ""): string {
  return `.intel_syntax noprefix
.section .note.GNU-stack,"",@progbits
.text
.globl scheme_entry
scheme_entry:
    push rbp
    mov rbp, rsp
    push rbx
    push r12
${body}
    pop r12
    pop rbx
    pop rbp
    ret
.data
${data}
`;
}

/** The data a test program uses: Scheme objects laid out with layout.ts. */
export type Datum =
  | number
  | bigint
  | boolean
  | string
  | null
  | Datum[]
  | { char: number | string }
  | { symbol: string }
  | { vector: Datum[] }
  | { dotted: Datum[]; tail: Datum }
  | { raw: bigint }
  | { closure: true }
  | { cycle: Datum[] };

/** Emits `.data` for Scheme objects; `operand` gives the 64-bit word for a datum. */
export class DataBuilder {
  lines: string[] = [];
  private n = 0;

  private label(kind: string): string {
    return `test_${kind}_${this.n++}`;
  }

  /** A C string (NUL-terminated, UTF-8); returns its label. */
  cstring(text: string): string {
    const label = this.label("cstr");
    this.lines.push(`${label}: .asciz ${JSON.stringify(text)}`);
    return label;
  }

  /** The assembler expression for the word of `d` (an immediate or `label + tag`). */
  operand(d: Datum): string {
    if (typeof d === "number" || typeof d === "bigint") {
      return `0x${BigInt.asUintN(64, BigInt(d) << BigInt(L.FIXNUM_SHIFT)).toString(16)}`;
    }
    if (typeof d === "boolean") return `0x${(d ? L.TRUE : L.FALSE).toString(16)}`;
    if (d === null) return `0x${L.NIL.toString(16)}`;
    if (typeof d === "string") return `${this.string(d)} + ${L.Tag.string}`;
    if (Array.isArray(d)) return d.length === 0 ? this.operand(null) : this.list(d, null);
    if ("char" in d) {
      const code = typeof d.char === "string" ? d.char.codePointAt(0)! : d.char;
      return `0x${((BigInt(code) << BigInt(L.CHAR_SHIFT)) | BigInt(L.Tag.char)).toString(16)}`;
    }
    if ("symbol" in d) {
      const name = this.string(d.symbol);
      const label = this.label("symbol");
      this.lines.push(".p2align 3", `${label}:`, `    .quad ${name} + ${L.Tag.string}`, "    .quad 0");
      return `${label} + ${L.Tag.symbol}`;
    }
    if ("vector" in d) {
      const words = d.vector.map((x) => this.operand(x));
      const label = this.label("vector");
      this.lines.push(
        ".p2align 3",
        `${label}:`,
        `    .quad ${(words.length << L.HEADER_KIND_BITS) | L.Kind.vector}`,
      );
      for (const w of words) this.lines.push(`    .quad ${w}`);
      return `${label} + ${L.Tag.vectorLike}`;
    }
    if ("dotted" in d) return this.list(d.dotted, d.tail);
    if ("raw" in d) return `0x${BigInt.asUintN(64, d.raw).toString(16)}`;
    if ("closure" in d) {
      const label = this.label("closure");
      this.lines.push(".p2align 3", `${label}:`, `    .quad ${(1 << L.HEADER_KIND_BITS) | L.Kind.closure}`);
      this.lines.push("    .quad scheme_entry");
      return `${label} + ${L.Tag.vectorLike}`;
    }
    // A list whose last cdr points back at its first pair.
    const label = this.label("cycle");
    const words = d.cycle.map((x) => this.operand(x));
    this.lines.push(".p2align 3");
    words.forEach((w, i) => {
      this.lines.push(`${label}_${i}:`, `    .quad ${w}`);
      this.lines.push(`    .quad ${label}_${(i + 1) % words.length} + ${L.Tag.pair}`);
    });
    return `${label}_0 + ${L.Tag.pair}`;
  }

  string(text: string): string {
    const codes = [...text].map((c) => c.codePointAt(0)!);
    const label = this.label("string");
    this.lines.push(".p2align 3", `${label}:`, `    .quad ${codes.length}`);
    if (codes.length) this.lines.push(`    .long ${codes.join(", ")}`);
    if (codes.length % 2) this.lines.push("    .long 0");
    return label;
  }

  private list(items: Datum[], tail: Datum): string {
    const words = items.map((x) => this.operand(x));
    const tailWord = this.operand(tail);
    const label = this.label("pair");
    this.lines.push(".p2align 3");
    words.forEach((w, i) => {
      this.lines.push(`${label}_${i}:`, `    .quad ${w}`);
      this.lines.push(`    .quad ${i === words.length - 1 ? tailWord : `${label}_${i + 1} + ${L.Tag.pair}`}`);
    });
    return `${label}_0 + ${L.Tag.pair}`;
  }

  text(): string {
    return this.lines.join("\n");
  }
}

/** `mov`/`lea` of a datum operand into a register. */
export function load(reg: string, operand: string): string {
  return operand.startsWith("0x") ? `    movabs ${reg}, ${operand}` : `    lea ${reg}, [rip + ${operand}]`;
}

/** The fixnum encoding of n, as an assembler immediate. */
export function fixnum(n: number | bigint): string {
  return `0x${BigInt.asUintN(64, BigInt(n) << BigInt(L.FIXNUM_SHIFT)).toString(16)}`;
}
