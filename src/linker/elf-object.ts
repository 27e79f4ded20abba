/**
 * Reading ELF64 little-endian x86-64 files: relocatable objects (`.o`, ET_REL) completely,
 * and the headers shared with executables. Every offset and size is checked against the
 * file: malformed input is a LinkError naming the file and the problem.
 */
import { ByteReader, LinkError } from "./bytes.js";
import { ELF } from "./elf.js";

export { ELF } from "./elf.js";

export interface ObjectSection {
  index: number;
  name: string;
  type: number;
  flags: number;
  /** Contents (empty for SHT_NOBITS and SHT_NULL). */
  data: Uint8Array;
  size: number;
  /** At least 1. */
  align: number;
  /** For SHT_RELA: the section the relocations apply to; for SHT_SYMTAB: the first global. */
  info: number;
  link: number;
  entrySize: number;
  /** Address (executables only; 0 in objects). */
  address: number;
  /** Offset in the file. */
  offset: number;
}

export interface ObjectSymbol {
  name: string;
  value: number;
  size: number;
  /** Section index, or SHN_UNDEF / SHN_ABS / SHN_COMMON. */
  section: number;
  bind: number;
  type: number;
  visibility: number;
}

export interface Relocation {
  offset: number;
  type: number;
  /** Index into the object's symbol table. */
  symbol: number;
  addend: bigint;
}

/** A section group (`.group`): with GRP_COMDAT, only the first group of a signature is kept. */
export interface SectionGroup {
  signature: string;
  comdat: boolean;
  sections: number[];
}

export interface ObjectFile {
  /** For messages: "foo.o" or "libfoo.a(bar.o)". */
  name: string;
  sections: ObjectSection[];
  symbols: ObjectSymbol[];
  /** Relocations by the index of the section they patch. */
  relocations: Map<number, Relocation[]>;
  groups: SectionGroup[];
}

const TYPE_NAMES: Record<number, string> = {
  1: "a relocatable object (.o)",
  2: "an executable",
  3: "a shared object or position-independent executable",
  4: "a core dump",
};

/** Checks the ELF identification: 64-bit, little-endian, x86-64, one of the expected types. */
export function checkElfHeader(r: ByteReader, types: readonly number[]): number {
  if (r.length < ELF.EHDR_SIZE)
    throw new LinkError(
      `${r.name}: too short to be an ELF file (${r.length} bytes, less than an ELF header)`,
    );
  if (r.u32(0) !== 0x464c457f)
    throw new LinkError(`${r.name}: not an ELF file (it does not start with \\x7fELF)`);
  if (r.u8(4) !== 2) throw new LinkError(`${r.name}: a 32-bit ELF file; abi-lab needs ELF64 (x86-64)`);
  if (r.u8(5) !== 1) throw new LinkError(`${r.name}: a big-endian ELF file; x86-64 is little-endian`);
  const type = r.u16(16);
  const machine = r.u16(18);
  if (machine !== ELF.EM_X86_64)
    throw new LinkError(`${r.name}: built for machine ${machine}, not x86-64 (EM_X86_64 = 62)`);
  if (!types.includes(type)) {
    const expected = types.map((t) => TYPE_NAMES[t]).join(" or ");
    throw new LinkError(`${r.name}: ${TYPE_NAMES[type] ?? `ELF type ${type}`}, expected ${expected}`);
  }
  return type;
}

