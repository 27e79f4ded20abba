import { ByteReader, LinkError } from "./bytes.js";

export interface ArchiveMember {
  name: string;
  data: Uint8Array;
}

export interface Archive {
  name: string;
  members: ArchiveMember[];
  /** Symbol → index of the member that defines it (from the archive's symbol table). */
  index: Map<string, number>;
}

const MAGIC = "!<arch>\n";

/** Whether bytes start like an `ar` archive. */
export function isArchive(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && new TextDecoder().decode(bytes.subarray(0, 8)) === MAGIC;
}

/** Parses a System V / GNU `ar` archive: members, long names (`//`) and the symbol table (`/`). */
export function readArchive(bytes: Uint8Array, name: string): Archive {
  const r = new ByteReader(bytes, name);
  if (!isArchive(bytes)) throw new LinkError(`${name}: not an ar archive (no !<arch> magic)`);
  const text = (o: number, n: number) => new TextDecoder("latin1").decode(r.slice(o, n, "a member header"));
  const raw: { name: string; data: Uint8Array; offset: number }[] = [];
  let longNames: Uint8Array | undefined;
  let symbolTable: Uint8Array | undefined;
  let offset = 8;
  while (offset < bytes.length) {
    if (offset + 60 > bytes.length)
      throw new LinkError(`${name}: truncated member header at offset ${offset}`);
    const header = text(offset, 60);
    if (header.slice(58, 60) !== "`\n") throw new LinkError(`${name}: bad member header at offset ${offset}`);
    const sizeText = header.slice(48, 58).trim();
    if (!/^\d+$/.test(sizeText))
      throw new LinkError(`${name}: bad member size '${sizeText}' at offset ${offset}`);
    const size = Number(sizeText);
    const data = r.slice(offset + 60, size, `the member at offset ${offset}`);
    let memberName = header.slice(0, 16).trimEnd();
    if (memberName === "/" || memberName === "/SYM64/") symbolTable = data;
    else if (memberName === "//") longNames = data;
    else {
      if (/^\/\d+$/.test(memberName)) {
        const at = Number(memberName.slice(1));
        if (!longNames || at >= longNames.length)
          throw new LinkError(`${name}: member name offset ${at} is outside the long-name table`);
        let end = at;
        while (end < longNames.length && longNames[end] !== 0x0a) end++;
        memberName = new TextDecoder().decode(longNames.subarray(at, end));
      } else if (memberName.startsWith("#1/")) {
        // BSD: the name follows the header.
        const len = Number(memberName.slice(3));
        memberName = new TextDecoder().decode(data.subarray(0, len)).replace(/\0+$/, "");
        raw.push({ name: memberName, data: data.subarray(len), offset });
        offset += 60 + size + (size & 1);
        continue;
      }
      raw.push({ name: memberName.replace(/\/$/, ""), data, offset });
    }
    offset += 60 + size + (size & 1);
  }
  const members = raw.map((m) => ({ name: m.name, data: m.data }));
  const index = new Map<string, number>();
  if (symbolTable) {
    const is64 = false;
    const st = new ByteReader(symbolTable, `${name} symbol table`);
    const width = is64 ? 8 : 4;
    const count = st.length >= 4 ? readBigEndian(st, 0, width) : 0;
    let strings = width + count * width;
    if (strings > st.length)
      throw new LinkError(`${name}: the symbol table claims ${count} symbols but is ${st.length} bytes`);
    const byOffset = new Map(raw.map((m, i) => [m.offset, i]));
    for (let i = 0; i < count; i++) {
      const memberOffset = readBigEndian(st, width + i * width, width);
      let end = strings;
      while (end < st.length && symbolTable[end] !== 0) end++;
      const symbol = new TextDecoder().decode(symbolTable.subarray(strings, end));
      strings = end + 1;
      const member = byOffset.get(memberOffset);
      if (member !== undefined && !index.has(symbol)) index.set(symbol, member);
    }
  }
  return { name, members, index };
}

function readBigEndian(r: ByteReader, offset: number, width: number): number {
  let v = 0;
  for (let i = 0; i < width; i++) v = v * 256 + r.u8(offset + i, "the archive symbol table");
  return v;
}
