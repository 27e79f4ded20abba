import type { SourceLocation } from "../diagnostics.js";

/** A datum read from Scheme source; every one carries where it was read. */
export type Datum =
  | { kind: "integer"; value: bigint; loc: SourceLocation }
  | { kind: "boolean"; value: boolean; loc: SourceLocation }
  | { kind: "char"; value: number; loc: SourceLocation }
  | { kind: "string"; value: string; loc: SourceLocation }
  | { kind: "symbol"; name: string; loc: SourceLocation }
  | { kind: "list"; items: Datum[]; tail?: Datum; loc: SourceLocation; end?: SourceLocation }
  | { kind: "vector"; items: Datum[]; loc: SourceLocation };

export type ListDatum = Extract<Datum, { kind: "list" }>;

export function isSymbol(d: Datum | undefined, name?: string): d is Extract<Datum, { kind: "symbol" }> {
  return d !== undefined && d.kind === "symbol" && (name === undefined || d.name === name);
}

export function isList(d: Datum | undefined): d is ListDatum {
  return d !== undefined && d.kind === "list" && d.tail === undefined;
}

const CHAR_NAMES: Record<number, string> = {
  0: "nul",
  7: "alarm",
  8: "backspace",
  9: "tab",
  10: "newline",
  13: "return",
  27: "escape",
  32: "space",
  127: "delete",
};

/** The R7RS `write` form of a datum (for comments and messages). */
export function showDatum(d: Datum): string {
  switch (d.kind) {
    case "integer":
      return d.value.toString();
    case "boolean":
      return d.value ? "#t" : "#f";
    case "char": {
      const name = CHAR_NAMES[d.value];
      return name ? `#\\${name}` : `#\\${String.fromCodePoint(d.value)}`;
    }
    case "string":
      return JSON.stringify(d.value);
    case "symbol":
      return d.name;
    case "vector":
      return `#(${d.items.map(showDatum).join(" ")})`;
    case "list": {
      if (d.items.length === 2 && d.tail === undefined && isSymbol(d.items[0])) {
        const prefix = { quote: "'", quasiquote: "`", unquote: ",", "unquote-splicing": ",@" }[
          d.items[0].name
        ];
        if (prefix) return prefix + showDatum(d.items[1]);
      }
      const inner = d.items.map(showDatum).join(" ");
      return d.tail ? `(${inner} . ${showDatum(d.tail)})` : `(${inner})`;
    }
  }
}

/** A one-line, length-limited rendering for assembly comments. */
export function briefDatum(d: Datum, max = 60): string {
  const s = showDatum(d).replace(/\s+/g, " ");
  return s.length > max ? s.slice(0, max - 3) + "..." : s;
}
