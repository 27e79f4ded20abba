import {
  assemble,
  definesSymbol,
  scanReferences,
  type AssembledProgram,
  type SectionSizes,
} from "../assembler/index.js";
import { Perm } from "../emulator/types.js";
import { readArchive, type Archive } from "./archive.js";
import { LinkError } from "./bytes.js";
import { ELF, readObject, type ObjectFile, type ObjectSection } from "./elf-object.js";
import type { Image, ImageSegment, ImageSymbol } from "./image.js";
import { applyRelocation, usesGot } from "./relocations.js";

export const TEXT_BASE = 0x401000;
const PAGE = 0x1000;

type Category = "text" | "rodata" | "data" | "bss";
const CATEGORIES: Category[] = ["text", "rodata", "data", "bss"];

export interface InputFile {
  path: string;
  bytes: Uint8Array;
}

export interface LinkProgramOptions {
  /** The program's assembly (compiled Scheme or the user's `.s`). */
  programSource: string;
  programFile: string;
  /** Archives to pull members from on demand (runtime-rs). */
  archives?: InputFile[];
  /** Objects linked whole. */
  objects?: InputFile[];
  /** The entry symbol (default `_start`); null links a library of functions with no entry. */
  entry?: string | null;
  /** Symbols to pull from the archives even if the program does not mention them. */
  require?: string[];
}

interface Placed {
  object: ObjectFile;
  section: ObjectSection;
  category: Category;
  address: number;
  /** A private copy to patch. */
  data: Uint8Array;
}

const alignUp = (n: number, a: number) => Math.ceil(n / a) * a;

function categoryOf(s: ObjectSection): Category | undefined {
  if (!(s.flags & ELF.SHF_ALLOC) || s.size === 0) return undefined;
  if (s.name === ".eh_frame" || s.name.startsWith(".note")) return undefined;
  if (s.flags & ELF.SHF_TLS)
    throw new LinkError(`section ${s.name}: thread-local storage is not supported in linked programs`);
  if (s.flags & ELF.SHF_EXECINSTR) return "text";
  if (s.flags & ELF.SHF_WRITE) return s.type === ELF.SHT_NOBITS ? "bss" : "data";
  return "rodata";
}

/** Which objects to link: archive members are pulled only when they define a needed symbol. */
function selectObjects(
  archives: Archive[],
  objects: ObjectFile[],
  needed: Set<string>,
  definedByProgram: (s: string) => boolean,
): ObjectFile[] {
  const chosen: ObjectFile[] = [...objects];
  const loaded = new Set<string>();
  const defined = new Set<string>();
  const undefinedSyms = new Set<string>(needed);
  const noteObject = (o: ObjectFile) => {
    for (const sym of o.symbols) {
      if (sym.bind === ELF.STB_LOCAL || !sym.name) continue;
      if (sym.section === ELF.SHN_UNDEF) {
        if (!defined.has(sym.name) && !definedByProgram(sym.name)) undefinedSyms.add(sym.name);
      } else {
        defined.add(sym.name);
        undefinedSyms.delete(sym.name);
      }
    }
  };
  objects.forEach(noteObject);
  let progress = true;
  while (progress) {
    progress = false;
    for (const sym of [...undefinedSyms]) {
      for (const archive of archives) {
        const memberIndex = archive.index.get(sym) ?? findDefiner(archive, sym);
        if (memberIndex === undefined) continue;
        const key = `${archive.name}:${memberIndex}`;
        if (loaded.has(key)) continue;
        loaded.add(key);
        const member = archive.members[memberIndex];
        const object = readObject(member.data, `${archive.name}(${member.name})`);
        chosen.push(object);
        noteObject(object);
        progress = true;
        break;
      }
    }
  }
  return chosen;
}

const definerCache = new WeakMap<Archive, Map<string, number>>();

function findDefiner(archive: Archive, symbol: string): number | undefined {
  let map = definerCache.get(archive);
  if (!map) {
    map = new Map();
    archive.members.forEach((m, i) => {
      if (!m.name.endsWith(".o")) return;
      for (const s of readObject(m.data, `${archive.name}(${m.name})`).symbols)
        if (s.bind !== ELF.STB_LOCAL && s.section !== ELF.SHN_UNDEF && s.name && !map!.has(s.name))
          map!.set(s.name, i);
    });
    definerCache.set(archive, map);
  }
  return map.get(symbol);
}

/**
 * Link a program's assembly with runtime archives: pull the members it needs, lay out the
 * runtime first (its addresses never depend on the program), assemble the program after it
 * with the runtime's symbols as externals, then apply the runtime's relocations.
 */
