import type { SourceSpan } from "../compiler/emitter.js";
import { demangle } from "./demangle.js";

/** What debug info needs from a linked image (structurally, so tests can build one by hand). */
export interface DebugImage {
  symbols: ReadonlyArray<{ name: string; address: number; size: number; kind: string; origin?: string }>;
  /** The assembled program's lines that emitted bytes. */
  lines: ReadonlyArray<{ address: number; size: number; line: number; text: string; file: string }>;
}

export interface AsmLineInfo {
  address: number;
  size: number;
  /** 1-based line in the assembly file. */
  line: number;
  file: string;
  text: string;
}

/**
 * Everything an address can be explained with: the nearest symbol, the assembly line it
 * came from and, for compiled Scheme, the Scheme expression.
 */
export class DebugInfo {
  private readonly symbols: DebugImage["symbols"];
  private readonly lines: AsmLineInfo[];

  constructor(
    image: DebugImage,
    /** Assembly line number → the Scheme expression it implements (compiled programs only). */
    private readonly sourceMap?: ReadonlyMap<number, SourceSpan>,
  ) {
    this.symbols = [...image.symbols]
      .filter((s) => s.kind !== "object" && !s.name.startsWith(".L"))
      .map((s) => ({ ...s, name: demangle(s.name) }))
      .sort((a, b) => a.address - b.address);
    this.lines = [...image.lines].sort((a, b) => a.address - b.address);
  }

  /** The symbol containing (or nearest before) address. */
  symbolAt(address: number): { name: string; offset: number; origin?: string } | undefined {
    let lo = 0;
    let hi = this.symbols.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.symbols[mid].address <= address) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0) return undefined;
    // Prefer a sized symbol that contains the address; else the nearest label before it.
    const s = this.symbols[found];
    if (s.size > 0 && address >= s.address + s.size) {
      for (let i = found - 1; i >= 0 && i > found - 8; i--) {
        const t = this.symbols[i];
        if (t.size > 0 && address < t.address + t.size)
          return { name: t.name, offset: address - t.address, origin: t.origin };
      }
    }
    return { name: s.name, offset: address - s.address, origin: s.origin };
  }

  /** "writeln+0x1c", or the address in hex. */
  nameOf(address: number): string {
    const s = this.symbolAt(address);
    if (!s) return `0x${address.toString(16)}`;
    return s.offset ? `${s.name}+0x${s.offset.toString(16)}` : s.name;
  }

  /** The name of a function starting exactly at address. */
  functionAt(address: number): string | undefined {
    const s = this.symbolAt(address);
    return s && s.offset === 0 ? s.name : undefined;
  }

  /** The assembly line whose bytes contain address. */
  asmLineAt(address: number): AsmLineInfo | undefined {
    let lo = 0;
    let hi = this.lines.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const l = this.lines[mid];
      if (address < l.address) hi = mid - 1;
      else if (address >= l.address + Math.max(1, l.size)) lo = mid + 1;
      else return l;
    }
    return undefined;
  }

  /** The Scheme expression an address implements, if it is compiled Scheme. */
  schemeAt(address: number): SourceSpan | undefined {
    const line = this.asmLineAt(address);
    return line ? this.sourceMap?.get(line.line) : undefined;
  }

  /** Whether address lies in the assembled program (rather than the runtime). */
  isProgram(address: number): boolean {
    if (this.lines.length === 0) return false;
    const first = this.lines[0].address;
    const last = this.lines[this.lines.length - 1];
    return address >= first && address < last.address + last.size;
  }

  /** "hello.scm:3:5 (writeln ...)" or "prog.s:12" for an address. */
  describe(address: number): string | undefined {
    const span = this.schemeAt(address);
    if (span) return `${span.start.file}:${span.start.line}:${span.start.column} ${span.text}`;
    const line = this.asmLineAt(address);
    return line ? `${line.file}:${line.line}: ${line.text.trim()}` : undefined;
  }
}
