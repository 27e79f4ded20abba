/**
 * The linker. Reads objects and archives, pulls the archive members that are needed, merges
 * sections by kind, resolves symbols and applies x86-64 relocations into an in-memory Image.
 *
 * With a program in assembly (`linkProgram`), the runtime's pieces are laid out first (their
 * sizes are known), the program is assembled after them (the assembler asks where its sections
 * go; the runtime's symbols are its externals), and the runtime's relocations that refer to
 * the program (`scheme_entry`) are applied last.
 */
import {
  assemble,
  scanSymbols,
  type AssembledProgram,
  type SectionAddresses,
  type SectionSizes,
  type SourceSymbols,
} from "../assembler/index.js";
import { Perm } from "../emulator/types.js";
import { readArchive, type Archive } from "./archive.js";
import { LinkError } from "./bytes.js";
import { ELF, readObject, type ObjectFile, type ObjectSection, type ObjectSymbol } from "./elf-object.js";
import type { Image, ImageSegment, ImageSymbol } from "./image.js";
import { dropDuplicateGroups, selectInputs, type InputObject } from "./inputs.js";
import { KINDS, layOut, type Chunk, type Kind, type Ranges } from "./layout.js";
import { applyRelocation, relocationName, usesGot, usesGotAddress } from "./relocations.js";
import { originOf, SymbolTable } from "./symbol-table.js";

export { TEXT_BASE } from "./layout.js";

export interface InputFile {
  /** For messages and symbol origins. */
  path: string;
  bytes: Uint8Array;
}

interface CommonOptions {
  /** Archives to pull members from on demand (e.g. runtime-rs's libabi_runtime.a). */
  archives?: InputFile[];
  /** Relocatable objects linked whole. */
  objects?: InputFile[];
  /**
   * The entry symbol (default `_start`). null links a library of functions with no entry
   * (entry 0): as for a shared library, undefined symbols are then allowed; they resolve to 0
   * and are listed in `Image.unresolved`.
   */
  entry?: string | null;
  /** Symbols to pull from the archives even if nothing mentions them. */
  require?: string[];
}

export interface LinkProgramOptions extends CommonOptions {
  /** The program's assembly (compiled Scheme or the user's `.s`). */
  programSource: string;
  programFile: string;
  /** The source is a user's own assembly: assemble it with a time limit (AssembleOptions.guard). */
  guard?: boolean;
}

export interface LinkObjectsOptions extends CommonOptions {
  objects: InputFile[];
}

/** Names the linker defines when an input refers to them and nothing else defines them. */
const LINKER_SYMBOLS = [
  "_GLOBAL_OFFSET_TABLE_",
  "__executable_start",
  "_etext",
  "etext",
  "__etext",
  "_edata",
  "edata",
  "__bss_start",
  "_end",
  "end",
] as const;

interface SectionChunk extends Chunk {
  input: InputObject;
  section: ObjectSection;
}

interface Program {
  file: string;
  symbols: SourceSymbols;
}

/** Everything known before the program's sizes are: inputs, symbols, the runtime's chunks. */
interface Prepared {
  inputs: InputObject[];
  table: SymbolTable;
  sectionChunks: SectionChunk[];
  /** Chunk of each kept section, by input and section index. */
  chunkOf: Map<InputObject, Map<number, SectionChunk>>;
  got: Chunk;
  /** GOT slot index by key (global name, or object+symbol index for locals). */
  gotSlots: Map<string, number>;
  commons: Map<string, Chunk>;
  /** Linker-defined symbols that are referenced. */
  linkerSymbols: Set<string>;
  program?: Program;
  entry: string | null;
}

const describeSymbol = (s: ObjectSymbol, o: ObjectFile) =>
  s.name || (s.type === ELF.STT_SECTION ? (o.sections[s.section]?.name ?? "a section") : "(unnamed)");

