/**
 * The assembler: keystone-wasm in process. Keystone cannot switch sections inside one call, so
 * each section is assembled on its own at its final address; symbols defined elsewhere (other
 * sections of the file, the runtime) are given to it with `.set`, relative to a label at the
 * section's start so that rip-relative operands encode correctly. Addresses of labels and of
 * every line are read back from a table of `.quad`s appended to the section. The layout is
 * repeated until every address is stable (two passes in practice).
 */
import { AssemblyError } from "./assembly-error.js";
import { Assembler, KeystoneFailure, keystoneReady } from "./keystone.js";
import { locateError } from "./locate-error.js";
import {
  INTERNAL_PREFIX,
  originalName,
  SECTION_NAMES,
  splitSource,
  SYMBOL_NAME,
  type SectionName,
  type SourceLine,
  type SplitSource,
} from "./source-lines.js";
import { identifiersIn } from "./symbols-used.js";

export type SectionSizes = Record<SectionName, number>;
export type SectionAddresses = Record<SectionName, number>;

export interface AssembledSection {
  name: SectionName;
  address: number;
  /** Contents (empty for bss). */
  bytes: Uint8Array;
  /** Size in memory. */
  size: number;
  /** The largest alignment the section's directives ask for. */
  align: number;
}

/** A source line that emitted bytes. */
export interface AssembledLine {
  address: number;
  size: number;
  /** 1-based line in the file. */
  line: number;
  /** 1-based column where the statement starts. */
  column: number;
  /** The line as written. */
  text: string;
  file: string;
  section: SectionName;
}

export interface AssembledSymbol {
  name: string;
  address: number;
  section: SectionName;
  /** Declared `.globl`/`.global`/`.weak`. */
  global: boolean;
  /** From `.type`; a plain label otherwise. */
  kind: "function" | "object" | "label";
  /** From `.size` (0 when not given). */
  size: number;
}

export interface AssembledProgram {
  file: string;
  syntax: "intel" | "att";
  sections: Record<SectionName, AssembledSection>;
  /** Labels of the file (numeric local labels excluded). */
  symbols: Map<string, AssembledSymbol>;
  /** Every line that emitted bytes, by address. */
  lines: AssembledLine[];
  /** Symbols used but defined outside the file (found in `externals`). */
  referencedExternals: Set<string>;
}

export interface AssembleOptions {
  /** For messages and line records. */
  file: string;
  /**
   * Addresses of symbols defined outside this file (e.g. the runtime's). Read after every
   * `place` call, so a linker whose layout moves them with the program's sizes may update
   * the map from `place`.
   */
  externals?: ReadonlyMap<string, number>;
  /**
   * Where each section goes, given its size and alignment. Called once per pass until the
   * layout is stable, so it must be a pure function of its arguments. Default:
   * `defaultPlacement`.
   */
  place?: (sizes: SectionSizes, alignments: SectionSizes) => SectionAddresses;
}

export const DEFAULT_TEXT_ADDRESS = 0x401000;
const PAGE = 4096;
const alignUp = (n: number, a: number) => Math.ceil(n / a) * a;

/** Text at 0x401000, then rodata, data and bss, each kind on its own pages. */
export function defaultPlacement(sizes: SectionSizes, alignments: SectionSizes): SectionAddresses {
  const text = DEFAULT_TEXT_ADDRESS;
  const rodata = alignUp(text + Math.max(sizes.text, 1), PAGE);
  const data = alignUp(rodata + sizes.rodata, PAGE);
  const bss = alignUp(data + sizes.data, Math.max(16, alignments.bss));
  return { text, rodata, data, bss };
}

const START = "__abi_lab_section_start";
/** Line markers: short (keystone converts its input to UTF-8 slowly) and unlike any user label. */
const MARK = ".L$";
const MAX_PASSES = 8;

const hex = (n: number) => (n < 0 ? `-0x${(-n).toString(16)}` : `0x${n.toString(16)}`);

/** Names a file defines: labels and `.set`/`.equ` constants. */
function definedNames(split: SplitSource): Set<string> {
  return new Set([...split.labels.keys(), ...split.constants.keys()]);
}

