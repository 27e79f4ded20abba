import { ByteReader, LinkError } from "./bytes.js";

/** ELF constants used by the reader, linker and writer. */
export const ELF = {
  ET_REL: 1,
  ET_EXEC: 2,
  ET_DYN: 3,
  EM_X86_64: 62,
  SHT_NULL: 0,
  SHT_PROGBITS: 1,
  SHT_SYMTAB: 2,
  SHT_STRTAB: 3,
  SHT_RELA: 4,
  SHT_NOBITS: 8,
  SHT_REL: 9,
  SHT_GROUP: 17,
  SHF_WRITE: 0x1,
  SHF_ALLOC: 0x2,
  SHF_EXECINSTR: 0x4,
  SHF_TLS: 0x400,
  SHN_UNDEF: 0,
  SHN_ABS: 0xfff1,
  SHN_COMMON: 0xfff2,
  STB_LOCAL: 0,
  STB_GLOBAL: 1,
  STB_WEAK: 2,
  STT_NOTYPE: 0,
  STT_OBJECT: 1,
  STT_FUNC: 2,
  STT_SECTION: 3,
  STT_FILE: 4,
  STT_TLS: 6,
  PT_LOAD: 1,
  PT_TLS: 7,
  PT_PHDR: 6,
  PT_GNU_STACK: 0x6474e551,
  PF_X: 1,
  PF_W: 2,
  PF_R: 4,
} as const;

export interface ObjectSection {
  index: number;
  name: string;
  type: number;
  flags: number;
  /** Contents (empty for SHT_NOBITS). */
  data: Uint8Array;
  size: number;
  align: number;
  /** For SHT_RELA: the section the relocations apply to. */
  info: number;
  link: number;
  entrySize: number;
}

export interface ObjectSymbol {
  name: string;
  value: number;
  size: number;
  /** Section index, or SHN_UNDEF / SHN_ABS / SHN_COMMON. */
  section: number;
  bind: number;
  type: number;
}

export interface Relocation {
  offset: number;
  type: number;
  symbol: number;
  addend: bigint;
}

export interface ObjectFile {
  name: string;
  sections: ObjectSection[];
  symbols: ObjectSymbol[];
  /** Relocations by the index of the section they patch. */
  relocations: Map<number, Relocation[]>;
}

/** Checks the ELF identification: 64-bit, little-endian, x86-64, of the expected type. */
export function checkElfHeader(r: ByteReader, types: number[]): number {
  if (r.length < 64) throw new LinkError(`${r.name}: too short to be an ELF file (${r.length} bytes)`);
  if (r.u32(0) !== 0x464c457f) throw new LinkError(`${r.name}: not an ELF file (no \\x7fELF magic)`);
  if (r.u8(4) !== 2) throw new LinkError(`${r.name}: a 32-bit ELF file; abi-lab needs x86-64 (ELFCLASS64)`);
  if (r.u8(5) !== 1) throw new LinkError(`${r.name}: a big-endian ELF file; x86-64 is little-endian`);
  const type = r.u16(16);
  const machine = r.u16(18);
  if (machine !== ELF.EM_X86_64)
    throw new LinkError(`${r.name}: built for machine ${machine}, not x86-64 (62)`);
  if (!types.includes(type)) {
    const names: Record<number, string> = {
      1: "a relocatable object",
      2: "an executable",
      3: "a shared object or PIE",
      4: "a core dump",
    };
    throw new LinkError(
      `${r.name}: ${names[type] ?? `ELF type ${type}`}, expected ${types.map((t) => names[t]).join(" or ")}`,
    );
  }
  return type;
}

