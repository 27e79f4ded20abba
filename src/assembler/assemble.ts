/**
 * The assembler: keystone-wasm in process. Keystone cannot switch sections inside one call, so
 * each section is assembled on its own at its final address; symbols defined elsewhere (other
 * sections of the file, the runtime) are given to it with `.set`, relative to a label at the
 * section's start so that rip-relative operands encode correctly. Addresses of labels and of
 * every line are read back from a table of `.quad`s appended to the section. The layout is
 * repeated until every address is stable (two passes in practice).
 */
import { assembleChunk, constantDefinedBy, type Outside } from "./assemble-chunk.js";
import { AssemblyError } from "./assembly-error.js";
import { directBytes, directDirective, evaluate, planChunks, type Chunk } from "./chunks.js";
import { GuardedAssembler } from "./guarded-assembler.js";
import { Assembler, KeystoneCrash, keystoneReady, type AsmEngine } from "./keystone.js";
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
  /**
   * Assemble in a worker thread with a time limit per keystone call (guarded-assembler.ts): for a
   * user's own assembly, on which keystone may loop forever. Compiled Scheme does not need it.
   */
  guard?: boolean;
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

const MAX_PASSES = 8;

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

/** A section's contents after a pass. */
interface SectionResult {
  bytes: Uint8Array;
  /** Offset of each line of the section (in section order). */
  lineOffsets: number[];
}

/**
 * Assemble a file. Throws AssemblyError (with file, line and column) for any error in it,
 * including a symbol that is neither defined in the file nor one of `externals`.
 */
export async function assemble(source: string, options: AssembleOptions): Promise<AssembledProgram> {
  for (let attempt = 0; ; attempt++) {
    if (!options.guard) await keystoneReady();
    const assembler: AsmEngine = options.guard ? new GuardedAssembler() : new Assembler();
    try {
      return assembleWith(assembler, source, options);
    } catch (e) {
      // keystone trapped (its heap is full): a fresh module has been prepared; try once more.
      if (!(e instanceof KeystoneCrash) || attempt > 0) throw e;
    } finally {
      assembler.close();
    }
  }
}

