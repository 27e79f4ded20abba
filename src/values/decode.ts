import * as L from "./layout.js";

/** Reads guest memory for the decoder; returns undefined where memory is not readable. */
export interface WordReader {
  read64(address: number): bigint | undefined;
  read32(address: number): number | undefined;
}

export interface DecodeOptions {
  /** `write` form (strings quoted, chars as #\x) or `display` form. */
  write?: boolean;
  /** Elements shown per list/vector/string before "...". */
  maxItems?: number;
  /** Nesting depth before "...". */
  maxDepth?: number;
}

/** As runtime-rs (and Chez Scheme) write them. */
const CHAR_NAMES: Record<number, string> = {
  0: "nul",
  7: "alarm",
  8: "backspace",
  9: "tab",
  10: "newline",
  11: "vtab",
  12: "page",
  13: "return",
  27: "esc",
  32: "space",
  127: "delete",
};

const STRING_ESCAPES: Record<number, string> = {
  7: "\\a",
  8: "\\b",
  9: "\\t",
  10: "\\n",
  11: "\\v",
  12: "\\f",
  13: "\\r",
  34: '\\"',
  92: "\\\\",
};

/** Printed as a hex escape in strings and char literals (as runtime-rs does). */
function hexEscaped(c: number): boolean {
  return c < 0x20 || c === 0x7f || c === 0x85 || c === 0x2028;
}

const upperHex = (c: number) => c.toString(16).toUpperCase();

const KIND_NAMES: Record<number, string> = {
  [L.Kind.vector]: "vector",
  [L.Kind.closure]: "closure",
  [L.Kind.port]: "port",
};

/** What kind of Scheme value a word is, from its tag alone. */
export function tagName(word: bigint): string {
  const tag = Number(word & BigInt(L.TAG_MASK));
  switch (tag) {
    case L.Tag.fixnum:
      return "fixnum";
    case L.Tag.boolean:
      return word === BigInt(L.TRUE) || word === BigInt(L.FALSE) ? "boolean" : "invalid";
    case L.Tag.char:
      return "char";
    case L.Tag.pair:
      return "pair";
    case L.Tag.immediate:
      return word === BigInt(L.NIL)
        ? "empty list"
        : word === BigInt(L.UNSPECIFIED)
          ? "unspecified"
          : word === BigInt(L.EOF)
            ? "eof"
            : word === BigInt(L.UNBOUND)
              ? "unbound"
              : "invalid";
    case L.Tag.string:
      return "string";
    case L.Tag.symbol:
      return "symbol";
    default:
      return "vector-like";
  }
}

/**
 * The Scheme value a 64-bit word stands for, printed as R7RS `write` (or `display`) would,
 * reading heap objects through `mem`. Never throws: unreadable or malformed objects print as
 * `#<bad pointer 0x...>`.
 */