/** Reads the section headers (and section names) of any ELF64 file. */
export function readSectionHeaders(r: ByteReader): ObjectSection[] {
  const shoff = r.u64(40, "the section header table offset");
  const shentsize = r.u16(58);
  let shnum = r.u16(60);
  let shstrndx = r.u16(62);
  if (shoff === 0) return [];
  if (shentsize !== ELF.SHDR_SIZE)
    throw new LinkError(`${r.name}: section headers of ${shentsize} bytes, expected ${ELF.SHDR_SIZE}`);
  // Extended numbering: the real counts are in section 0.
  if (shnum === 0) shnum = r.u64(shoff + 32, "the extended section count");
  if (shstrndx === ELF.SHN_XINDEX) shstrndx = r.u32(shoff + 40, "the extended section name table index");
  r.check(shoff, shnum * ELF.SHDR_SIZE, "the section header table");
  const raw = [];
  for (let i = 0; i < shnum; i++) {
    const o = shoff + ELF.SHDR_SIZE * i;
    raw.push({
      nameOffset: r.u32(o),
      type: r.u32(o + 4),
      flags: r.u64(o + 8, `the flags of section ${i}`),
      address: r.u64(o + 16, `the address of section ${i}`),
      offset: r.u64(o + 24, `the offset of section ${i}`),
      size: r.u64(o + 32, `the size of section ${i}`),
      link: r.u32(o + 40),
      info: r.u32(o + 44),
      align: r.u64(o + 48, `the alignment of section ${i}`),
      entrySize: r.u64(o + 56, `the entry size of section ${i}`),
    });
  }
  if (shstrndx >= raw.length)
    throw new LinkError(
      `${r.name}: the section name table index ${shstrndx} is out of range (${raw.length} sections)`,
    );
  const names = raw[shstrndx];
  r.check(names.offset, names.size, "the section name table");
  return raw.map((s, index) => {
    const name =
      index === 0
        ? ""
        : r.cstring(names.offset + s.nameOffset, names.offset + names.size, `the name of section ${index}`);
    const hasData = s.type !== ELF.SHT_NOBITS && s.type !== ELF.SHT_NULL;
    const data = hasData ? r.slice(s.offset, s.size, `the contents of section ${name}`) : new Uint8Array(0);
    if (s.align > 1 && (s.align & (s.align - 1)) !== 0)
      throw new LinkError(`${r.name}: section ${name} has alignment ${s.align}, which is not a power of two`);
    if (s.align > 1 << 30)
      throw new LinkError(`${r.name}: section ${name} has an absurd alignment (${s.align})`);
    return {
      index,
      name,
      type: s.type,
      flags: s.flags,
      data,
      size: s.size,
      align: Math.max(1, s.align),
      info: s.info,
      link: s.link,
      entrySize: s.entrySize,
      address: s.address,
      offset: s.offset,
    };
  });
}

/** Reads a symbol table section (SHT_SYMTAB) with its string table. */
export function readSymbols(r: ByteReader, sections: ObjectSection[], symtab: ObjectSection): ObjectSymbol[] {
  const name = r.name;
  if (symtab.link === 0 || symtab.link >= sections.length || sections[symtab.link].type !== ELF.SHT_STRTAB)
    throw new LinkError(
      `${name}: the symbol table's string table (section ${symtab.link}) is missing or not a string table`,
    );
  if (symtab.size % ELF.SYM_SIZE !== 0)
    throw new LinkError(
      `${name}: the symbol table's size (${symtab.size}) is not a multiple of ${ELF.SYM_SIZE}`,
    );
  const strtab = sections[symtab.link];
  const view = new ByteReader(symtab.data, `${name} (symbol table)`);
  const strings = new ByteReader(strtab.data, `${name} (string table)`);
  const count = symtab.size / ELF.SYM_SIZE;
  const out: ObjectSymbol[] = [];
  for (let i = 0; i < count; i++) {
    const o = ELF.SYM_SIZE * i;
    const nameOffset = view.u32(o);
    const info = view.u8(o + 4);
    const section = view.u16(o + 6);
    const symName =
      nameOffset === 0 ? "" : strings.cstring(nameOffset, strtab.data.length, `the name of symbol ${i}`);
    if (section === ELF.SHN_XINDEX)
      throw new LinkError(
        `${name}: symbol ${symName || i} uses extended section indices, which are not supported`,
      );
    if (section !== ELF.SHN_UNDEF && section < ELF.SHN_LORESERVE && section >= sections.length)
      throw new LinkError(`${name}: symbol ${symName || i} is in section ${section}, which does not exist`);
    out.push({
      name: symName,
      bind: info >> 4,
      type: info & 0xf,
      visibility: view.u8(o + 5) & 3,
      section,
      value: view.u64(o + 8, `the value of symbol ${symName || i}`),
      size: view.u64(o + 16, `the size of symbol ${symName || i}`),
    });
  }
  return out;
}

