import { UserInputError } from "../diagnostics.js";
import { Assembler, KeystoneFailure, keystoneReady } from "./keystone.js";
import {
  SECTION_NAMES,
  splitSource,
  type SectionName,
  type SourceLine,
  type SplitSource,
} from "./source-lines.js";
import { identifiersIn } from "./symbols-used.js";

/** An error in the user's assembly: `FILE:LINE:COL: error: message`. */
export class AssemblyError extends UserInputError {
  constructor(message: string, file: string, line: number, column: number, sourceLine: string) {
    super(message, { file, line, column }, sourceLine);
    this.name = "AssemblyError";
  }
}

export type SectionSizes = Record<SectionName, number>;

export interface AssembledSection {
  name: SectionName;
  address: number;
  /** Contents (empty for bss). */
  bytes: Uint8Array;
  /** Size in memory. */
  size: number;
}

export interface AssembledLine {
  address: number;
  size: number;
  /** 1-based line in the file. */
  line: number;
  column: number;
  text: string;
  file: string;
  section: SectionName;
}

export interface AssembledSymbol {
  address: number;
  section: SectionName;
  global: boolean;
}

export interface AssembledProgram {
  file: string;
  sections: Record<SectionName, AssembledSection>;
  symbols: Map<string, AssembledSymbol>;
  lines: AssembledLine[];
  /** Symbols used but defined elsewhere (found in `externals`). */
  referencedExternals: Set<string>;
}

export interface AssembleOptions {
  file: string;
  /** Addresses of symbols defined outside this file (the runtime's). */
  externals: ReadonlyMap<string, number>;
  /** Given each section's size, where each goes. Called until the layout is stable. */
  place: (sizes: SectionSizes) => SectionSizes;
}

const START = "__abi_lab_section_start";
const MARK = ".Labi_line_";
const LABEL_RE = /^[A-Za-z_.$][\w.$@]*$/;
const MAX_PASSES = 8;

const hex = (n: number) => (n < 0 ? `-0x${(-n).toString(16)}` : `0x${n.toString(16)}`);

/** The identifiers a file uses but does not define (for the linker to pull archive members). */
export function scanReferences(source: string): Set<string> {
  const split = splitSource(source);
  const defined = definedNames(split);
  const used = new Set<string>();
  for (const l of split.lines) {
    for (const id of identifiersIn(l.statement, split.syntax)) if (!defined.has(id)) used.add(id);
  }
  return used;
}

/** Whether a file defines a given global symbol (e.g. `_start` or `scheme_entry`). */
export function definesSymbol(source: string, name: string): boolean {
  return splitSource(source).labels.has(name);
}

function definedNames(split: SplitSource): Set<string> {
  const defined = new Set(split.labels.keys());
  for (const l of split.lines) {
    const m = /^\.(set|equ)\s+([^\s,]+)\s*,/.exec(l.statement);
    if (m) defined.add(m[2]);
    const c = /^\.(l?comm)\s+([^\s,]+)/.exec(l.statement);
    if (c) defined.add(c[2]);
  }
  return defined;
}

/**
 * Assemble a file with keystone: each section separately at its address, symbols from other
 * sections and from outside defined with `.set` relative to the section's start (so that
 * rip-relative operands encode correctly), repeated until every address is stable.
 */