export function decodeValue(word: bigint, mem: WordReader, options: DecodeOptions = {}): string {
  const write = options.write ?? true;
  const maxItems = options.maxItems ?? 16;
  const maxDepth = options.maxDepth ?? 4;
  const seen = new Set<bigint>();

  const bad = (w: bigint) => `#<bad pointer 0x${w.toString(16)}>`;

  function go(w: bigint, depth: number): string {
    w = BigInt.asUintN(64, w);
    const tag = Number(w & 7n);
    const address = Number(w - BigInt(tag));
    switch (tag) {
      case L.Tag.fixnum:
        return (BigInt.asIntN(64, w) >> 3n).toString();
      case L.Tag.boolean:
        return w === BigInt(L.TRUE) ? "#t" : w === BigInt(L.FALSE) ? "#f" : `#<invalid 0x${w.toString(16)}>`;
      case L.Tag.char: {
        const code = Number(w >> 3n);
        if (code > 0x10ffff) return `#<invalid char 0x${w.toString(16)}>`;
        if (!write) return String.fromCodePoint(code);
        return `#\\${CHAR_NAMES[code] ?? (hexEscaped(code) ? `x${upperHex(code)}` : String.fromCodePoint(code))}`;
      }
      case L.Tag.immediate:
        if (w === BigInt(L.NIL)) return "()";
        if (w === BigInt(L.UNSPECIFIED)) return "#<void>";
        if (w === BigInt(L.EOF)) return "#<eof>";
        if (w === BigInt(L.UNBOUND)) return "#<unbound>";
        return `#<invalid 0x${w.toString(16)}>`;
      case L.Tag.string:
        return string(address, w);
      case L.Tag.symbol: {
        const name = mem.read64(address + L.SYMBOL_NAME);
        if (name === undefined || (name & 7n) !== BigInt(L.Tag.string)) return bad(w);
        return string(Number(name - BigInt(L.Tag.string)), name, true);
      }
      case L.Tag.pair:
        return pair(w, depth);
      default:
        return vectorLike(address, w, depth);
    }
  }

  function string(address: number, w: bigint, raw = false): string {
    const len = mem.read64(address + L.STRING_LENGTH);
    if (len === undefined || len > 1n << 32n) return bad(w);
    const n = Number(len);
    let plain = "";
    let escaped = "";
    for (let i = 0; i < Math.min(n, maxItems * 8); i++) {
      const c = mem.read32(address + L.STRING_DATA + L.STRING_CHAR_SIZE * i);
      if (c === undefined || c > 0x10ffff) return bad(w);
      const ch = String.fromCodePoint(c);
      plain += ch;
      escaped += STRING_ESCAPES[c] ?? (hexEscaped(c) ? `\\x${upperHex(c)};` : ch);
    }
    const more = n > maxItems * 8 ? "..." : "";
    if (!write || raw) return plain + more;
    return `"${escaped}${more}"`;
  }

  function pair(w: bigint, depth: number): string {
    if (depth >= maxDepth) return "(...)";
    const parts: string[] = [];
    let p = w;
    while ((p & 7n) === BigInt(L.Tag.pair)) {
      if (seen.has(p)) {
        parts.push("...");
        return `(${parts.join(" ")})`;
      }
      seen.add(p);
      if (parts.length >= maxItems) return `(${parts.join(" ")} ...)`;
      const address = Number(p - BigInt(L.Tag.pair));
      const car = mem.read64(address + L.PAIR_CAR);
      const cdr = mem.read64(address + L.PAIR_CDR);
      if (car === undefined || cdr === undefined) return bad(p);
      parts.push(go(car, depth + 1));
      p = cdr;
    }
    if (p === BigInt(L.NIL)) return `(${parts.join(" ")})`;
    return `(${parts.join(" ")} . ${go(p, depth + 1)})`;
  }

  function vectorLike(address: number, w: bigint, depth: number): string {
    const header = mem.read64(address + L.VECTOR_HEADER);
    if (header === undefined) return bad(w);
    const kind = Number(header & BigInt(L.HEADER_KIND_MASK));
    const length = Number(header >> BigInt(L.HEADER_KIND_BITS));
    if (kind === L.Kind.closure) {
      return "#<procedure>";
    }
    if (kind === L.Kind.port) {
      const path = mem.read64(address + L.VECTOR_DATA + 8 * L.PortField.path);
      const dir = mem.read64(address + L.VECTOR_DATA + 8 * L.PortField.direction);
      const direction = dir === BigInt(L.PortDirection.input << 3) ? "input" : "output";
      const name =
        path !== undefined && (path & 7n) === BigInt(L.Tag.string) ? ` ${go(path, depth + 1)}` : "";
      return `#<${direction} port${name}>`;
    }
    if (kind !== L.Kind.vector) return `#<${KIND_NAMES[kind] ?? `object kind ${kind}`}>`;
    if (depth >= maxDepth) return "#(...)";
    const items: string[] = [];
    for (let i = 0; i < Math.min(length, maxItems); i++) {
      const item = mem.read64(address + L.VECTOR_DATA + 8 * i);
      if (item === undefined) return bad(w);
      items.push(go(item, depth + 1));
    }
    return `#(${items.join(" ")}${length > maxItems ? " ..." : ""})`;
  }

  return go(word, 0);
}