function readGroup(
  name: string,
  s: ObjectSection,
  symbols: ObjectSymbol[],
  sectionCount: number,
): SectionGroup {
  if (s.size % 4 !== 0 || s.size < 4)
    throw new LinkError(`${name}: section group ${s.name} has a malformed size (${s.size})`);
  const view = new ByteReader(s.data, `${name} (${s.name})`);
  const flags = view.u32(0);
  const members: number[] = [];
  for (let o = 4; o < s.size; o += 4) {
    const index = view.u32(o);
    if (index === 0 || index >= sectionCount)
      throw new LinkError(`${name}: section group ${s.name} lists section ${index}, which does not exist`);
    members.push(index);
  }
  const signature = symbols[s.info];
  if (!signature)
    throw new LinkError(`${name}: section group ${s.name} names symbol ${s.info}, which does not exist`);
  return { signature: signature.name, comdat: (flags & ELF.GRP_COMDAT) !== 0, sections: members };
}

/** Parses an ELF64 x86-64 relocatable object (`.o`). `name` is used in messages. */
export function readObject(bytes: Uint8Array, name: string): ObjectFile {
  const r = new ByteReader(bytes, name);
  checkElfHeader(r, [ELF.ET_REL]);
  const sections = readSectionHeaders(r);
  if (sections.length === 0) throw new LinkError(`${name}: a relocatable object without section headers`);
  const symtabs = sections.filter((s) => s.type === ELF.SHT_SYMTAB);
  if (symtabs.length > 1) throw new LinkError(`${name}: more than one symbol table`);
  const symbols = symtabs.length ? readSymbols(r, sections, symtabs[0]) : [];
  for (const sym of symbols) {
    if (sym.section === ELF.SHN_UNDEF || sym.section >= ELF.SHN_LORESERVE) continue;
    const s = sections[sym.section];
    if (
      s.type !== ELF.SHT_NOBITS &&
      s.type !== ELF.SHT_NULL &&
      sym.type !== ELF.STT_TLS &&
      sym.value > s.size
    )
      throw new LinkError(
        `${name}: symbol ${sym.name || "(unnamed)"} lies at offset ${sym.value} of section ${s.name}, past its end (${s.size} bytes)`,
      );
  }
  const relocations = new Map<number, Relocation[]>();
  const groups: SectionGroup[] = [];
  for (const s of sections) {
    if (s.type === ELF.SHT_GROUP) {
      groups.push(readGroup(name, s, symbols, sections.length));
      continue;
    }
    if (s.type === ELF.SHT_REL)
      throw new LinkError(`${name}: section ${s.name} holds REL relocations; x86-64 objects use RELA`);
    if (s.type !== ELF.SHT_RELA) continue;
    if (s.info === 0 || s.info >= sections.length)
      throw new LinkError(
        `${name}: relocation section ${s.name} applies to section ${s.info}, which does not exist`,
      );
    if (s.size % ELF.RELA_SIZE !== 0)
      throw new LinkError(
        `${name}: relocation section ${s.name} has a size (${s.size}) that is not a multiple of 24`,
      );
    const view = new ByteReader(s.data, `${name} (${s.name})`);
    const list: Relocation[] = [];
    for (let o = 0; o < s.size; o += ELF.RELA_SIZE) {
      const info = view.u64big(o + 8);
      const symbol = Number(info >> 32n);
      if (symbol >= symbols.length)
        throw new LinkError(
          `${name}: a relocation in ${s.name} names symbol ${symbol}, which does not exist`,
        );
      list.push({
        offset: view.u64(o, "a relocation offset"),
        type: Number(info & 0xffffffffn),
        symbol,
        addend: view.i64(o + 16),
      });
    }
    const existing = relocations.get(s.info);
    relocations.set(s.info, existing ? existing.concat(list) : list);
  }
  return { name, sections, symbols, relocations, groups };
}
