/**
 * `ar` archives (static libraries): the GNU format (`/` symbol table, `//` long names,
 * `name/` short names), the 64-bit `/SYM64/` table and BSD names (`#1/LEN`). Members are
 * parsed only when the linker pulls them.
 */
import { ByteReader, LinkError } from "./bytes.js";
import { ELF } from "./elf.js";
import { readObject, type ObjectFile } from "./elf-object.js";

export interface ArchiveMember {
  name: string;
  /** Offset of the member's header in the archive (what the symbol table points at). */
  headerOffset: number;
  data: Uint8Array;
}

export interface Archive {
  /** The archive's file name. */
  name: string;
  members: ArchiveMember[];
  /** Global symbol → the index of the first member that defines it. */
  index: ReadonlyMap<string, number>;
  /** The member's parsed object (cached). */
  object(member: number): ObjectFile;
  /** "libfoo.a(bar.o)". */
  memberName(member: number): string;
}

const MAGIC = "!<arch>\n";
const HEADER = 60;

function ascii(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

export function isArchive(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && ascii(bytes.subarray(0, 8)) === MAGIC;
}

/** Parses an archive's member list and symbol index. */
export function readArchive(bytes: Uint8Array, name: string): Archive {
  const r = new ByteReader(bytes, name);
  if (bytes.length >= 8 && ascii(bytes.subarray(0, 8)) === "!<thin>\n")
    throw new LinkError(
      `${name}: a thin archive (members stored elsewhere); abi-lab needs a regular archive`,
    );
  if (!isArchive(bytes)) throw new LinkError(`${name}: not an archive (it does not start with "!<arch>")`);

  const members: ArchiveMember[] = [];
  let symbolTable: { data: Uint8Array; wide: boolean } | undefined;
  let longNames: Uint8Array | undefined;
  let pos = 8;
  while (pos < bytes.length) {
    // A single padding newline may end the file.
    if (pos === bytes.length - 1 && bytes[pos] === 0x0a) break;
    const header = r.slice(pos, HEADER, `the header of the archive member at offset ${pos}`);
    if (header[58] !== 0x60 || header[59] !== 0x0a)
      throw new LinkError(`${name}: the archive member header at offset ${pos} is corrupt (bad terminator)`);
    const rawName = ascii(header.subarray(0, 16)).trimEnd();
    const sizeText = ascii(header.subarray(48, 58)).trim();
    if (!/^\d+$/.test(sizeText))
      throw new LinkError(
        `${name}: the archive member at offset ${pos} has an invalid size field "${sizeText}"`,
      );
    const size = Number(sizeText);
    let data = r.slice(pos + HEADER, size, `the contents of archive member "${rawName}"`);
    let memberName: string;
    if (rawName === "/" || rawName === "/SYM64/") {
      symbolTable = { data, wide: rawName === "/SYM64/" };
      memberName = "";
    } else if (rawName === "//") {
      longNames = data;
      memberName = "";
    } else if (/^#1\/\d+$/.test(rawName)) {
      const length = Number(rawName.slice(3));
      if (length > size)
        throw new LinkError(`${name}: the BSD member name at offset ${pos} is longer than the member`);
      memberName = ascii(data.subarray(0, length)).replace(/\0+$/, "");
      data = data.subarray(length);
    } else if (/^\/\d+$/.test(rawName)) {
      const offset = Number(rawName.slice(1));
      if (!longNames || offset >= longNames.length)
        throw new LinkError(
          `${name}: the archive member at offset ${pos} refers to a long name that does not exist`,
        );
      let end = offset;
      while (end < longNames.length && longNames[end] !== 0x0a && longNames[end] !== 0) end++;
      memberName = ascii(longNames.subarray(offset, end)).replace(/\/$/, "");
    } else {
      memberName = rawName.replace(/\/$/, "");
    }
    if (memberName !== "" && !memberName.startsWith("__.SYMDEF"))
      members.push({ name: memberName, headerOffset: pos, data });
    pos += HEADER + size + (size & 1);
  }

  const objects = new Map<number, ObjectFile>();
  const memberName = (i: number) => `${name}(${members[i].name})`;
  const object = (i: number): ObjectFile => {
    let o = objects.get(i);
    if (!o) {
      if (i < 0 || i >= members.length) throw new LinkError(`${name}: no member ${i}`);
      o = readObject(members[i].data, memberName(i));
      objects.set(i, o);
    }
    return o;
  };
  const index = symbolTable ? readSymbolTable(name, symbolTable, members) : scanMembers(members, object);
  return { name, members, index, object, memberName };
}

/** The GNU symbol table: a big-endian count, that many member offsets, then the names. */
function readSymbolTable(
  name: string,
  table: { data: Uint8Array; wide: boolean },
  members: ArchiveMember[],
): Map<string, number> {
  const width = table.wide ? 8 : 4;
  const view = new DataView(table.data.buffer, table.data.byteOffset, table.data.byteLength);
  const fail = () => new LinkError(`${name}: the archive symbol table is truncated or corrupt`);
  if (table.data.length < width) throw fail();
  const read = (o: number) => (table.wide ? Number(view.getBigUint64(o, false)) : view.getUint32(o, false));
  const count = read(0);
  const namesStart = width + count * width;
  if (!Number.isSafeInteger(namesStart) || namesStart > table.data.length) throw fail();
  const byOffset = new Map(members.map((m, i) => [m.headerOffset, i]));
  const index = new Map<string, number>();
  let p = namesStart;
  for (let k = 0; k < count; k++) {
    let end = p;
    while (end < table.data.length && table.data[end] !== 0) end++;
    if (end >= table.data.length) throw fail();
    const symbol = ascii(table.data.subarray(p, end));
    p = end + 1;
    const member = byOffset.get(read(width + k * width));
    if (member === undefined)
      throw new LinkError(
        `${name}: the archive symbol table points symbol ${symbol} at a member that does not exist`,
      );
    if (!index.has(symbol)) index.set(symbol, member);
  }
  return index;
}

/** Without a symbol table: look inside every member for the globals it defines. */
function scanMembers(members: ArchiveMember[], object: (i: number) => ObjectFile): Map<string, number> {
  const index = new Map<string, number>();
  members.forEach((_, i) => {
    let o: ObjectFile;
    try {
      o = object(i);
    } catch (e) {
      // Not an object (ar can hold anything): it defines nothing; pulling it would say why.
      if (e instanceof LinkError) return;
      throw e;
    }
    for (const s of o.symbols) {
      if (s.bind === ELF.STB_LOCAL || s.section === ELF.SHN_UNDEF || s.name === "") continue;
      if (!index.has(s.name)) index.set(s.name, i);
    }
  });
  return index;
}