export async function linkProgram(options: LinkProgramOptions): Promise<Image> {
  const { programSource, programFile } = options;
  const entryName = options.entry === undefined ? "_start" : options.entry;
  const archives = (options.archives ?? []).map((a) => readArchive(a.bytes, a.path));
  const objects = (options.objects ?? []).map((o) => readObject(o.bytes, o.path));
  const programDefines = (s: string) => definesSymbol(programSource, s);
  const needed = scanReferences(programSource);
  if (entryName !== null && !programDefines(entryName)) needed.add(entryName);
  for (const sym of options.require ?? []) if (!programDefines(sym)) needed.add(sym);
  const linked = selectObjects(archives, objects, needed, programDefines);

  // A GOT for GOTPCREL relocations: one slot per symbol, right after the data (before bss).
  const gotSymbols: string[] = [];
  for (const object of linked) {
    for (const section of object.sections) {
      if (!categoryOf(section)) continue;
      for (const rel of object.relocations.get(section.index) ?? []) {
        if (!usesGot(rel.type)) continue;
        const sym = object.symbols[rel.symbol];
        const key = sym.bind === ELF.STB_LOCAL ? `${object.name}\0${rel.symbol}` : sym.name;
        if (!gotSymbols.includes(key)) gotSymbols.push(key);
      }
    }
  }
  let gotAddress = 0;

  // Lay out the runtime's sections by category, each category on its own pages.
  const placed: Placed[] = [];
  let cursor = TEXT_BASE;
  const segments: ImageSegment[] = [];
  const ranges = new Map<Category, { start: number; end: number }>();
  for (const category of CATEGORIES) {
    if (category !== "bss") cursor = alignUp(cursor, PAGE);
    const start = cursor;
    for (const object of linked) {
      for (const section of object.sections) {
        if (categoryOf(section) !== category) continue;
        cursor = alignUp(cursor, section.align);
        placed.push({
          object,
          section,
          category,
          address: cursor,
          data: section.type === ELF.SHT_NOBITS ? new Uint8Array(0) : section.data.slice(),
        });
        cursor += section.size;
      }
    }
    if (category === "data" && gotSymbols.length) {
      cursor = alignUp(cursor, 8);
      gotAddress = cursor;
      cursor += 8 * gotSymbols.length;
    }
    ranges.set(category, { start, end: cursor });
  }
  const bss = ranges.get("bss")!;
  const runtimeEnd = alignUp(bss.end, PAGE);

  // Addresses of the runtime's symbols.
  const sectionAddress = new Map<ObjectFile, Map<number, number>>();
  for (const p of placed) {
    let m = sectionAddress.get(p.object);
    if (!m) sectionAddress.set(p.object, (m = new Map()));
    m.set(p.section.index, p.address);
  }
  const globals = new Map<string, { address: number; origin: string; size: number; type: number }>();
  const imageSymbols: ImageSymbol[] = [];
  for (const object of linked) {
    const addrs = sectionAddress.get(object) ?? new Map<number, number>();
    for (const sym of object.symbols) {
      if (!sym.name || sym.type === ELF.STT_SECTION || sym.type === ELF.STT_FILE) continue;
      if (sym.section === ELF.SHN_UNDEF || sym.section === ELF.SHN_COMMON) continue;
      const base = sym.section === ELF.SHN_ABS ? 0 : addrs.get(sym.section);
      if (base === undefined) continue; // in a dropped section
      const address = base + sym.value;
      if (sym.bind !== ELF.STB_LOCAL) {
        const prior = globals.get(sym.name);
        if (prior && sym.bind !== ELF.STB_WEAK)
          throw new LinkError(
            `duplicate symbol \`${sym.name}\`: defined in ${prior.origin} and in ${object.name}`,
          );
        if (!prior) globals.set(sym.name, { address, origin: object.name, size: sym.size, type: sym.type });
      }
      imageSymbols.push({
        name: sym.name,
        address,
        size: sym.size,
        kind: sym.type === ELF.STT_FUNC ? "function" : sym.type === ELF.STT_OBJECT ? "object" : "label",
        origin: object.name,
      });
    }
  }

  // Assemble the program after the runtime.
  const externals = new Map<string, number>([...globals].map(([k, v]) => [k, v.address]));
  const place = (sizes: SectionSizes): SectionSizes => {
    const text = runtimeEnd;
    const rodata = alignUp(text + sizes.text, PAGE);
    const data = alignUp(rodata + sizes.rodata, PAGE);
    const bssStart = alignUp(data + sizes.data, 16);
    return { text, rodata, data, bss: bssStart };
  };
  const program: AssembledProgram = await assemble(programSource, { file: programFile, externals, place });
  for (const [name, s] of program.symbols) {
    if (s.global && globals.has(name))
      throw new LinkError(
        `duplicate symbol \`${name}\`: defined in ${programFile} and in ${globals.get(name)!.origin}`,
      );
    imageSymbols.push({
      name,
      address: s.address,
      size: 0,
      kind: s.section === "text" ? "function" : "label",
      origin: programFile,
    });
  }
  const resolve = (name: string): number | undefined =>
    program.symbols.get(name)?.address ?? globals.get(name)?.address;

  // Fill the GOT, then patch the runtime's sections.
  const got = new Uint8Array(8 * gotSymbols.length);
  const gotView = new DataView(got.buffer);
  const gotSlot = new Map<string, number>();
  gotSymbols.forEach((key, i) => gotSlot.set(key, gotAddress + 8 * i));
  for (const p of placed) {
    const rels = p.object.relocations.get(p.section.index);
    if (!rels) continue;
    const addrs = sectionAddress.get(p.object)!;
    for (const rel of rels) {
      const sym = p.object.symbols[rel.symbol];
      let S: number;
      if (sym.type === ELF.STT_SECTION) {
        const a = addrs.get(sym.section);
        if (a === undefined) continue; // relocation against a dropped section (.eh_frame)
        S = a;
      } else if (sym.section !== ELF.SHN_UNDEF && sym.bind === ELF.STB_LOCAL) {
        const a = sym.section === ELF.SHN_ABS ? 0 : addrs.get(sym.section);
        if (a === undefined) continue;
        S = a + sym.value;
      } else {
        const r = resolve(sym.name);
        if (r === undefined) {
          if (sym.bind === ELF.STB_WEAK) S = 0;
          else
            throw new LinkError(
              `undefined symbol \`${sym.name}\` referenced from ${p.object.name}(${p.section.name}+0x${rel.offset.toString(16)})`,
            );
        } else S = r;
      }
      let G: number | undefined;
      if (usesGot(rel.type)) {
        const key = sym.bind === ELF.STB_LOCAL ? `${p.object.name}\0${rel.symbol}` : sym.name;
        G = gotSlot.get(key)!;
        gotView.setBigUint64(G - gotAddress, BigInt(S), true);
      }
      applyRelocation(
        p.data,
        rel,
        S,
        p.address,
        G,
        `${p.object.name}(${p.section.name}+0x${rel.offset.toString(16)}) → ${sym.name || p.object.sections[sym.section]?.name || "?"}`,
      );
    }
  }

  // Segments: the runtime's text, rodata, data+bss (+GOT), then the program's.
  const build = (category: Category, name: string, perm: number, start: number, end: number) => {
    if (end <= start) return;
    const bytes = new Uint8Array(end - start);
    for (const p of placed) if (p.category === category) bytes.set(p.data, p.address - start);
    segments.push({ name, address: start, bytes, memorySize: end - start, perm });
  };
  const t = ranges.get("text")!;
  const ro = ranges.get("rodata")!;
  const d = ranges.get("data")!;
  build("text", "runtime .text", Perm.read | Perm.exec, t.start, t.end);
  build("rodata", "runtime .rodata", Perm.read, ro.start, ro.end);
  if (bss.end > d.start) {
    const bytes = new Uint8Array(d.end - d.start);
    for (const p of placed) if (p.category === "data") bytes.set(p.data, p.address - d.start);
    if (got.length) bytes.set(got, gotAddress - d.start);
    segments.push({
      name: "runtime .data/.bss",
      address: d.start,
      bytes,
      memorySize: bss.end - d.start,
      perm: Perm.read | Perm.write,
    });
  }
  const ps = program.sections;
  if (ps.text.size)
    segments.push({
      name: `${programFile} .text`,
      address: ps.text.address,
      bytes: ps.text.bytes,
      memorySize: ps.text.size,
      perm: Perm.read | Perm.exec,
    });
  if (ps.rodata.size)
    segments.push({
      name: `${programFile} .rodata`,
      address: ps.rodata.address,
      bytes: ps.rodata.bytes,
      memorySize: ps.rodata.size,
      perm: Perm.read,
    });
  if (ps.data.size || ps.bss.size) {
    const end = ps.bss.size ? ps.bss.address + ps.bss.size : ps.data.address + ps.data.size;
    segments.push({
      name: `${programFile} .data/.bss`,
      address: ps.data.address,
      bytes: ps.data.bytes,
      memorySize: end - ps.data.address,
      perm: Perm.read | Perm.write,
    });
  }

  const entry = entryName === null ? 0 : resolve(entryName);
  if (entry === undefined) throw new LinkError(`no entry point: nothing defines \`${entryName}\``);
  imageSymbols.sort((a, b) => a.address - b.address || a.name.localeCompare(b.name));
  return { entry, segments, symbols: imageSymbols, lines: program.lines };
}