/** What a file defines and uses, without assembling it (what a linker needs to choose inputs). */
export interface SourceSymbols {
  /** Labels defined in the file (numeric local labels excluded). */
  labels: Set<string>;
  /** Labels and constants declared `.globl`/`.global`/`.weak`. */
  globals: Set<string>;
  /** Identifiers used but not defined in the file. */
  references: Set<string>;
}

export function scanSymbols(source: string): SourceSymbols {
  const split = splitSource(source);
  const defined = definedNames(split);
  const references = new Set<string>();
  for (const l of split.lines)
    for (const id of identifiersIn(l.statement, split.syntax))
      if (!defined.has(id)) references.add(originalName(id));
  const labels = new Set(
    [...split.labels.keys()].filter((n) => !n.startsWith(INTERNAL_PREFIX + "local_")).map(originalName),
  );
  return { labels, globals: new Set([...split.globals].map(originalName)), references };
}

/** The identifiers a file uses but does not define (for the linker to pull archive members). */
export function scanReferences(source: string): Set<string> {
  return scanSymbols(source).references;
}

/** Whether a file defines a label (e.g. `_start` or `scheme_entry`). */
export function definesSymbol(source: string, name: string): boolean {
  return scanSymbols(source).labels.has(name);
}

/** Column of an identifier in a line, searching from the statement's start. */
function columnOfIdentifier(l: SourceLine, id: string): number {
  const escaped = id.replace(/[.$*+?^{}()|[\]\\]/g, "\\$&");
  const re = new RegExp(`(?<![\\w.$])${escaped}(?![\\w.$@])`, "g");
  re.lastIndex = l.column - 1;
  const m = re.exec(l.text);
  return m ? m.index + 1 : l.column;
}

interface SectionResult {
  bytes: Uint8Array;
  /** Label → offset from the section's start. */
  labelOffsets: Map<string, number>;
  /** Constant → value. */
  constants: Map<string, number>;
  /** Offset of each line of the section. */
  lineOffsets: number[];
}

/** A symbol as keystone must see it from inside a section. */
type Outside = { address: number } | { value: number };

/**
 * Assemble a file. Throws AssemblyError (with file, line and column) for any error in it,
 * including a symbol that is neither defined in the file nor one of `externals`.
 */