/** The kind of an allocated section, or undefined if it is not loaded. */
function kindOf(s: ObjectSection, file: ObjectFile): Kind | undefined {
  if (!(s.flags & ELF.SHF_ALLOC) || s.flags & ELF.SHF_EXCLUDE) return undefined;
  if (s.type === ELF.SHT_NOTE || s.type === ELF.SHT_GROUP || s.type === ELF.SHT_X86_64_UNWIND)
    return undefined;
  // Unwind tables are only for debuggers and exceptions (panic = "abort" needs none).
  if (s.name === ".eh_frame" || s.name === ".eh_frame_hdr" || s.name.startsWith(".note")) return undefined;
  if (s.flags & ELF.SHF_TLS) {
    if (s.size === 0) return undefined;
    throw new LinkError(
      `${file.name}: section ${s.name} holds thread-local storage, which abi-lab does not support`,
    );
  }
  if (s.flags & ELF.SHF_EXECINSTR) return "text";
  if (s.type === ELF.SHT_NOBITS) return "bss";
  if (s.flags & ELF.SHF_WRITE) return "data";
  return "rodata";
}

const gotKey = (input: InputObject, index: number, s: ObjectSymbol) =>
  s.bind === ELF.STB_LOCAL ? `${input.file.name}\0${index}` : s.name;

function prepare(
  objectFiles: ObjectFile[],
  archives: Archive[],
  entry: string | null,
  require: readonly string[],
  program?: Program,
): Prepared {
  const programDefines = (name: string) => program?.symbols.labels.has(name) ?? false;
  const roots = new Set<string>(require);
  if (program) for (const r of program.symbols.references) roots.add(r);
  if (entry !== null) roots.add(entry);
  const inputs = dropDuplicateGroups(selectInputs(objectFiles, archives, roots, programDefines));

  const table = new SymbolTable();
  for (const input of inputs) table.addObject(input);
  if (program)
    for (const name of program.symbols.globals)
      if (program.symbols.labels.has(name)) table.define(name, { kind: "program", file: program.file });

  // Sections to load, in input order.
  const sectionChunks: SectionChunk[] = [];
  const chunkOf = new Map<InputObject, Map<number, SectionChunk>>();
  for (const input of inputs) {
    const byIndex = new Map<number, SectionChunk>();
    chunkOf.set(input, byIndex);
    for (const section of input.file.sections) {
      if (input.discarded.has(section.index)) continue;
      const kind = kindOf(section, input.file);
      if (!kind) continue;
      const chunk: SectionChunk = {
        kind,
        size: section.size,
        align: section.align,
        address: 0,
        input,
        section,
      };
      sectionChunks.push(chunk);
      byIndex.set(section.index, chunk);
    }
  }

  // GOT slots, and which linker-defined symbols are wanted.
  const gotSlots = new Map<string, number>();
  const linkerSymbols = new Set<string>();
  let wantsGot = false;
  for (const chunk of sectionChunks) {
    const { input, section } = chunk;
    for (const rel of input.file.relocations.get(section.index) ?? []) {
      if (usesGotAddress(rel.type)) wantsGot = true;
      if (!usesGot(rel.type)) continue;
      const key = gotKey(input, rel.symbol, input.file.symbols[rel.symbol]);
      if (!gotSlots.has(key)) gotSlots.set(key, gotSlots.size);
    }
  }
  const referenced = new Set<string>(program?.symbols.references ?? []);
  for (const input of inputs)
    for (const s of input.file.symbols) if (s.section === ELF.SHN_UNDEF && s.name) referenced.add(s.name);
  if (wantsGot) referenced.add("_GLOBAL_OFFSET_TABLE_");
  for (const name of LINKER_SYMBOLS) {
    if (!referenced.has(name) || table.get(name) || programDefines(name)) continue;
    linkerSymbols.add(name);
    table.define(name, { kind: "linker" });
  }
  const got: Chunk = { kind: "data", size: 8 * gotSlots.size, align: 8, address: 0 };

  const commons = new Map<string, Chunk>();
  for (const [name, d] of table.definitions)
    if (d.kind === "common") commons.set(name, { kind: "bss", size: d.size, align: d.align, address: 0 });

  return { inputs, table, sectionChunks, chunkOf, got, gotSlots, commons, linkerSymbols, program, entry };
}

/** The program's sections as chunks after the runtime's (code 16-aligned, data 8-aligned). */
function programChunks(sizes: SectionSizes, alignments: SectionSizes): Record<Kind, Chunk> {
  const out = {} as Record<Kind, Chunk>;
  for (const kind of KINDS)
    out[kind] = {
      kind,
      size: sizes[kind],
      align: Math.max(alignments[kind], kind === "text" ? 16 : 8),
      address: 0,
    };
  return out;
}

