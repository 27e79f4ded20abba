/**
 * Keystone says what went wrong but not where. We find the line ourselves: assemble ever
 * longer prefixes of the section (bisecting) until the first failing line is found, then
 * phrase keystone's error code for a student.
 */
import { AssemblyError } from "./assembly-error.js";
import { type AsmEngine, KeystoneFailure, KeystoneTimeout } from "./keystone.js";
import type { SourceLine } from "./source-lines.js";

export interface SectionSource {
  assembler: AsmEngine;
  file: string;
  /** `.intel_syntax noprefix` / `.att_syntax` and the section-start label. */
  head: string[];
  /** `.set` lines for every symbol defined outside the section. */
  outside: string[];
  lines: SourceLine[];
  /** Constants (`.set`) defined by each line, in the same order as `lines`. */
  constantsByLine: string[][];
  startLabel: string;
  base: number;
}

/** The text of the first `count` lines, with every label defined later pointed at the start. */
function prefix(src: SectionSource, count: number): string {
  const out = [...src.head, ...src.outside];
  for (let i = count; i < src.lines.length; i++) {
    for (const lab of src.lines[i].labels) out.push(`.set ${lab}, ${src.startLabel}`);
    for (const c of src.constantsByLine[i]) out.push(`.set ${c}, 0`);
  }
  for (let i = 0; i < count; i++) {
    const l = src.lines[i];
    for (const lab of l.labels) out.push(`${lab}:`);
    if (l.statement) out.push(l.statement);
  }
  // A sentinel byte: keystone sometimes gives up silently, returning nothing.
  out.push(".byte 0");
  return out.join("\n") + "\n";
}

function attempt(src: SectionSource, count: number): KeystoneFailure | undefined {
  try {
    src.assembler.asm(prefix(src, count), src.base, 1);
    return undefined;
  } catch (e) {
    if (e instanceof KeystoneFailure) return e;
    throw e;
  }
}

/** The AssemblyError for a section that keystone refused as a whole. */
export function locateError(src: SectionSource, whole: KeystoneFailure): AssemblyError {
  // A timeout is not tried again on the same text (it would only time out again).
  let failure = whole instanceof KeystoneTimeout ? whole : attempt(src, src.lines.length);
  if (!failure) {
    // Only fails with every address known: report keystone's words at the section's first line.
    const l = src.lines[0];
    return new AssemblyError(phrase(whole, l), src.file, l.line, l.column, l.text);
  }
  // Smallest count whose prefix fails: the line at index count-1 is the culprit.
  let lo = 1;
  let hi = src.lines.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const f = attempt(src, mid);
    if (f) {
      hi = mid;
      failure = f;
    } else lo = mid + 1;
  }
  const bad = src.lines[hi - 1];
  return new AssemblyError(phrase(failure, bad), src.file, bad.line, columnFor(failure, bad), bad.text);
}

function mnemonicOf(statement: string): string {
  // (the statement as written)
  return statement.split(/\s+/)[0];
}

/** Column of the operands for operand errors, of the statement otherwise. */
function columnFor(f: KeystoneFailure, l: SourceLine): number {
  if (/INVALIDOPERAND|VALUE_RANGE|FIXUP_INVALID|EXPR_TOKEN/.test(f.detail)) {
    const m = /^(\S+\s+)\S/.exec(l.source);
    if (m) return l.column + m[1].length;
  }
  return l.column;
}

export function phrase(f: KeystoneFailure, l: SourceLine): string {
  const word = mnemonicOf(l.source);
  const code = /KS_ERR_ASM_(\w+)/.exec(f.detail)?.[1];
  switch (code) {
    case "MNEMONICFAIL":
      return `invalid mnemonic '${word}'`;
    case "INVALIDOPERAND":
      return `invalid operand for '${word}'`;
    case "MISSINGFEATURE":
      return `'${word}' is not available in 64-bit mode`;
    case "INSN_UNSUPPORTED":
      return `unsupported instruction '${word}'`;
    case "STAT_TOKEN":
      return word.startsWith(".") ? `unknown directive '${word}'` : `unexpected token in '${l.source}'`;
    case "DIRECTIVE_UNKNOWN":
      return `unknown directive '${word}'`;
    case "DIRECTIVE_VALUE_RANGE":
      return `value out of range for '${word}'`;
    case "SYMBOL_REDEFINED":
      return `symbol redefined in '${l.source}'`;
    case "SYMBOL_MISSING":
      return `undefined symbol in '${l.source}'`;
    case "FIXUP_INVALID":
      return `jump target or value out of range in '${l.source}'`;
    case "LABEL_INVALID":
      return `invalid label in '${l.source}'`;
    default: {
      if (/no code/.test(f.detail)) return `cannot assemble '${l.source}'`;
      const said = /error: ([^\n]*)/.exec(f.printed)?.[1];
      const text = said ?? f.detail.replace(/\s*\(KS_ERR_\w+\)/, "");
      return `${text.charAt(0).toLowerCase()}${text.slice(1)} in '${l.source}'`;
    }
  }
}