export async function assemble(source: string, options: AssembleOptions): Promise<AssembledProgram> {
  await keystoneReady();
  const { file } = options;
  const externals = options.externals ?? new Map<string, number>();
  const place = options.place ?? defaultPlacement;
  const split = splitSource(source);
  const defined = definedNames(split);
  const ids = split.lines.map((l) => identifiersIn(l.statement, split.syntax));

  const referencedExternals = new Set<string>();
  split.lines.forEach((l, i) => {
    for (const id of ids[i]) {
      if (defined.has(id)) continue;
      const name = originalName(id);
      if (externals.has(name)) {
        referencedExternals.add(name);
        continue;
      }
      throw new AssemblyError(
        `undefined symbol '${name}'`,
        file,
        l.line,
        columnOfIdentifier(l, name),
        l.text,
      );
    }
  });

  const bySection = {} as Record<SectionName, number[]>;
  for (const s of SECTION_NAMES) bySection[s] = [];
  split.lines.forEach((l, i) => bySection[l.section].push(i));

  const assembler = new Assembler();
  const sizes: SectionSizes = { text: 0, rodata: 0, data: 0, bss: 0 };
  for (const s of SECTION_NAMES) sizes[s] = bySection[s].length * 8;
  let bases = place({ ...sizes }, { ...split.alignments });
  let labelOffsets = new Map<string, number>();
  let constants = new Map<string, number>();
  let results: Record<SectionName, SectionResult> | undefined;

  for (let pass = 0; ; pass++) {
    if (pass === MAX_PASSES) throw new Error(`internal error: the layout of ${file} did not settle`);
    const basesUsed = bases;
    const offsetsUsed = labelOffsets;
    const constantsUsed = constants;
    const sizesUsed = { ...sizes };
    const externalsUsed = new Map([...referencedExternals].map((n) => [n, externals.get(n)]));
    const outside = (name: string): Outside | undefined => {
      const section = split.labels.get(name);
      if (section !== undefined) return { address: basesUsed[section] + (offsetsUsed.get(name) ?? 0) };
      if (split.constants.has(name)) {
        const value = constantsUsed.get(name) ?? 0;
        return isAddress(value, basesUsed, sizesUsed) ? { address: value } : { value };
      }
      const address = externals.get(originalName(name));
      return address === undefined ? undefined : { address };
    };
    const next = {} as Record<SectionName, SectionResult>;
    const nextOffsets = new Map<string, number>();
    const nextConstants = new Map<string, number>();
    for (const section of SECTION_NAMES) {
      const r = assembleSection(
        assembler,
        split,
        ids,
        section,
        bySection[section],
        basesUsed[section],
        outside,
        file,
      );
      next[section] = r;
      for (const [k, v] of r.labelOffsets) nextOffsets.set(k, v);
      for (const [k, v] of r.constants) nextConstants.set(k, v);
      sizes[section] = r.bytes.length;
    }
    results = next;
    labelOffsets = nextOffsets;
    constants = nextConstants;
    bases = place({ ...sizes }, { ...split.alignments });
    const settled =
      pass > 0 &&
      SECTION_NAMES.every((s) => bases[s] === basesUsed[s]) &&
      [...nextOffsets].every(([k, v]) => offsetsUsed.get(k) === v) &&
      [...nextConstants].every(([k, v]) => constantsUsed.get(k) === v) &&
      [...externalsUsed].every(([k, v]) => externals.get(k) === v);
    if (settled) break;
  }

  const sections = {} as Record<SectionName, AssembledSection>;
  const lines: AssembledLine[] = [];
  for (const s of SECTION_NAMES) {
    const r = results[s];
    sections[s] = {
      name: s,
      address: bases[s],
      bytes: s === "bss" ? new Uint8Array(0) : r.bytes,
      size: r.bytes.length,
      align: split.alignments[s],
    };
    const indices = bySection[s];
    indices.forEach((index, k) => {
      const start = r.lineOffsets[k];
      const end = k + 1 < indices.length ? r.lineOffsets[k + 1] : r.bytes.length;
      if (end <= start) return;
      const l = split.lines[index];
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
  lines.sort((a, b) => a.address - b.address);

  const symbols = new Map<string, AssembledSymbol>();
  for (const [name, section] of split.labels) {
    if (name.startsWith(INTERNAL_PREFIX + "local_") || !SYMBOL_NAME.test(name)) continue;
    symbols.set(originalName(name), {
      name: originalName(name),
      address: bases[section] + (labelOffsets.get(name) ?? 0),
      section,
      global: split.globals.has(name),
      kind: split.types.get(name) ?? "label",
      size: 0,
    });
  }
  for (const d of split.sizes) {
    const sym = symbols.get(originalName(d.name));
    if (!sym) continue;
    if (d.value !== undefined) sym.size = d.value;
    else if (sym.section === d.section) {
      const r = results[d.section];
      const at = d.lineIndex < r.lineOffsets.length ? r.lineOffsets[d.lineIndex] : r.bytes.length;
      sym.size = Math.max(0, bases[d.section] + at - sym.address);
    }
  }
  return { file, syntax: split.syntax, sections, symbols, lines, referencedExternals };
}

/** Whether a constant's value is an address inside the file (then it must be section-relative). */
function isAddress(value: number, bases: SectionAddresses, sizes: SectionSizes): boolean {
  return SECTION_NAMES.some((s) => value >= bases[s] && value <= bases[s] + sizes[s]);
}

function assembleSection(
  assembler: Assembler,
  split: SplitSource,
  ids: string[][],
  section: SectionName,
  indices: number[],
  base: number,
  outside: (name: string) => Outside | undefined,
  file: string,
): SectionResult {
  if (indices.length === 0)
    return { bytes: new Uint8Array(0), labelOffsets: new Map(), constants: new Map(), lineOffsets: [] };
  const lines = indices.map((i) => split.lines[i]);
  const head = [split.syntax === "att" ? ".att_syntax" : ".intel_syntax noprefix", `${START}:`];

  const local = new Set<string>();
  const localConstants = new Set<string>();
  const constantsByLine: string[][] = [];
  for (const l of lines) {
    for (const lab of l.labels) local.add(lab);
    const defines = constantDefinedBy(l.statement);
    constantsByLine.push(defines ? [defines] : []);
    if (defines && split.constants.get(defines) === section) {
      local.add(defines);
      localConstants.add(defines);
    }
  }
  // Everything defined elsewhere, relative to this section's start.
  const sets: string[] = [];
  const seen = new Set<string>();
  for (const i of indices) {
    for (const name of ids[i]) {
      if (local.has(name) || seen.has(name)) continue;
      seen.add(name);
      const o = outside(name);
      if (!o) continue;
      if ("address" in o) {
        const delta = o.address - base;
        sets.push(`.set ${name}, ${START} ${delta < 0 ? "-" : "+"} ${hex(Math.abs(delta))}`);
      } else sets.push(`.set ${name}, ${o.value}`);
    }
  }

  const body: string[] = [];
  const table: string[] = [];
  lines.forEach((l, k) => {
    for (const lab of l.labels) {
      body.push(`${lab}:`);
      if (SYMBOL_NAME.test(lab)) table.push(lab);
    }
    // A line without a statement is at the next statement's address: no marker needed.
    if (!l.statement) return;
    body.push(`${MARK}${k}:`, section === "text" ? l.statement : zeroFill(l.statement));
    table.push(`${MARK}${k}`);
  });
  body.push(`${MARK}end:`);
  table.push(`${MARK}end`, ...localConstants);
  const quads: string[] = [];
  for (let i = 0; i < table.length; i += 16) quads.push(`.quad ${table.slice(i, i + 16).join(", ")}`);

  const tableBytes = 8 * table.length;
  let bytes: Uint8Array;
  try {
    bytes = assembler.asm([...head, ...sets, ...body, ...quads].join("\n") + "\n", base, tableBytes);
  } catch (e) {
    if (!(e instanceof KeystoneFailure)) throw e;
    throw locateError(
      { assembler, file, head, outside: sets, lines, constantsByLine, startLabel: START, base },
      e,
    );
  }
  const contentLength = bytes.length - tableBytes;
  const view = new DataView(bytes.buffer, bytes.byteOffset + contentLength, tableBytes);
  const values = new Map<string, number>();
  table.forEach((name, i) => values.set(name, Number(view.getBigInt64(8 * i, true))));
  if (values.get(`${MARK}end`) !== base + contentLength)
    throw new Error(`internal error: the address table of section ${section} of ${file} is misplaced`);

  const labelOffsets = new Map<string, number>();
  const constants = new Map<string, number>();
  for (const [name, value] of values) {
    if (name.startsWith(MARK)) continue;
    if (localConstants.has(name) && !split.labels.has(name)) constants.set(name, value);
    else labelOffsets.set(name, value - base);
  }
  const lineOffsets: number[] = new Array<number>(lines.length);
  let next = contentLength;
  for (let k = lines.length - 1; k >= 0; k--) {
    const at = values.get(`${MARK}${k}`);
    if (at !== undefined) next = at - base;
    lineOffsets[k] = next;
  }
  return { bytes: bytes.slice(0, contentLength), labelOffsets, constants, lineOffsets };
}

/** Keystone pads every section with nops; outside code, alignment padding is zeros (as GNU as). */
function zeroFill(statement: string): string {
  const m = /^\.(p2align|balign|align)\s+([^,\s]+)\s*(?:,\s*([^,]*?)\s*(?:,\s*(.+))?)?$/.exec(statement);
  if (!m || (m[3] !== undefined && m[3] !== "")) return statement;
  return `.${m[1]} ${m[2]}, 0${m[4] !== undefined ? `, ${m[4]}` : ""}`;
}

/** The constant a `.set`/`.equ`/`=` statement defines, if it is one. */
function constantDefinedBy(statement: string): string | undefined {
  return (/^\.(?:set|equ)\s+([^\s,]+)\s*,/.exec(statement) ??
    /^([A-Za-z_.$][\w.$@]*)\s*=[^=]/.exec(statement))?.[1];
}
