import { Perm } from "../emulator/types.js";
import { ByteReader, LinkError } from "./bytes.js";
import { ELF, checkElfHeader, readSectionHeaders, readSymbols } from "./elf-object.js";
import type { Image, ImageSegment, ImageSymbol } from "./image.js";

export { isElf } from "./elf-magic.js";

/**
 * Read a static x86-64 executable (ET_EXEC, e.g. from `musl-gcc -static` or `abi-lab build`)
 * into an image: its PT_LOAD segments, entry, TLS template, program headers and symbols.
 */
export function readExecutable(bytes: Uint8Array, name: string): Image {
  const r = new ByteReader(bytes, name);
  const type = checkElfHeader(r, [ELF.ET_EXEC, ELF.ET_DYN]);
  const entry = r.u64(24, "the entry point");
  const phoff = r.u64(32, "the program header offset");
  const phentsize = r.u16(54);
  const phnum = r.u16(56);
  if (phnum === 0) throw new LinkError(`${name}: no program headers: nothing to load`);
  if (phentsize !== 56) throw new LinkError(`${name}: program headers of ${phentsize} bytes, expected 56`);
  r.check(phoff, 56 * phnum, "the program header table");
  const segments: ImageSegment[] = [];
  let tls: Image["tls"];
  let phdrAddress: number | undefined;
  let interp = false;
  for (let i = 0; i < phnum; i++) {
    const o = phoff + 56 * i;
    const ptype = r.u32(o);
    const flags = r.u32(o + 4);
    const offset = r.u64(o + 8, "a segment offset");
    const vaddr = r.u64(o + 16, "a segment address");
    const filesz = r.u64(o + 32, "a segment file size");
    const memsz = r.u64(o + 40, "a segment memory size");
    const align = r.u64(o + 48, "a segment alignment");
    if (ptype === 3) interp = true;
    if (ptype === ELF.PT_PHDR) phdrAddress = vaddr;
    if (ptype === ELF.PT_TLS)
      tls = { address: vaddr, fileSize: filesz, memorySize: memsz, align: Math.max(1, align) };
    if (ptype !== ELF.PT_LOAD) continue;
    if (filesz > memsz)
      throw new LinkError(`${name}: a segment's file size (${filesz}) exceeds its memory size (${memsz})`);
    if (memsz > 1 << 30) throw new LinkError(`${name}: a segment of ${memsz} bytes is too large`);
    if (vaddr + memsz > 0x7fff_ffff_f000)
      throw new LinkError(`${name}: a segment at 0x${vaddr.toString(16)} is outside user space`);
    const perm =
      (flags & ELF.PF_R ? Perm.read : 0) |
      (flags & ELF.PF_W ? Perm.write : 0) |
      (flags & ELF.PF_X ? Perm.exec : 0);
    segments.push({
      name: `segment ${i}`,
      address: vaddr,
      bytes: r.slice(offset, filesz, `segment ${i}`),
      memorySize: memsz,
      perm,
    });
    if (phdrAddress === undefined && phoff >= offset && phoff + 56 * phnum <= offset + filesz)
      phdrAddress = vaddr + (phoff - offset);
  }
  if (interp)
    throw new LinkError(
      `${name}: a dynamically linked executable; abi-lab runs static executables (link with -static)`,
    );
  if (type === ELF.ET_DYN && segments.some((s) => s.address === 0))
    throw new LinkError(`${name}: a position-independent executable; build it with -static -no-pie`);
  if (segments.length === 0) throw new LinkError(`${name}: no loadable segments`);
  const symbols: ImageSymbol[] = [];
  try {
    const sections = readSectionHeaders(r);
    const symtab = sections.find((s) => s.type === ELF.SHT_SYMTAB);
    if (symtab) {
      for (const s of readSymbols(r, sections, symtab)) {
        if (!s.name || s.type === ELF.STT_SECTION || s.type === ELF.STT_FILE || s.section === ELF.SHN_UNDEF)
          continue;
        symbols.push({
          name: s.name,
          address: s.value,
          size: s.size,
          kind: s.type === ELF.STT_FUNC ? "function" : s.type === ELF.STT_OBJECT ? "object" : "label",
          origin: name,
          binding: s.bind === ELF.STB_LOCAL ? "local" : s.bind === ELF.STB_WEAK ? "weak" : "global",
        });
      }
    }
  } catch (e) {
    if (!(e instanceof LinkError)) throw e;
    // Section headers are optional in an executable: run it without symbols.
  }
  symbols.sort((a, b) => a.address - b.address);
  return {
    entry,
    segments,
    symbols,
    lines: [],
    programHeaders:
      phdrAddress !== undefined
        ? { address: phdrAddress, bytes: r.slice(phoff, 56 * phnum, "program headers"), count: phnum }
        : undefined,
    tls,
  };
}