export async function assemble(source: string, options: AssembleOptions): Promise<AssembledProgram> {
  await keystoneReady();
  const split = splitSource(source);
  const { file } = options;
  const defined = definedNames(split);
  const sourceLines = source.split(/\r?\n/);

  // Every symbol used must be defined here or be an external.
  const referencedExternals = new Set<string>();
  for (const l of split.lines) {
    for (const id of identifiersIn(l.statement, split.syntax)) {
      if (defined.has(id)) continue;
      if (options.externals.has(id)) {
        referencedExternals.add(id);
        continue;
      }
      const column = l.text.indexOf(id) + 1;
      throw new AssemblyError(
        `undefined symbol '${id}'`,
        file,
        l.line,
        column > 0 ? column : l.column,
        l.text,
      );
    }
  }

  const bySection = new Map<SectionName, SourceLine[]>(SECTION_NAMES.map((s) => [s, []]));
  for (const l of split.lines) bySection.get(l.section)!.push(transformCommon(l));

  const assembler = new Assembler(split.syntax);
  let sizes: SectionSizes = { text: 0, rodata: 0, data: 0, bss: 0 };
  for (const s of SECTION_NAMES) sizes[s] = bySection.get(s)!.length * 8;
  let labelOffsets = new Map<string, number>();
  let result:
    Map<SectionName, { bytes: Uint8Array; offsets: Map<string, number>; lineOffsets: number[] }> | undefined;
  let bases = options.place(sizes);

  for (let pass = 0; ; pass++) {
    if (pass === MAX_PASSES) throw new Error(`internal error: the layout of ${file} did not settle`);
    const offsetsUsed = labelOffsets;
    const basesUsed = bases;
    const addressOf = (name: string): number | undefined => {
      const section = split.labels.get(name);
      if (section !== undefined) return basesUsed[section] + (offsetsUsed.get(name) ?? 0);
      return options.externals.get(name);
    };
    const next = new Map<
      SectionName,
      { bytes: Uint8Array; offsets: Map<string, number>; lineOffsets: number[] }
    >();
    const nextOffsets = new Map<string, number>();
    for (const section of SECTION_NAMES) {
      const assembled = assembleSection(
        assembler,
        split,
        section,
        bySection.get(section)!,
        basesUsed[section],
        addressOf,
        file,
        sourceLines,
      );
      next.set(section, assembled);
      for (const [k, v] of assembled.offsets) nextOffsets.set(k, v);
    }
    for (const s of SECTION_NAMES) sizes[s] = next.get(s)!.bytes.length;
    const nextBases = options.place(sizes);
    result = next;
    labelOffsets = nextOffsets;
    bases = nextBases;
    // Consistent when the addresses this pass assumed are the ones it produced.
    const settled =
      pass > 0 &&
      SECTION_NAMES.every((s) => nextBases[s] === basesUsed[s]) &&
      [...nextOffsets].every(([k, v]) => offsetsUsed.get(k) === v);
    if (settled) break;
  }
  if (!result) throw new Error("internal error: nothing assembled");

  const sections = {} as Record<SectionName, AssembledSection>;
  const lines: AssembledLine[] = [];
  for (const s of SECTION_NAMES) {
    const r = result.get(s)!;
    sections[s] = {
      name: s,
      address: bases[s],
      bytes: s === "bss" ? new Uint8Array(0) : r.bytes,
      size: r.bytes.length,
    };
    const sl = bySection.get(s)!;
    sl.forEach((l, i) => {
      const start = r.lineOffsets[i];
      const end = i + 1 < sl.length ? r.lineOffsets[i + 1] : r.bytes.length;
      if (end > start || l.statement !== "")
        lines.push({
          address: bases[s] + start,
          size: end - start,
          line: l.line,
          column: l.column,
          text: l.text,
          file,
          section: s,
        });
    });
  }
  const symbols = new Map<string, AssembledSymbol>();
  for (const [name, section] of split.labels) {
    if (!LABEL_RE.test(name) || name.startsWith(MARK)) continue;
    symbols.set(name, {
      address: bases[section] + (labelOffsets.get(name) ?? 0),
      section,
      global: split.globals.has(name),
    });
  }
  lines.sort((a, b) => a.address - b.address);
  return { file, sections, symbols, lines, referencedExternals };
}

/** Rewrite directives keystone lacks: `.comm`/`.lcomm` become a label and zeros. */
function transformCommon(l: SourceLine): SourceLine {
  const m = /^\.(l?comm)\s+([^\s,]+)\s*,\s*(\d+)(?:\s*,\s*(\d+))?/.exec(l.statement);
  if (!m) return l;
  const align = m[4] ? Number(m[4]) : 8;
  return { ...l, labels: [...l.labels, m[2]], statement: `.balign ${align}\n${m[2]}:\n.zero ${m[3]}` };
}

