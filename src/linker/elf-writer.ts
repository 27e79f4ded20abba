/**
 * Writing an Image as a static ELF64 executable for Linux x86-64 (ET_EXEC): one PT_LOAD per
 * segment with its permissions (file offset ≡ address modulo the page size, as the kernel's
 * mmap needs), a PT_GNU_STACK asking for a non-executable stack, and section headers with a
 * symbol table so that objdump, readelf and gdb show names.
 */
import { ELF } from "./elf.js";
import type { Image, ImageSymbol } from "./image.js";

const PAGE = 0x1000;
const TEXT_START = 0x401000;
const alignUp = (n: number, a: number) => Math.ceil(n / a) * a;

class StringTable {
  private parts: Uint8Array[] = [new Uint8Array(1)];
  private size = 1;
  private readonly seen = new Map<string, number>();
  private readonly encoder = new TextEncoder();

  add(s: string): number {
    const known = this.seen.get(s);
    if (known !== undefined) return known;
    const bytes = this.encoder.encode(s + "\0");
    const at = this.size;
    this.parts.push(bytes);
    this.size += bytes.length;
    this.seen.set(s, at);
    return at;
  }

  bytes(): Uint8Array {
    return concat(this.parts);
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

interface OutputSection {
  name: string;
  type: number;
  flags: number;
  address: number;
  offset: number;
  size: number;
  link: number;
  info: number;
  align: number;
  entrySize: number;
}

const STT: Record<ImageSymbol["kind"], number> = {
  function: ELF.STT_FUNC,
  object: ELF.STT_OBJECT,
  label: ELF.STT_NOTYPE,
};

/** The bytes of a static ELF executable for `image`. */
export function writeExecutable(image: Image): Uint8Array {
  const segments = image.segments;
  // The ELF and program headers get a read-only page of their own just below the first
  // segment (as ld does), so that the kernel's AT_PHDR points at mapped memory.
  const lowest = segments.length ? Math.min(...segments.map((s) => s.address)) : TEXT_START;
  const headerPage = Math.floor(lowest / PAGE) * PAGE - PAGE;
  const mapHeaders =
    headerPage >= 0x10000 &&
    !segments.some((s) => s.address < headerPage + PAGE && s.address + s.memorySize > headerPage);
  const phnum = segments.length + 1 + (mapHeaders ? 2 : 0) + (image.tls ? 1 : 0);
  const headersEnd = ELF.EHDR_SIZE + ELF.PHDR_SIZE * phnum;

  // Segment contents, each at an offset congruent to its address modulo the page size.
  const offsets: number[] = [];
  let cursor = headersEnd;
  for (const s of segments) {
    const want = s.address % PAGE;
    let offset = cursor - (cursor % PAGE) + want;
    if (offset < cursor) offset += PAGE;
    offsets.push(offset);
    cursor = offset + s.bytes.length;
  }

  // Sections: one per segment (a writable one split into .data and .bss).
  const shstr = new StringTable();
  const sections: OutputSection[] = [
    { name: "", type: 0, flags: 0, address: 0, offset: 0, size: 0, link: 0, info: 0, align: 0, entrySize: 0 },
  ];
  const used = new Map<string, number>();
  const unique = (name: string) => {
    const n = used.get(name) ?? 0;
    used.set(name, n + 1);
    return n === 0 ? name : `${name}.${n}`;
  };
  segments.forEach((s, i) => {
    const flags = ELF.SHF_ALLOC | (s.perm & 2 ? ELF.SHF_WRITE : 0) | (s.perm & 4 ? ELF.SHF_EXECINSTR : 0);
    const base = s.perm & 4 ? ".text" : s.perm & 2 ? ".data" : ".rodata";
    const common = { flags, link: 0, info: 0, align: 16, entrySize: 0 };
    if (s.bytes.length > 0)
      sections.push({
        ...common,
        name: unique(base),
        type: ELF.SHT_PROGBITS,
        address: s.address,
        offset: offsets[i],
        size: s.bytes.length,
      });
    if (s.memorySize > s.bytes.length)
      sections.push({
        ...common,
        name: unique(s.perm & 2 ? ".bss" : base),
        type: ELF.SHT_NOBITS,
        address: s.address + s.bytes.length,
        offset: offsets[i] + s.bytes.length,
        size: s.memorySize - s.bytes.length,
      });
  });
  const loadedSections = sections.length;
  const sectionIndexOf = (address: number) => {
    for (let i = 1; i < loadedSections; i++) {
      const s = sections[i];
      if (address >= s.address && address < s.address + s.size) return i;
    }
    for (let i = 1; i < loadedSections; i++) if (address === sections[i].address + sections[i].size) return i;
    return ELF.SHN_ABS;
  };

  // The symbol table: locals first, as ELF requires.
  const str = new StringTable();
  const listed = image.symbols.filter((s) => s.name !== "" && !s.name.startsWith(".L"));
  const locals = listed.filter((s) => s.binding === "local");
  const globals = listed.filter((s) => s.binding !== "local");
  const symtab = new DataView(new ArrayBuffer(ELF.SYM_SIZE * (1 + listed.length)));
  [...locals, ...globals].forEach((sym, k) => {
    const o = ELF.SYM_SIZE * (k + 1);
    const bind =
      sym.binding === "local" ? ELF.STB_LOCAL : sym.binding === "weak" ? ELF.STB_WEAK : ELF.STB_GLOBAL;
    symtab.setUint32(o, str.add(sym.name), true);
    symtab.setUint8(o + 4, (bind << 4) | STT[sym.kind]);
    symtab.setUint16(o + 6, sectionIndexOf(sym.address), true);
    symtab.setBigUint64(o + 8, BigInt(sym.address), true);
    symtab.setBigUint64(o + 16, BigInt(sym.size), true);
  });
  const symtabBytes = new Uint8Array(symtab.buffer);
  const strBytes = str.bytes();
  const symtabIndex = sections.length;
  cursor = alignUp(cursor, 8);
  sections.push({
    name: ".symtab",
    type: ELF.SHT_SYMTAB,
    flags: 0,
    address: 0,
    offset: cursor,
    size: symtabBytes.length,
    link: symtabIndex + 1,
    info: 1 + locals.length,
    align: 8,
    entrySize: ELF.SYM_SIZE,
  });
  cursor += symtabBytes.length;
  sections.push({
    name: ".strtab",
    type: ELF.SHT_STRTAB,
    flags: 0,
    address: 0,
    offset: cursor,
    size: strBytes.length,
    link: 0,
    info: 0,
    align: 1,
    entrySize: 0,
  });
  cursor += strBytes.length;
  const shstrtab: OutputSection = {
    name: ".shstrtab",
    type: ELF.SHT_STRTAB,
    flags: 0,
    address: 0,
    offset: cursor,
    size: 0,
    link: 0,
    info: 0,
    align: 1,
    entrySize: 0,
  };
  sections.push(shstrtab);
  const nameOffsets = sections.map((s) => (s.name ? shstr.add(s.name) : 0));
  const shstrBytes = shstr.bytes();
  shstrtab.size = shstrBytes.length;
  cursor += shstrBytes.length;
  const shoff = alignUp(cursor, 8);

  const out = new Uint8Array(shoff + ELF.SHDR_SIZE * sections.length);
  const h = new DataView(out.buffer);
  segments.forEach((s, i) => out.set(s.bytes, offsets[i]));
  out.set(symtabBytes, sections[symtabIndex].offset);
  out.set(strBytes, sections[symtabIndex + 1].offset);
  out.set(shstrBytes, shstrtab.offset);

  // ELF header.
  out.set([0x7f, 0x45, 0x4c, 0x46, 2 /* 64-bit */, 1 /* little-endian */, ELF.EV_CURRENT, ELF.ELFOSABI_SYSV]);
  h.setUint16(16, ELF.ET_EXEC, true);
  h.setUint16(18, ELF.EM_X86_64, true);
  h.setUint32(20, ELF.EV_CURRENT, true);
  h.setBigUint64(24, BigInt(image.entry), true);
  h.setBigUint64(32, BigInt(ELF.EHDR_SIZE), true);
  h.setBigUint64(40, BigInt(shoff), true);
  h.setUint16(52, ELF.EHDR_SIZE, true);
  h.setUint16(54, ELF.PHDR_SIZE, true);
  h.setUint16(56, phnum, true);
  h.setUint16(58, ELF.SHDR_SIZE, true);
  h.setUint16(60, sections.length, true);
  h.setUint16(62, sections.length - 1, true);

  // Program headers: PT_PHDR and the headers' PT_LOAD, the segments, PT_TLS, PT_GNU_STACK.
  let ph = ELF.EHDR_SIZE;
  const program = (
    type: number,
    flags: number,
    offset: number,
    address: number,
    fileSize: number,
    memorySize: number,
    align: number,
  ) => {
    h.setUint32(ph, type, true);
    h.setUint32(ph + 4, flags, true);
    h.setBigUint64(ph + 8, BigInt(offset), true);
    h.setBigUint64(ph + 16, BigInt(address), true);
    h.setBigUint64(ph + 24, BigInt(address), true);
    h.setBigUint64(ph + 32, BigInt(fileSize), true);
    h.setBigUint64(ph + 40, BigInt(memorySize), true);
    h.setBigUint64(ph + 48, BigInt(align), true);
    ph += ELF.PHDR_SIZE;
  };
  if (mapHeaders) {
    const table = ELF.PHDR_SIZE * phnum;
    program(ELF.PT_PHDR, ELF.PF_R, ELF.EHDR_SIZE, headerPage + ELF.EHDR_SIZE, table, table, 8);
    program(ELF.PT_LOAD, ELF.PF_R, 0, headerPage, headersEnd, headersEnd, PAGE);
  }
  segments.forEach((s, i) => {
    const flags = (s.perm & 1 ? ELF.PF_R : 0) | (s.perm & 2 ? ELF.PF_W : 0) | (s.perm & 4 ? ELF.PF_X : 0);
    program(ELF.PT_LOAD, flags, offsets[i], s.address, s.bytes.length, s.memorySize, PAGE);
  });
  if (image.tls) {
    const t = image.tls;
    const i = segments.findIndex((s) => t.address >= s.address && t.address < s.address + s.memorySize);
    const offset = i < 0 ? 0 : offsets[i] + (t.address - segments[i].address);
    program(ELF.PT_TLS, ELF.PF_R, offset, t.address, t.fileSize, t.memorySize, t.align);
  }
  program(ELF.PT_GNU_STACK, ELF.PF_R | ELF.PF_W, 0, 0, 0, 0, 16);

  // Section headers.
  sections.forEach((s, i) => {
    const o = shoff + ELF.SHDR_SIZE * i;
    h.setUint32(o, nameOffsets[i], true);
    h.setUint32(o + 4, s.type, true);
    h.setBigUint64(o + 8, BigInt(s.flags), true);
    h.setBigUint64(o + 16, BigInt(s.address), true);
    h.setBigUint64(o + 24, BigInt(s.offset), true);
    h.setBigUint64(o + 32, BigInt(s.size), true);
    h.setUint32(o + 40, s.link, true);
    h.setUint32(o + 44, s.info, true);
    h.setBigUint64(o + 48, BigInt(s.align), true);
    h.setBigUint64(o + 56, BigInt(s.entrySize), true);
  });
  return out;
}