/** Every chunk in placement order: each kind's inputs, then the GOT / commons, then the program's. */
function allChunks(p: Prepared, program?: Record<Kind, Chunk>): Chunk[] {
  const chunks: Chunk[] = [...p.sectionChunks, p.got, ...p.commons.values()];
  if (program) chunks.push(...KINDS.map((k) => program[k]));
  return chunks;
}

interface Placement {
  ranges: Ranges;
  program?: Record<Kind, Chunk>;
}

/** Addresses of linker-defined symbols for a layout. */
function linkerSymbolAddress(name: string, p: Prepared, ranges: Ranges): number {
  switch (name) {
    case "_GLOBAL_OFFSET_TABLE_":
      return p.got.address;
    case "__executable_start":
      return ranges.text.start;
    case "_etext":
    case "etext":
    case "__etext":
      return ranges.text.end;
    case "_edata":
    case "edata":
      return ranges.data.end;
    case "__bss_start":
      return ranges.bss.start;
    default:
      return ranges.bss.end;
  }
}

/** Address of a global definition once laid out (undefined for program symbols before assembly). */
function definitionAddress(
  p: Prepared,
  name: string,
  ranges: Ranges,
  assembled?: AssembledProgram,
): number | undefined {
  const d = p.table.get(name);
  if (!d) return undefined;
  switch (d.kind) {
    case "object": {
      if (d.symbol.section === ELF.SHN_ABS) return d.symbol.value;
      const chunk = p.chunkOf.get(d.input)?.get(d.symbol.section);
      return chunk ? chunk.address + d.symbol.value : undefined;
    }
    case "common":
      return p.commons.get(name)!.address;
    case "program":
      return assembled?.symbols.get(name)?.address;
    case "linker":
      return linkerSymbolAddress(name, p, ranges);
  }
}

/** Largest image abi-lab builds: more is a corrupt input (a huge alignment or size), not a program. */
const MAX_IMAGE_SPAN = 1 << 30;

function checkSpan(ranges: Ranges): void {
  const span = Math.max(ranges.data.end, ranges.bss.end) - ranges.text.start;
  if (span > MAX_IMAGE_SPAN)
    throw new LinkError(
      `the linked program would span ${span} bytes of memory (over ${MAX_IMAGE_SPAN}): an input has an absurd size or alignment`,
    );
}