function assembleSection(
  assembler: Assembler,
  split: SplitSource,
  section: SectionName,
  lines: SourceLine[],
  base: number,
  addressOf: (name: string) => number | undefined,
  file: string,
  sourceLines: string[],
): { bytes: Uint8Array; offsets: Map<string, number>; lineOffsets: number[] } {
  if (lines.length === 0) return { bytes: new Uint8Array(0), offsets: new Map(), lineOffsets: [] };
  const out: string[] = [split.syntax === "att" ? ".att_syntax" : ".intel_syntax noprefix", `${START}:`];
  // Symbols from elsewhere, relative to this section's start so rip-relative operands work.
  const local = new Set<string>();
  for (const l of lines) for (const lab of l.labels) local.add(lab);
  const needed = new Set<string>();
  for (const l of lines)
    for (const id of identifiersIn(l.statement, split.syntax)) if (!local.has(id)) needed.add(id);
  for (const name of needed) {
    const address = addressOf(name);
    if (address === undefined) continue; // .set/.equ constants defined in this file
    const delta = address - base;
    out.push(`.set ${name}, ${START} ${delta < 0 ? "-" : "+"} ${hex(Math.abs(delta))}`);
  }
  const tableNames: string[] = [];
  lines.forEach((l, i) => {
    for (const lab of l.labels) {
      out.push(`${lab}:`);
      if (LABEL_RE.test(lab)) tableNames.push(lab);
    }
    out.push(`${MARK}${i}:`);
    tableNames.push(`${MARK}${i}`);
    if (l.statement) out.push(l.statement);
  });
  out.push(`${MARK}end:`);
  tableNames.push(`${MARK}end`);
  for (let i = 0; i < tableNames.length; i += 16) out.push(`.quad ${tableNames.slice(i, i + 16).join(", ")}`);
  let bytes: Uint8Array;
  try {
    bytes = assembler.asm(out.join("\n") + "\n", base);
  } catch (e) {
    if (!(e instanceof KeystoneFailure)) throw e;
    throw locateError(assembler, split, lines, base, addressOf, file, sourceLines, e.detail);
  }
  const tableBytes = 8 * tableNames.length;
  const contentLength = bytes.length - tableBytes;
  const view = new DataView(bytes.buffer, bytes.byteOffset + contentLength, tableBytes);
  const offsets = new Map<string, number>();
  tableNames.forEach((name, i) => {
    const address = Number(view.getBigUint64(8 * i, true));
    offsets.set(name, address - base);
  });
  const end = offsets.get(`${MARK}end`)!;
  const lineOffsets = lines.map((_, i) => offsets.get(`${MARK}${i}`)!);
  for (const k of [...offsets.keys()]) if (k.startsWith(MARK)) offsets.delete(k);
  return { bytes: bytes.slice(0, end), offsets, lineOffsets };
}

const FRIENDLY: [RegExp, string][] = [
  [/KS_ERR_ASM_MNEMONICFAIL/, "invalid instruction"],
  [/KS_ERR_ASM_INVALIDOPERAND/, "invalid operand"],
  [/KS_ERR_ASM_SYMBOL_MISSING/, "undefined symbol"],
  [/KS_ERR_ASM_SYMBOL_REDEFINED/, "symbol defined twice"],
  [/KS_ERR_ASM_DIRECTIVE_UNKNOWN/, "unknown directive"],
  [/KS_ERR_ASM_MISSINGFEATURE/, "instruction not available in 64-bit mode"],
  [/KS_ERR_ASM_INSN_UNSUPPORTED/, "unsupported instruction"],
  [/KS_ERR_ASM_DIRECTIVE_VALUE_RANGE/, "value out of range"],
  [/KS_ERR_ASM_FIXUP_INVALID/, "value or jump target out of range"],
];

function friendly(detail: string, statement: string): string {
  for (const [re, text] of FRIENDLY) {
    if (re.test(detail)) {
      const word = statement.split(/\s+/)[0];
      return text === "invalid instruction" ? `invalid instruction '${word}'` : `${text} in '${statement}'`;
    }
  }
  return `${detail.replace(/\s*\(KS_ERR_\w+\)/, "")} in '${statement}'`;
}

/** Keystone does not say which line failed: try each line alone, first failure wins. */
function locateError(
  assembler: Assembler,
  split: SplitSource,
  lines: SourceLine[],
  base: number,
  addressOf: (name: string) => number | undefined,
  file: string,
  sourceLines: string[],
  detail: string,
): Error {
  const head = split.syntax === "att" ? ".att_syntax" : ".intel_syntax noprefix";
  const labels = new Set<string>();
  for (const l of lines) for (const lab of l.labels) labels.add(lab);
  const sets = [...new Set([...labels, ...lines.flatMap((l) => identifiersIn(l.statement, split.syntax))])]
    .filter((n) => LABEL_RE.test(n) && (labels.has(n) || addressOf(n) !== undefined))
    .map((n) => `.set ${n}, ${START}`);
  for (const l of lines) {
    if (!l.statement) continue;
    const text = [head, `${START}:`, ...sets, l.statement].join("\n");
    try {
      assembler.asm(text + "\n", base);
    } catch (e) {
      if (!(e instanceof KeystoneFailure)) throw e;
      return new AssemblyError(
        friendly(e.detail, l.statement),
        file,
        l.line,
        l.column,
        sourceLines[l.line - 1] ?? l.text,
      );
    }
  }
  return new AssemblyError(`cannot assemble this file: ${detail}`, file, 1, 1, sourceLines[0] ?? "");
}
