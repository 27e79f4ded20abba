import { UserInputError, lineOf, type SourceLocation } from "../diagnostics.js";
import type { Datum } from "./datum.js";

const NAMED_CHARS: Record<string, number> = {
  nul: 0,
  null: 0,
  alarm: 7,
  backspace: 8,
  tab: 9,
  newline: 10,
  linefeed: 10,
  return: 13,
  escape: 27,
  space: 32,
  delete: 127,
  rubout: 127,
};

const DELIMITERS = new Set([..."()[]\";'`,", " ", "\t", "\n", "\r", "\f"]);

/** Reads every datum of a Scheme source text; each datum knows its file, line and column. */
export function readAll(source: string, file: string): Datum[] {
  return new Reader(source, file).readAll();
}

class Reader {
  private pos = 0;
  private line = 1;
  private column = 1;

  constructor(
    private readonly src: string,
    private readonly file: string,
  ) {}

  readAll(): Datum[] {
    const out: Datum[] = [];
    for (;;) {
      this.skipAtmosphere();
      if (this.pos >= this.src.length) return out;
      const c = this.peek();
      if (c === ")" || c === "]") this.fail(`unexpected '${c}'`, this.here());
      out.push(this.read());
    }
  }

  private here(): SourceLocation {
    return { file: this.file, line: this.line, column: this.column };
  }

  private fail(message: string, loc: SourceLocation): never {
    throw new UserInputError(message, loc, lineOf(this.src, loc.line));
  }

  private peek(offset = 0): string {
    return this.src[this.pos + offset] ?? "";
  }

  private next(): string {
    const cp = this.src.codePointAt(this.pos);
    if (cp === undefined) return "";
    const ch = String.fromCodePoint(cp);
    this.pos += ch.length;
    if (ch === "\n") {
      this.line++;
      this.column = 1;
    } else {
      this.column++;
    }
    return ch;
  }

  private skipAtmosphere(): void {
    for (;;) {
      const c = this.peek();
      if (c === "") return;
      if (c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f") {
        this.next();
      } else if (c === ";") {
        while (this.pos < this.src.length && this.peek() !== "\n") this.next();
      } else if (c === "#" && this.peek(1) === "|") {
        const start = this.here();
        this.next();
        this.next();
        let depth = 1;
        while (depth > 0) {
          if (this.pos >= this.src.length) this.fail("unterminated block comment '#|'", start);
          if (this.peek() === "|" && this.peek(1) === "#") {
            depth--;
            this.next();
            this.next();
          } else if (this.peek() === "#" && this.peek(1) === "|") {
            depth++;
            this.next();
            this.next();
          } else {
            this.next();
          }
        }
      } else if (c === "#" && this.peek(1) === ";") {
        const start = this.here();
        this.next();
        this.next();
        this.skipAtmosphere();
        if (this.pos >= this.src.length) this.fail("'#;' must be followed by a datum to skip", start);
        this.read();
      } else {
        return;
      }
    }
  }

  private read(): Datum {
    this.skipAtmosphere();
    const loc = this.here();
    const c = this.peek();
    if (c === "") this.fail("unexpected end of file", loc);
    if (c === "(" || c === "[") return this.readList(loc);
    if (c === ")" || c === "]") this.fail(`unexpected '${c}'`, loc);
    if (c === "'" || c === "`" || c === ",") {
      this.next();
      let name = { "'": "quote", "`": "quasiquote", ",": "unquote" }[c];
      if (c === "," && this.peek() === "@") {
        this.next();
        name = "unquote-splicing";
      }
      this.skipAtmosphere();
      if (this.pos >= this.src.length) this.fail(`'${c}' must be followed by a datum`, loc);
      const datum = this.read();
      return { kind: "list", items: [{ kind: "symbol", name, loc }, datum], loc };
    }
    if (c === '"') return this.readString(loc);
    if (c === "#") {
      const d = this.peek(1);
      if (d === "(") {
        this.next();
        const list = this.readList(loc);
        if (list.kind !== "list" || list.tail) this.fail("a vector cannot have a dotted tail", loc);
        return { kind: "vector", items: list.items, loc };
      }
      if (d === "\\") return this.readChar(loc);
    }
    return this.readAtom(loc);
  }

  private readList(loc: SourceLocation): Datum {
    const open = this.next();
    const close = open === "(" ? ")" : "]";
    const items: Datum[] = [];
    let tail: Datum | undefined;
    for (;;) {
      this.skipAtmosphere();
      const c = this.peek();
      if (c === "") this.fail(`unclosed '${open}': expected '${close}' before the end of the file`, loc);
      if (c === ")" || c === "]") {
        if (c !== close) this.fail(`'${open}' closed by '${c}'`, this.here());
        const end = this.here();
        this.next();
        return tail ? { kind: "list", items, tail, loc, end } : { kind: "list", items, loc, end };
      }
      if (c === "." && DELIMITERS.has(this.peek(1) || " ")) {
        const dotLoc = this.here();
        if (items.length === 0 || tail) this.fail("misplaced '.'", dotLoc);
        this.next();
        tail = this.read();
        this.skipAtmosphere();
        const after = this.peek();
        if (after !== ")" && after !== "]")
          this.fail("expected ')' after the datum following '.'", this.here());
        continue;
      }
      items.push(this.read());
    }
  }

