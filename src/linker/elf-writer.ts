import { ELF } from "./elf-object.js";
import type { Image } from "./image.js";

const PAGE = 0x1000;

class Writer {
  private chunks: Uint8Array[] = [];
  length = 0;
  put(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.length += bytes.length;
  }
  padTo(offset: number): void {
    if (offset > this.length) this.put(new Uint8Array(offset - this.length));
  }
  bytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}

/**
 * Write a linked image as a static ELF64 executable for Linux x86-64: one PT_LOAD per segment
 * (file offset ≡ address modulo the page size), a non-executable stack, and section headers
 * with a symbol table so that objdump and gdb show names.
 */
export function writeExecutable(image: Image): Uint8Array {
  const segments = image.segments;
  const phnum = segments.length + 1;
  const headerSize = 64 + 56 * phnum;
  const w = new Writer();
  w.put(new Uint8Array(headerSize)); // filled at the end
  const offsets: number[] = [];
  for (const seg of segments) {
    let offset = w.length;
    const want = seg.address % PAGE;
    offset = offset % PAGE <= want ? offset - (offset % PAGE) + want : offset - (offset % PAGE) + PAGE + want;
    w.padTo(offset);
    offsets.push(offset);
    w.put(seg.bytes);
  }

  // Section headers: a section per segment, plus .symtab, .strtab and .shstrtab.
  const shstr = new StringTable();
  const str = new StringTable();
  const symtab: Uint8Array[] = [new Uint8Array(24)];
  const sectionNames = segments.map((s) => {
    const kind = s.perm & 4 ? ".text" : s.perm & 2 ? ".data" : ".rodata";
    return s.name.includes("runtime") ? `${kind}.runtime` : kind;
  });
  const sectionIndexOf = (address: number) => {
    const i = segments.findIndex((s) => address >= s.address && address < s.address + s.memorySize);
    return i < 0 ? 0xfff1 : i + 1;
  };
  for (const sym of image.symbols) {
    if (sym.name.startsWith(".L")) continue;
    const e = new DataView(new ArrayBuffer(24));
    e.setUint32(0, str.add(sym.name), true);
    const type =
      sym.kind === "function" ? ELF.STT_FUNC : sym.kind === "object" ? ELF.STT_OBJECT : ELF.STT_NOTYPE;
    e.setUint8(4, (ELF.STB_GLOBAL << 4) | type);
    e.setUint16(6, sectionIndexOf(sym.address), true);
    e.setBigUint64(8, BigInt(sym.address), true);
    e.setBigUint64(16, BigInt(sym.size), true);
    symtab.push(new Uint8Array(e.buffer));
  }
  const symtabBytes = concat(symtab);
  w.padTo(alignUp(w.length, 8));
  const symtabOffset = w.length;
  w.put(symtabBytes);
  const strOffset = w.length;
  const strBytes = str.bytes();
  w.put(strBytes);
  const names = [
    ...sectionNames.map((n) => shstr.add(n)),
    shstr.add(".symtab"),
    shstr.add(".strtab"),
    shstr.add(".shstrtab"),
  ];
  const shstrOffset = w.length;
  const shstrBytes = shstr.bytes();
  w.put(shstrBytes);
  w.padTo(alignUp(w.length, 8));
  const shoff = w.length;
  const shnum = segments.length + 4;
  const sh = new DataView(new ArrayBuffer(64 * shnum));
  const section = (
    i: number,
    name: number,
    type: number,
    flags: number,
    addr: number,
    offset: number,
    size: number,
    link: number,
    info: number,
    align: number,
    entsize: number,
  ) => {
    const o = 64 * i;
    sh.setUint32(o, name, true);
    sh.setUint32(o + 4, type, true);
    sh.setBigUint64(o + 8, BigInt(flags), true);
    sh.setBigUint64(o + 16, BigInt(addr), true);
    sh.setBigUint64(o + 24, BigInt(offset), true);
    sh.setBigUint64(o + 32, BigInt(size), true);
    sh.setUint32(o + 40, link, true);
    sh.setUint32(o + 44, info, true);
    sh.setBigUint64(o + 48, BigInt(align), true);
    sh.setBigUint64(o + 56, BigInt(entsize), true);
  };
  segments.forEach((s, i) => {
    const flags = ELF.SHF_ALLOC | (s.perm & 2 ? ELF.SHF_WRITE : 0) | (s.perm & 4 ? ELF.SHF_EXECINSTR : 0);
    section(
      i + 1,
      names[i],
      s.bytes.length ? ELF.SHT_PROGBITS : ELF.SHT_NOBITS,
      flags,
      s.address,
      offsets[i],
      s.memorySize,
      0,
      0,
      16,
      0,
    );
  });
  const n = segments.length;
  section(n + 1, names[n], ELF.SHT_SYMTAB, 0, 0, symtabOffset, symtabBytes.length, n + 2, 1, 8, 24);
  section(n + 2, names[n + 1], ELF.SHT_STRTAB, 0, 0, strOffset, strBytes.length, 0, 0, 1, 0);
  section(n + 3, names[n + 2], ELF.SHT_STRTAB, 0, 0, shstrOffset, shstrBytes.length, 0, 0, 1, 0);
  w.put(new Uint8Array(sh.buffer));

  const out = w.bytes();
  const h = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]);
  h.setUint16(16, ELF.ET_EXEC, true);
  h.setUint16(18, ELF.EM_X86_64, true);
  h.setUint32(20, 1, true);
  h.setBigUint64(24, BigInt(image.entry), true);
  h.setBigUint64(32, 64n, true);
  h.setBigUint64(40, BigInt(shoff), true);
  h.setUint16(52, 64, true);
  h.setUint16(54, 56, true);
  h.setUint16(56, phnum, true);
  h.setUint16(58, 64, true);
  h.setUint16(60, shnum, true);
  h.setUint16(62, shnum - 1, true);
  segments.forEach((s, i) => {
    const o = 64 + 56 * i;
    const flags = ELF.PF_R | (s.perm & 2 ? ELF.PF_W : 0) | (s.perm & 4 ? ELF.PF_X : 0);
    h.setUint32(o, ELF.PT_LOAD, true);
    h.setUint32(o + 4, flags, true);
    h.setBigUint64(o + 8, BigInt(offsets[i]), true);
    h.setBigUint64(o + 16, BigInt(s.address), true);
    h.setBigUint64(o + 24, BigInt(s.address), true);
    h.setBigUint64(o + 32, BigInt(s.bytes.length), true);
    h.setBigUint64(o + 40, BigInt(s.memorySize), true);
    h.setBigUint64(o + 48, BigInt(PAGE), true);
  });
  const gs = 64 + 56 * segments.length;
  h.setUint32(gs, ELF.PT_GNU_STACK, true);
  h.setUint32(gs + 4, ELF.PF_R | ELF.PF_W, true);
  h.setBigUint64(gs + 48, 16n, true);
  return out;
}

class StringTable {
  private parts: Uint8Array[] = [new Uint8Array(1)];
  private size = 1;
  private seen = new Map<string, number>();
  add(s: string): number {
    const known = this.seen.get(s);
    if (known !== undefined) return known;
    const bytes = new TextEncoder().encode(s + "\0");
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

const alignUp = (n: number, a: number) => Math.ceil(n / a) * a;
