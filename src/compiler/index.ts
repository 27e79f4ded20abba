import { ProgramCompiler } from "./codegen.js";
import type { SourceSpan } from "./emitter.js";
import { expandProgram } from "./expand.js";
import { computeFreeVariables } from "./free-variables.js";
import { readAll } from "./reader.js";

export interface CompileOptions {
  /** Keep rsp 16-byte aligned at runtime calls (default true; false is `--no-align`). */
  align?: boolean;
}

export interface CompiledProgram {
  /** The assembly text (Intel syntax). */
  assembly: string;
  /** For each 1-based line of `assembly` that implements a Scheme expression: that expression. */
  sourceMap: Map<number, SourceSpan>;
  file: string;
  source: string;
  /** Labels of the compiled Scheme procedures (they follow the Scheme convention). */
  procedures: Map<string, string>;
  /** `define-foreign` declarations: C symbol → parameter and result types. */
  foreign: Map<string, { name: string; params: string[]; result: string }>;
}

/** Compile a Scheme program to readable x86-64 assembly (Intel syntax) with a source map. */
export function compileScheme(source: string, file: string, options: CompileOptions = {}): CompiledProgram {
  const forms = readAll(source, file);
  const program = expandProgram(forms, source);
  computeFreeVariables(program);
  const pc = new ProgramCompiler(program, { file, source, align: options.align ?? true });
  pc.compile();
  const header = [
    `# ${file}, compiled by abi-lab${options.align === false ? " with --no-align" : ""}.`,
    "#",
    "# Calls into runtime-rs follow System V: arguments in rdi, rsi, rdx, rcx, r8, r9,",
    "# rsp a multiple of 16 at the call, result in rax, rbx rbp r12-r15 preserved.",
    "# Scheme-to-Scheme calls follow the Scheme convention: arguments pushed last first,",
    "# argument count in rax, closure in rbx, the callee pops its arguments.",
    "# r12 is the heap pointer and r13 the heap limit throughout.",
    "",
    ".intel_syntax noprefix",
    ".text",
    "",
  ];
  const lines: string[] = [...header];
  const sourceMap = new Map<number, SourceSpan>();
  for (const line of pc.text.lines) {
    lines.push(line.text);
    if (line.span) sourceMap.set(lines.length, line.span);
  }
  if (pc.rodata.lines.length) {
    lines.push("", ".section .rodata");
    for (const line of pc.rodata.lines) lines.push(line.text);
  }
  lines.push("", ".data");
  for (const line of pc.data.lines) lines.push(line.text);
  const procedures = new Map(program.lambdas.map((l) => [l.label, l.name ?? "lambda"]));
  const foreign = new Map(
    [...program.foreign.values()].map((f) => [
      f.symbol,
      { name: f.name, params: f.params, result: f.result },
    ]),
  );
  return { assembly: lines.join("\n") + "\n", sourceMap, file, source, procedures, foreign };
}

export type { SourceSpan } from "./emitter.js";