/** Builds the image: segments, relocations, GOT, symbols, entry. */
function finish(p: Prepared, placement: Placement, assembled?: AssembledProgram): Image {
  const { ranges } = placement;
  checkSpan(ranges);
  const resolveGlobal = (name: string): number | undefined => {
    const a = definitionAddress(p, name, ranges, assembled);
    if (a !== undefined) return a;
    // Lenient: a label the program forgot to declare .globl still satisfies the runtime.
    return assembled?.symbols.get(name)?.address;
  };

  // Segment buffers, filled with the sections' contents.
  const segment = (kind: "text" | "rodata" | "data") => {
    const start = ranges[kind].start;
    const end = kind === "data" ? ranges.data.end : ranges[kind].end;
    return { start, bytes: new Uint8Array(end - start) };
  };
  const buffers = { text: segment("text"), rodata: segment("rodata"), data: segment("data") };
  const bufferFor = (kind: Kind) => (kind === "bss" ? undefined : buffers[kind]);
  for (const c of p.sectionChunks) {
    const b = bufferFor(c.kind);
    if (b && c.section.type !== ELF.SHT_NOBITS) b.bytes.set(c.section.data, c.address - b.start);
  }
  if (assembled && placement.program)
    for (const kind of ["text", "rodata", "data"] as const) {
      const s = assembled.sections[kind];
      if (s.size) buffers[kind].bytes.set(s.bytes, s.address - buffers[kind].start);
    }

  // Relocations.
  const gotView = new DataView(buffers.data.bytes.buffer, p.got.address - buffers.data.start, p.got.size);
  const undefinedRefs = new Map<string, string>();
  for (const chunk of p.sectionChunks) {
    const { input, section } = chunk;
    const rels = input.file.relocations.get(section.index);
    if (!rels?.length) continue;
    const b = bufferFor(chunk.kind);
    if (!b || section.type === ELF.SHT_NOBITS)
      throw new LinkError(`${input.file.name}: section ${section.name} has relocations but no contents`);
    const view = new DataView(b.bytes.buffer, chunk.address - b.start, section.size);
    const sectionsHere = p.chunkOf.get(input)!;
    for (const rel of rels) {
      const sym = input.file.symbols[rel.symbol];
      const site = `${input.file.name}(${section.name}+0x${rel.offset.toString(16)})`;
      const where = () =>
        `relocation ${relocationName(rel.type)} against \`${describeSymbol(sym, input.file)}\` in ${site}`;
      let S: number | undefined;
      let Z = sym.size;
      if (rel.symbol === 0) S = 0;
      else if (sym.bind === ELF.STB_LOCAL || sym.type === ELF.STT_SECTION) {
        if (sym.section === ELF.SHN_ABS) S = sym.value;
        else {
          const target = sectionsHere.get(sym.section);
          if (!target) {
            const targetName = input.file.sections[sym.section]?.name ?? String(sym.section);
            throw new LinkError(
              `${where()}: refers to section ${targetName}, which is not loaded (discarded)`,
            );
          }
          S = target.address + sym.value;
        }
      } else {
        S = resolveGlobal(sym.name);
        const d = p.table.get(sym.name);
        if (d?.kind === "object") Z = d.symbol.size;
        else if (d?.kind === "common") Z = d.size;
        if (S === undefined) {
          if (sym.bind === ELF.STB_WEAK) S = 0;
          else {
            if (!undefinedRefs.has(sym.name)) undefinedRefs.set(sym.name, site);
            if (p.entry !== null) continue;
            S = 0;
          }
        }
      }
      let G = 0;
      if (usesGot(rel.type)) {
        const slot = p.gotSlots.get(gotKey(input, rel.symbol, sym))!;
        gotView.setBigUint64(8 * slot, BigInt(S), true);
        G = p.got.address + 8 * slot;
      }
      applyRelocation(
        view,
        rel.offset,
        rel.type,
        { S, A: rel.addend, P: chunk.address + rel.offset, GOT: p.got.address, G, Z },
        where,
      );
    }
  }
  if (undefinedRefs.size && p.entry !== null) {
    const list = [...undefinedRefs];
    const lines = list
      .slice(0, 10)
      .map(([name, site]) => `undefined symbol \`${name}\` referenced from ${site}`);
    if (list.length > 10) lines.push(`... and ${list.length - 10} more undefined symbols`);
    throw new LinkError(lines.join("\n"));
  }

  const segments: ImageSegment[] = [];
  const push = (name: string, kind: "text" | "rodata" | "data", perm: number, memoryEnd: number) => {
    const b = buffers[kind];
    if (memoryEnd <= b.start) return;
    segments.push({ name, address: b.start, bytes: b.bytes, memorySize: memoryEnd - b.start, perm });
  };
  push("text", "text", Perm.read | Perm.exec, ranges.text.end);
  push("rodata", "rodata", Perm.read, ranges.rodata.end);
  push("data", "data", Perm.read | Perm.write, Math.max(ranges.data.end, ranges.bss.end));

  const symbols = imageSymbols(p, resolveGlobal, assembled);
  let entry = 0;
  if (p.entry !== null) {
    const e = resolveGlobal(p.entry);
    if (e === undefined) throw new LinkError(`no entry point: nothing defines \`${p.entry}\``);
    entry = e;
  }
  return {
    entry,
    segments,
    symbols,
    lines: assembled?.lines ?? [],
    sourceFile: p.program?.file,
    ...(undefinedRefs.size ? { unresolved: [...undefinedRefs.keys()] } : {}),
  };
}

const kindOfType = (type: number): ImageSymbol["kind"] =>
  type === ELF.STT_FUNC ? "function" : type === ELF.STT_OBJECT ? "object" : "label";

