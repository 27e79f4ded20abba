/**
 * Splitting an assembly file into sections and lines, before keystone sees it. Keystone cannot
 * switch sections inside one call, so each section is assembled on its own.
 */

export type SectionName = "text" | "rodata" | "data" | "bss";

export const SECTION_NAMES: readonly SectionName[] = ["text", "rodata", "data", "bss"];

export interface SourceLine {
  /** 1-based line in the file. */
  line: number;
  /** The line as written. */
  text: string;
  /** The statement, without comment. */
  code: string;
  /** Column (1-based) where the statement starts. */
  column: number;
  /** Labels defined on this line (`name:`). */
  labels: string[];
  /** What is left after the labels: an instruction or directive (may be empty). */
  statement: string;
  section: SectionName;
}

export interface SplitSource {
  syntax: "intel" | "att";
  lines: SourceLine[];
  /** Labels defined in each section. */
  labels: Map<string, SectionName>;
  /** Symbols declared .globl/.global. */
  globals: Set<string>;
}

const LABEL = /^\s*([A-Za-z_.$][\w.$@]*|\d+)\s*:(?!:)/;

/** Strip a `#` or `//` comment (Intel: also `;`), respecting string literals. */
export function stripComment(text: string, syntax: "intel" | "att"): string {
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === "#" || (c === "/" && text[i + 1] === "/") || (c === ";" && syntax === "intel")) {
      return text.slice(0, i);
    }
  }
  return text;
}

function sectionOf(directive: string): SectionName | undefined {
  const d = directive.trim();
  if (/^\.text\b/.test(d)) return "text";
  if (/^\.data\b/.test(d)) return "data";
  if (/^\.bss\b/.test(d)) return "bss";
  if (/^\.rodata\b/.test(d)) return "rodata";
  const m = /^\.section\s+([^\s,]+)/.exec(d);
  if (!m) return undefined;
  const name = m[1].replace(/^"|"$/g, "");
  if (name.startsWith(".text")) return "text";
  if (name.startsWith(".rodata")) return "rodata";
  if (name.startsWith(".bss") || name.startsWith(".tbss")) return "bss";
  if (name.startsWith(".data") || name.startsWith(".tdata")) return "data";
  // Unknown sections (.note.GNU-stack, .comment, debug): ignore their contents.
  return undefined;
}

/** Split a file into lines with their sections, labels and global declarations. */
export function splitSource(source: string): SplitSource {
  const syntax: "intel" | "att" = /^\s*\.att_syntax\b/m.test(source) ? "att" : "intel";
  const lines: SourceLine[] = [];
  const labels = new Map<string, SectionName>();
  const globals = new Set<string>();
  let section: SectionName | "ignored" = "text";
  source.split(/\r?\n/).forEach((text, i) => {
    const code = stripComment(text, syntax);
    const newSection = sectionOf(code);
    if (newSection || /^\s*\.section\b/.test(code)) {
      section = newSection ?? "ignored";
      return;
    }
    if (/^\s*\.(intel_syntax|att_syntax|file|ident|cfi_\w+|addrsig|addrsig_sym)\b/.test(code)) return;
    const found: string[] = [];
    let rest = code;
    let m: RegExpExecArray | null;
    while ((m = LABEL.exec(rest))) {
      found.push(m[1]);
      rest = rest.slice(m[0].length);
    }
    const statement = rest.trim();
    const g = /^\.(globl|global)\s+(.+)$/.exec(statement);
    if (g) {
      for (const name of g[2].split(",")) globals.add(name.trim());
      return;
    }
    if (/^\.(type|size|local|weak|hidden|protected|internal|loc|section)\b/.test(statement)) {
      if (found.length === 0) return;
    }
    if (section === "ignored") return;
    for (const l of found) labels.set(l, section);
    if (found.length === 0 && statement === "") return;
    const column = code.length - code.trimStart().length + 1;
    lines.push({ line: i + 1, text, code, column, labels: found, statement, section });
  });
  return { syntax, lines, labels, globals };
}