/** Reads section headers of any ELF file (relocatable or executable). */
export function readSectionHeaders(r: ByteReader): ObjectSection[] {
  const shoff = r.u64(40, "the section header offset");
  const shentsize = r.u16(58);
  const shnum = r.u16(60);
  const shstrndx = r.u16(62);
  if (shnum === 0 || shoff === 0) return [];
  if (shentsize !== 64) throw new LinkError(`${r.name}: section headers of ${shentsize} bytes, expected 64`);
  r.check(shoff, shnum * 64, "the section header table");
  const raw = [];
  for (let i = 0; i < shnum; i++) {
    const o = shoff + 64 * i;
    raw.push({
      nameOffset: r.u32(o),
      type: r.u32(o + 4),
      flags: r.u64(o + 8, "section flags"),
      offset: r.u64(o + 24, "a section offset"),
      size: r.u64(o + 32, "a section size"),
      link: r.u32(o + 40),
      info: r.u32(o + 44),
      align: r.u64(o + 48, "a section alignment"),
      entrySize: r.u64(o + 56, "a section entry size"),
    });
  }
  if (shstrndx >= raw.length)
    throw new LinkError(`${r.name}: the section name table index ${shstrndx} is out of range`);
  const names = raw[shstrndx];
  r.check(names.offset, names.size, "the section name table");
  return raw.map((s, index) => {
    const name =
      index === 0 ? "" : r.cstring(names.offset + s.nameOffset, names.offset + names.size, "a section name");
    const data =
      s.type === ELF.SHT_NOBITS || s.type === ELF.SHT_NULL
        ? new Uint8Array(0)
        : r.slice(s.offset, s.size, `section ${name}`);
    if (s.align > 1 && (s.align & (s.align - 1)) !== 0)
      throw new LinkError(`${r.name}: section ${name} has alignment ${s.align}, not a power of two`);
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
    };
  });
}

/** Reads a symbol table section. */
export function readSymbols(r: ByteReader, sections: ObjectSection[], symtab: ObjectSection): ObjectSymbol[] {
  if (symtab.link >= sections.length)
    throw new LinkError(`${r.name}: the symbol table's string table index is out of range`);
  const strtab = sections[symtab.link];
  const count = Math.floor(symtab.size / 24);
  const view = new ByteReader(symtab.data, `${r.name} symbol table`);
  const strings = new ByteReader(strtab.data, `${r.name} string table`);
  const out: ObjectSymbol[] = [];
  for (let i = 0; i < count; i++) {
    const o = 24 * i;
    const nameOffset = view.u32(o);
    const infoByte = view.u8(o + 4);
    const section = view.u16(o + 6);
    const name = nameOffset === 0 ? "" : strings.cstring(nameOffset, strtab.data.length, "a symbol name");
    out.push({
      name,
      bind: infoByte >> 4,
      type: infoByte & 0xf,
      section,
      value: view.u64(o + 8, `the value of symbol ${name}`),
      size: view.u64(o + 16, `the size of symbol ${name}`),
    });
  }
  return out;
}

/** Parses an ELF64 x86-64 relocatable object (`.o`). */
export function readObject(bytes: Uint8Array, name: string): ObjectFile {
  const r = new ByteReader(bytes, name);
  checkElfHeader(r, [ELF.ET_REL]);
  const sections = readSectionHeaders(r);
  const symtab = sections.find((s) => s.type === ELF.SHT_SYMTAB);
  const symbols = symtab ? readSymbols(r, sections, symtab) : [];
  const relocations = new Map<number, Relocation[]>();
  for (const s of sections) {
    if (s.type === ELF.SHT_REL)
      throw new LinkError(
        `${name}: REL relocations (section ${s.name}) are not used on x86-64; expected RELA`,
      );
    if (s.type !== ELF.SHT_RELA) continue;
    if (s.info >= sections.length)
      throw new LinkError(
        `${name}: relocation section ${s.name} targets section ${s.info}, which does not exist`,
      );
    const view = new ByteReader(s.data, `${name} ${s.name}`);
    const list: Relocation[] = [];
    for (let o = 0; o + 24 <= s.data.length; o += 24) {
      const info = view.i64(o + 8);
      const symbol = Number(BigInt.asUintN(64, info) >> 32n);
      if (symbol >= symbols.length)
        throw new LinkError(
          `${name}: a relocation in ${s.name} names symbol ${symbol}, which does not exist`,
        );
      list.push({ offset: view.u64(o), type: Number(info & 0xffffffffn), symbol, addend: view.i64(o + 16) });
    }
    relocations.set(s.info, list);
  }
  return { name, sections, symbols, relocations };
}