function imageSymbols(
  p: Prepared,
  resolveGlobal: (name: string) => number | undefined,
  assembled?: AssembledProgram,
): ImageSymbol[] {
  const out: ImageSymbol[] = [];
  for (const input of p.inputs) {
    const chunks = p.chunkOf.get(input)!;
    for (const s of input.file.symbols) {
      if (!s.name || s.bind !== ELF.STB_LOCAL || s.name.startsWith(".L")) continue;
      if (s.type === ELF.STT_SECTION || s.type === ELF.STT_FILE) continue;
      const chunk = chunks.get(s.section);
      if (!chunk) continue;
      out.push({
        name: s.name,
        address: chunk.address + s.value,
        size: s.size,
        kind: kindOfType(s.type),
        origin: input.file.name,
        binding: "local",
      });
    }
  }
  for (const [name, d] of p.table.definitions) {
    if (d.kind === "linker" || d.kind === "program") continue;
    if (d.kind === "object" && d.symbol.section === ELF.SHN_ABS) continue;
    const address = resolveGlobal(name);
    if (address === undefined) continue;
    out.push({
      name,
      address,
      size: d.kind === "common" ? d.size : d.symbol.size,
      kind: d.kind === "common" ? "object" : kindOfType(d.symbol.type),
      origin: originOf(d),
      binding: d.kind === "object" && d.weak ? "weak" : "global",
    });
  }
  if (assembled)
    for (const s of assembled.symbols.values()) {
      if (s.name.startsWith(".L")) continue;
      out.push({
        name: s.name,
        address: s.address,
        size: s.size,
        kind: s.kind === "label" && s.section === "text" ? "function" : s.kind,
        origin: assembled.file,
        binding: s.global ? "global" : "local",
      });
    }
  out.sort((a, b) => a.address - b.address || a.name.localeCompare(b.name));
  return out;
}

function readInputs(options: CommonOptions): { objects: ObjectFile[]; archives: Archive[] } {
  return {
    objects: (options.objects ?? []).map((o) => readObject(o.bytes, o.path)),
    archives: (options.archives ?? []).map((a) => cachedArchive(a)),
  };
}

/** Archives are immutable inputs read many times (the runtime, once per run): parse once. */
const archiveCache = new WeakMap<Uint8Array, Map<string, Archive>>();

function cachedArchive(file: InputFile): Archive {
  let byName = archiveCache.get(file.bytes);
  if (!byName) archiveCache.set(file.bytes, (byName = new Map<string, Archive>()));
  let archive = byName.get(file.path);
  if (!archive) byName.set(file.path, (archive = readArchive(file.bytes, file.path)));
  return archive;
}

/**
 * Link relocatable objects (and archive members they need) into an image: the static link
 * `ld` would do for `ld -static -o prog a.o b.o libc.a`.
 */
export function linkObjects(options: LinkObjectsOptions): Image {
  const { objects, archives } = readInputs(options);
  const entry = options.entry === undefined ? "_start" : options.entry;
  const p = prepare(objects, archives, entry, options.require ?? []);
  const ranges = layOut(allChunks(p));
  return finish(p, { ranges });
}

/**
 * Link a program's assembly with objects and archives (runtime-rs): pull the members it needs
 * (and `_start`'s, unless the program defines its own entry), lay out the runtime first,
 * assemble the program after it with the runtime's symbols as externals, then apply the
 * relocations. Assembly errors are AssemblyErrors (FILE:LINE:COL); link errors LinkErrors.
 */
export async function linkProgram(options: LinkProgramOptions): Promise<Image> {
  const { programSource, programFile } = options;
  const entry = options.entry === undefined ? "_start" : options.entry;
  const symbols = scanSymbols(programSource);
  const { objects, archives } = readInputs(options);
  const program: Program = { file: programFile, symbols };
  const p = prepare(objects, archives, entry, options.require ?? [], program);

  // The runtime's symbols, for the assembler: updated by each layout (they move with the
  // program's sizes when they come after its code).
  const externals = new Map<string, number>();
  let placement: Placement | undefined;
  const place = (sizes: SectionSizes, alignments: SectionSizes): SectionAddresses => {
    const chunks = programChunks(sizes, alignments);
    const ranges = layOut(allChunks(p, chunks));
    placement = { ranges, program: chunks };
    for (const name of p.table.definitions.keys()) {
      if (symbols.labels.has(name)) continue;
      const a = definitionAddress(p, name, ranges);
      if (a !== undefined) externals.set(name, a);
    }
    return {
      text: chunks.text.address,
      rodata: chunks.rodata.address,
      data: chunks.data.address,
      bss: chunks.bss.address,
    };
  };
  // Know the externals' names before the first pass (the assembler checks them up front).
  place({ text: 0, rodata: 0, data: 0, bss: 0 }, { text: 1, rodata: 1, data: 1, bss: 1 });
  const assembled = await assemble(programSource, {
    file: programFile,
    externals,
    place,
    guard: options.guard,
  });
  return finish(p, placement!, assembled);
}