function assembleWith(assembler: AsmEngine, source: string, options: AssembleOptions): AssembledProgram {
  const { file } = options;
  const externals = options.externals ?? new Map<string, number>();
  const place = options.place ?? defaultPlacement;
  const split = splitSource(source);
  const defined = definedNames(split);
  const ids = split.lines.map((l) => identifiersIn(l.statement, split.syntax));
  const defines = split.lines.map((l) => constantDefinedBy(l.statement));

  const referencedExternals = new Set<string>();
  split.lines.forEach((l, i) => {
    if (l.error) throw new AssemblyError(l.error, file, l.line, l.column, l.text);
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

  // Each section's lines (indices into split.lines), cut into chunks for keystone.
  const bySection = {} as Record<SectionName, number[]>;
  for (const s of SECTION_NAMES) bySection[s] = [];
  split.lines.forEach((l, i) => bySection[l.section].push(i));
  const numeric = numericConstants(split, defines);
  const plans = {} as Record<SectionName, Chunk[]>;
  for (const s of SECTION_NAMES)
    plans[s] = planChunks(
      bySection[s].map((i) => split.lines[i]),
      s === "bss",
      (n) => numeric.get(n),
    );

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
    // What this pass knows: the previous pass's values, replaced as chunks are assembled.
    const offsetsNow = new Map(offsetsUsed);
    const constantsNow = new Map(constantsUsed);
    const outside = (name: string): Outside | undefined => {
      const section = split.labels.get(name);
      if (section !== undefined) return { address: basesUsed[section] + (offsetsNow.get(name) ?? 0) };
      if (split.constants.has(name)) {
        const value = constantsNow.get(name) ?? numeric.get(name) ?? 0;
        return isAddress(value, basesUsed, sizesUsed) ? { address: value } : { value };
      }
      const address = externals.get(originalName(name));
      return address === undefined ? undefined : { address };
    };
    const next = {} as Record<SectionName, SectionResult>;
    for (const section of SECTION_NAMES) {
      const base = basesUsed[section];
      const indices = bySection[section];
      const parts: Uint8Array[] = [];
      const lineOffsets = new Array<number>(indices.length);
      let cursor = base;
      for (const chunk of plans[section]) {
        if (chunk.kind === "direct") {
          for (const k of chunk.lines) {
            const l = split.lines[indices[k]];
            for (const lab of l.labels) offsetsNow.set(lab, cursor - base);
            lineOffsets[k] = cursor - base;
            if (!l.statement) continue;
            const d = directDirective(l.statement, cursor, section === "bss", (n) => numeric.get(n));
            if (!d)
              throw new Error(
                `internal error: ${file}:${l.line}: '${l.statement}' is not a direct directive`,
              );
            parts.push(section === "bss" ? new Uint8Array(0) : directBytes(d));
            cursor += d.size;
          }
          continue;
        }
        const r = assembleChunk({
          assembler,
          file,
          syntax: split.syntax,
          section,
          lines: chunk.lines.map((k) => split.lines[indices[k]]),
          ids: chunk.lines.map((k) => ids[indices[k]]),
          defines: chunk.lines.map((k) => {
            const c = defines[indices[k]];
            return c !== undefined && split.constants.get(c) === section ? c : undefined;
          }),
          base: cursor,
          outside,
        });
        const at = cursor - base;
        for (const [name, offset] of r.labelOffsets) offsetsNow.set(name, at + offset);
        for (const [name, value] of r.constants) constantsNow.set(name, value);
        chunk.lines.forEach((k, j) => (lineOffsets[k] = at + r.lineOffsets[j]));
        // bss contents are zeros whatever keystone made of them: keep only the size.
        parts.push(section === "bss" ? new Uint8Array(r.bytes.length) : r.bytes);
        cursor += r.bytes.length;
      }
      next[section] = { bytes: concat(parts, cursor - base), lineOffsets };
      sizes[section] = cursor - base;
    }
    results = next;
    labelOffsets = offsetsNow;
    constants = constantsNow;
    bases = place({ ...sizes }, { ...split.alignments });
    const settled =
      pass > 0 &&
      SECTION_NAMES.every((s) => bases[s] === basesUsed[s]) &&
      [...offsetsNow].every(([k, v]) => offsetsUsed.get(k) === v) &&
      [...constantsNow].every(([k, v]) => constantsUsed.get(k) === v) &&
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

function concat(parts: Uint8Array[], size: number): Uint8Array {
  if (parts.length === 1 && parts[0].length === size) return parts[0];
  const out = new Uint8Array(size);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Constants whose definitions are plain numbers or expressions of other such constants. */
function numericConstants(split: SplitSource, defines: (string | undefined)[]): Map<string, number> {
  const values = new Map<string, number>();
  for (let changed = true; changed;) {
    changed = false;
    split.lines.forEach((l, i) => {
      const name = defines[i];
      if (name === undefined || values.has(name)) return;
      const expression =
        /^\.(?:set|equ)\s+[^\s,]+\s*,(.*)$/.exec(l.statement)?.[1] ?? l.statement.replace(/^[^=]*=/, "");
      if (/(^|[^\w.$])\.($|[^\w.$])/.test(expression)) return; // uses the location counter
      const v = evaluate(expression, (n) => values.get(n));
      if (v !== undefined) {
        values.set(name, v);
        changed = true;
      }
    });
  }
  return values;
}

/** Whether a constant's value is an address inside the file (then it must be section-relative). */
function isAddress(value: number, bases: SectionAddresses, sizes: SectionSizes): boolean {
  return SECTION_NAMES.some((s) => value >= bases[s] && value <= bases[s] + sizes[s]);
}