  private readString(loc: SourceLocation): Datum {
    this.next();
    let out = "";
    for (;;) {
      if (this.pos >= this.src.length) this.fail("unterminated string", loc);
      const c = this.next();
      if (c === '"') return { kind: "string", value: out, loc };
      if (c !== "\\") {
        out += c;
        continue;
      }
      const escLoc = this.here();
      const e = this.next();
      switch (e) {
        case "n":
          out += "\n";
          break;
        case "t":
          out += "\t";
          break;
        case "r":
          out += "\r";
          break;
        case "a":
          out += "\x07";
          break;
        case "b":
          out += "\b";
          break;
        case "0":
          out += "\0";
          break;
        case "\\":
        case '"':
        case "|":
          out += e;
          break;
        case "x":
        case "X": {
          let hex = "";
          while (/[0-9a-fA-F]/.test(this.peek())) hex += this.next();
          if (this.peek() !== ";" || hex === "") this.fail("a '\\x' escape is written \\xHEX;", escLoc);
          this.next();
          const cp = parseInt(hex, 16);
          if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            this.fail(`\\x${hex}; is not a Unicode scalar value`, escLoc);
          out += String.fromCodePoint(cp);
          break;
        }
        default: {
          // \<intraline whitespace><newline><intraline whitespace> is a line continuation.
          if (e === " " || e === "\t" || e === "\n" || e === "\r") {
            let sawNewline = e === "\n";
            while (
              this.peek() === " " ||
              this.peek() === "\t" ||
              (!sawNewline && /[\r\n]/.test(this.peek()))
            ) {
              if (this.next() === "\n") sawNewline = true;
            }
            if (!sawNewline) this.fail("unknown string escape '\\ '", escLoc);
            while (this.peek() === " " || this.peek() === "\t") this.next();
            break;
          }
          this.fail(`unknown string escape '\\${e}'`, escLoc);
        }
      }
    }
  }

  private readChar(loc: SourceLocation): Datum {
    this.next();
    this.next();
    let text = this.next();
    if (text === "") this.fail("unexpected end of file in a character", loc);
    while (this.pos < this.src.length && !DELIMITERS.has(this.peek())) text += this.next();
    if ([...text].length === 1) return { kind: "char", value: text.codePointAt(0)!, loc };
    const named = NAMED_CHARS[text.toLowerCase()];
    if (named !== undefined) return { kind: "char", value: named, loc };
    if (/^[xX][0-9a-fA-F]+$/.test(text)) {
      const cp = parseInt(text.slice(1), 16);
      if (cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff)) return { kind: "char", value: cp, loc };
    }
    this.fail(`unknown character name #\\${text}`, loc);
  }

  private readAtom(loc: SourceLocation): Datum {
    let text = "";
    if (this.peek() === "|") {
      this.next();
      while (this.peek() !== "|") {
        if (this.pos >= this.src.length) this.fail("unterminated |symbol|", loc);
        text += this.next();
      }
      this.next();
      return { kind: "symbol", name: text, loc };
    }
    while (this.pos < this.src.length && !DELIMITERS.has(this.peek())) text += this.next();
    if (text === "#t" || text === "#true") return { kind: "boolean", value: true, loc };
    if (text === "#f" || text === "#false") return { kind: "boolean", value: false, loc };
    const n = parseInteger(text);
    if (n !== undefined) return { kind: "integer", value: n, loc };
    if (text.startsWith("#")) this.fail(`unknown syntax '${text}'`, loc);
    if (/^[+-]?(\d+\.\d*|\.\d+|\d+)(e[+-]?\d+)?$/i.test(text))
      this.fail(`'${text}': only integers are supported, not inexact numbers`, loc);
    return { kind: "symbol", name: text, loc };
  }
}

function parseInteger(text: string): bigint | undefined {
  let radix = 10;
  let body = text;
  const prefix = /^#([xXbBoOdD])/.exec(body);
  if (prefix) {
    radix = { x: 16, b: 2, o: 8, d: 10 }[prefix[1].toLowerCase() as "x" | "b" | "o" | "d"];
    body = body.slice(2);
  }
  const digits = { 2: "[01]", 8: "[0-7]", 10: "[0-9]", 16: "[0-9a-fA-F]" }[radix];
  const m = new RegExp(`^([+-]?)(${digits}+)$`).exec(body);
  if (!m) return undefined;
  const magnitude =
    radix === 10 ? BigInt(m[2]) : BigInt((radix === 16 ? "0x" : radix === 8 ? "0o" : "0b") + m[2]);
  return m[1] === "-" ? -magnitude : magnitude;
}
