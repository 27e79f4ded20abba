/**
 * Splitting an assembly file into sections and lines, before keystone sees it. Keystone cannot
 * switch sections inside one call, so each section is assembled on its own. Directives that
 * only describe symbols (`.globl`, `.type`, `.size`, ...) are recorded here and not passed on.
 */

export type SectionName = "text" | "rodata" | "data" | "bss";

export const SECTION_NAMES: readonly SectionName[] = ["text", "rodata", "data", "bss"];

export type Syntax = "intel" | "att";

export interface SourceLine {
  /** 1-based line in the file. */
  line: number;
  /** The line as written. */
  text: string;
  /** Column (1-based) where the statement (after any labels) starts. */
  column: number;
  /** Labels defined on this line (`name:`). */
  labels: string[];
  /** What is left after the labels: an instruction or directive (may be empty), as keystone gets it. */
  statement: string;
  /** The statement as written (before rewriting for keystone). */
  source: string;
  section: SectionName;
  /** A problem found before assembling (reported as an AssemblyError at this line). */
  error?: string;
}

interface ParsedLine {
  text: string;
  labels: string[];
  statement: string;
  source: string;
  column: number;
  error?: string;
}

/** `.size name, expr`: a number, or `.-name` (the distance from the label to this line). */
export interface SizeDirective {
  name: string;
  section: SectionName;
  /** The number of lines of `section` before the directive (so its address is that line's). */
  lineIndex: number;
  /** The size when given as a number; undefined for `.-name`. */
  value?: number;
}

export interface SplitSource {
  syntax: Syntax;
  /** The lines that go to keystone, in file order. */
  lines: SourceLine[];
  /** Labels defined in each section. */
  labels: Map<string, SectionName>;
  /** Symbols declared .globl/.global/.weak. */
  globals: Set<string>;
  /** Symbols declared with `.type name, @function` / `@object`. */
  types: Map<string, "function" | "object">;
  sizes: SizeDirective[];
  /** `.set`/`.equ`/`=` constants: name → the section whose lines define it. */
  constants: Map<string, SectionName>;
  /** The largest alignment each section asks for (`.p2align`, `.balign`, `.align`, `.comm`). */
  alignments: Record<SectionName, number>;
}

/** Names the assembler makes up start with this; they never reach the output. */
export const INTERNAL_PREFIX = "__abi_lab_";
/** Keystone cannot parse `[rip + .LC0]`: names starting with a dot are renamed with this prefix. */
const DOT_PREFIX = "__abi_lab_dot_";

/** The name as written in the file. */
export function originalName(name: string): string {
  return name.startsWith(DOT_PREFIX) ? `.${name.slice(DOT_PREFIX.length)}` : name;
}

const LABEL = /^\s*([A-Za-z_.$][\w.$@]*|\d+)\s*:(?!:)/;
export const SYMBOL_NAME = /^[A-Za-z_.$][\w.$@]*$/;

/** Strip a `#` or `//` comment (Intel: also `;`), respecting string and character literals. */
export function stripComment(text: string, syntax: Syntax): string {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"') quote = c;
    else if (c === "'" && text[i + 2] === "'") i += 2;
    else if (c === "#" || (c === "/" && text[i + 1] === "/") || (c === ";" && syntax === "intel")) {
      return text.slice(0, i);
    }
  }
  return text;
}

/** The section a section-switching directive selects: a name, "ignored", or undefined (not one). */
function sectionOf(statement: string): SectionName | "ignored" | undefined {
  if (/^\.text\b/.test(statement)) return "text";
  if (/^\.data\b/.test(statement)) return "data";
  if (/^\.bss\b/.test(statement)) return "bss";
  if (/^\.rodata\b/.test(statement)) return "rodata";
  const m = /^\.(?:section|pushsection)\s+("[^"]*"|[^\s,]+)/.exec(statement);
  if (!m) return undefined;
  const name = m[1].replace(/^"|"$/g, "");
  if (name.startsWith(".text")) return "text";
  if (name.startsWith(".rodata")) return "rodata";
  if (name.startsWith(".bss") || name.startsWith(".sbss")) return "bss";
  if (name.startsWith(".data") || name.startsWith(".sdata")) return "data";
  // Anything else (.note.GNU-stack, .comment, debug info, .eh_frame): its contents are dropped.
  return "ignored";
}

function columnOf(text: string, code: string, statement: string): number {
  if (statement === "") return code.length - code.trimStart().length + 1;
  const at = code.lastIndexOf(statement);
  return (at >= 0 ? at : 0) + 1;
}

const SYMBOL_DIRECTIVE =
  /^\.(type|size|local|weak|hidden|protected|internal|globl|global|ident|file|loc|cfi_\w+|addrsig|addrsig_sym|intel_syntax|att_syntax|previous|popsection|end)\b/;

/** Split a file into lines with their sections, labels and symbol directives. */
export function splitSource(source: string): SplitSource {
  const syntax: Syntax = /^\s*\.att_syntax\b/m.test(source) ? "att" : "intel";
  const out: SplitSource = {
    syntax,
    lines: [],
    labels: new Map(),
    globals: new Set(),
    types: new Map(),
    sizes: [],
    constants: new Map(),
    alignments: { text: 1, rodata: 1, data: 1, bss: 1 },
  };
  const counts: Record<SectionName, number> = { text: 0, rodata: 0, data: 0, bss: 0 };
  let section: SectionName | "ignored" = "text";
  let previous: SectionName | "ignored" = "text";
  const stack: (SectionName | "ignored")[] = [];
  const commons: SourceLine[] = [];
  const commonGlobals: string[] = [];
  const locals = new Set<string>();
  const push = (l: SourceLine) => {
    out.lines.push(l);
    counts[l.section]++;
  };

  const parsed = source.split(/\r?\n/).map((text) => {
    const code = stripComment(text, syntax);
    const labels: string[] = [];
    let rest = code;
    let m: RegExpExecArray | null;
    while ((m = LABEL.exec(rest))) {
      labels.push(m[1]);
      rest = rest.slice(m[0].length);
    }
    const statement = rest.trim();
    const parsedLine: ParsedLine = {
      text,
      labels,
      statement,
      source: statement,
      column: columnOf(text, code, statement),
    };
    // Keystone loops forever on some malformed statements (a byte above 0x7f outside a string,
    // a line starting with ':', a directive followed by a comma, an unterminated string, an
    // alignment that is not a number): refuse them here.
    let odd: string | undefined;
    let quote = false;
    let colon = false;
    let register = false;
    outsideStrings(statement, (part) => {
      odd ??= /[^\p{ASCII}]/u.exec(part)?.[0];
      quote ||= part.includes('"');
      // ':' belongs to labels (already taken off) and segment overrides (fs:, %gs:) only.
      register ||= /%[a-z]|[[\]]/i.test(part);
      colon ||= part.replace(/%?\b[cdefgs]s\s*:/gi, "").includes(":");
      return part;
    });
    if (odd !== undefined)
      parsedLine.error = `the character '${odd}' (U+${odd.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}) is not allowed outside a string or a comment`;
    else if (statement !== "" && !/^[A-Za-z_.$]/.test(statement))
      parsedLine.error = `expected an instruction, a directive or a label, not '${statement}'`;
    else if (quote) parsedLine.error = `unterminated string in '${statement}'`;
    else if (colon) parsedLine.error = `unexpected ':' in '${statement}'`;
    else if (
      /^\.(byte|short|word|hword|value|long|int|quad|octa|[248]byte|ascii|asciz|string|zero|skip|space)\s/.test(
        statement,
      ) &&
      statement
        .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)'/g, "x")
        .replace(/^\.\w+\s*/, "")
        .split(",")
        .some((operand) => operand.trim() === "")
    )
      parsedLine.error = `an empty operand in '${statement}'`;
    else if (/^\.(section|pushsection)\b/.test(statement) && !/^\.\w+\s+("[^"]*"|[^\s,]+)/.test(statement))
      parsedLine.error = `'${statement.split(/[\s,]/)[0]}' expects a section name: '${statement}'`;
    else if (/^\.\w/.test(statement) && !SYMBOL_DIRECTIVE.test(statement) && register)
      parsedLine.error = `a register or a memory operand cannot be a directive's operand: '${statement}'`;
    else if (/^\.(p2align|balign|align)\b(?!\s+\d)/.test(statement))
      parsedLine.error = `'${statement.split(/\s/)[0]}' expects a number: '${statement}'`;
    else if (/^\.[\w.$]*[^\w.$\s=]/.test(statement))
      parsedLine.error = `malformed directive '${statement}' (a directive name is followed by a space)`;
    return parsedLine;
  });
  renameNumericLabels(parsed);
  if (syntax === "intel") for (const p of parsed) rewriteIntel(p);
  for (const p of parsed) rewriteModifiers(p, syntax);

  parsed.forEach(({ text, labels, statement, source, column, error }, i) => {
    const line = i + 1;

    const newSection = sectionOf(statement);
    if (newSection) {
      if (/^\.pushsection\b/.test(statement)) stack.push(section);
      previous = section;
      section = newSection;
    } else if (/^\.previous\b/.test(statement)) {
      [section, previous] = [previous, section];
    } else if (/^\.popsection\b/.test(statement)) {
      previous = section;
      section = stack.pop() ?? "text";
    }
    if (section === "ignored") return;
    const here: SectionName = section;
    for (const l of labels) out.labels.set(l, here);

    const directive = /^\.(\w+)\s*(.*)$/.exec(statement);
    const name = directive?.[1];
    const args = directive?.[2] ?? "";
    if (name === "globl" || name === "global" || name === "weak") {
      for (const n of args.split(",")) if (n.trim()) out.globals.add(n.trim());
    } else if (name === "local") {
      for (const n of args.split(",")) if (n.trim()) locals.add(n.trim());
    } else if (name === "type") {
      const t = /^([^\s,]+)\s*,\s*[@%"]?(\w+)/.exec(args);
      if (t && (t[2] === "function" || t[2] === "object")) out.types.set(t[1], t[2]);
    } else if (name === "size") {
      const s = /^([^\s,]+)\s*,\s*(.+)$/.exec(args);
      if (s) {
        const value = s[2].trim();
        const numeric = /^(0x[0-9a-f]+|\d+)$/i.test(value) ? Number(value) : undefined;
        if (numeric !== undefined || value.replace(/\s+/g, "") === `.-${s[1]}`)
          out.sizes.push({ name: s[1], section: here, lineIndex: counts[here], value: numeric });
      }
    } else if (name === "set" || name === "equ" || /^[A-Za-z_.$][\w.$@]*\s*=[^=]/.test(statement)) {
      const c = name ? /^([^\s,]+)\s*,/.exec(args) : /^([^\s=]+)\s*=/.exec(statement);
      if (c) out.constants.set(c[1], here);
    } else if (name === "comm" || name === "lcomm") {
      // A common symbol: zeros in .bss.
      const c = /^([^\s,]+)\s*,\s*(\w+)(?:\s*,\s*(\w+))?/.exec(args);
      if (c) {
        const align = c[3]
          ? Number(c[3])
          : Math.min(16, 2 ** Math.floor(Math.log2(Math.max(1, Number(c[2])))));
        out.labels.set(c[1], "bss");
        if (name === "comm") commonGlobals.push(c[1]);
        out.alignments.bss = Math.max(out.alignments.bss, align);
        // As GNU as does, commons go after everything else in .bss.
        commons.push({
          line,
          text,
          column,
          labels: [],
          statement: `.balign ${align}`,
          source,
          section: "bss",
        });
        commons.push({
          line,
          text,
          column,
          labels: [c[1]],
          statement: `.zero ${c[2]}`,
          source,
          section: "bss",
        });
      }
      if (labels.length) push({ line, text, column, labels, statement: "", source, section: here });
      return;
    }
    if (name === "p2align" || name === "balign" || name === "align") {
      const n = Number(/^\s*(\w+)/.exec(args)?.[1]);
      if (Number.isInteger(n) && n >= 0) {
        const bytes = name === "p2align" ? 2 ** Math.min(n, 16) : n;
        out.alignments[here] = Math.max(out.alignments[here], bytes);
      }
    }
    const passOn = statement !== "" && !newSection && !SYMBOL_DIRECTIVE.test(statement);
    if (labels.length === 0 && !passOn) return;
    push({ line, text, column, labels, statement: passOn ? statement : "", source, section: here, error });
  });
  commons.forEach(push);
  for (const n of commonGlobals) if (!locals.has(n)) out.globals.add(n);
  return out;
}

/**
 * Keystone rejects GNU numeric local labels (`1:` with `jmp 1b` / `jmp 1f`): give every
 * definition a unique name and point each reference at the nearest one backward or forward.
 */
function renameNumericLabels(lines: { labels: string[]; statement: string }[]): void {
  const numeric = new Map<string, number>();
  for (const l of lines)
    for (const lab of l.labels) if (/^\d+$/.test(lab)) numeric.set(lab, (numeric.get(lab) ?? 0) + 1);
  if (numeric.size === 0) return;
  const seen = new Map<string, number>();
  const name = (n: string, k: number) => `${INTERNAL_PREFIX}local_${n}_${k}`;
  for (const l of lines) {
    l.labels = l.labels.map((lab) => {
      if (!numeric.has(lab)) return lab;
      const count = seen.get(lab) ?? 0;
      seen.set(lab, count + 1);
      return name(lab, count);
    });
    l.statement = l.statement.replace(
      /(?<![\w.$])(\d+)([bf])(?![\w.$])/g,
      (whole, n: string, dir: string) => {
        const total = numeric.get(n);
        if (total === undefined) return whole;
        const count = seen.get(n) ?? 0;
        if (dir === "b") return count > 0 ? name(n, count - 1) : whole;
        return count < total ? name(n, count) : whole;
      },
    );
  }
}

/** Applies `f` to the parts of `s` outside string and character literals. */
function outsideStrings(s: string, f: (part: string) => string): string {
  let out = "";
  let last = 0;
  for (const m of s.matchAll(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)'/g)) {
    out += f(s.slice(last, m.index)) + m[0];
    last = m.index + m[0].length;
  }
  return out + f(s.slice(last));
}

const renameDots = (part: string) =>
  part.replace(/(?<![\w.$])\.([A-Za-z_$][\w.$@]*)/g, (_, n: string) => DOT_PREFIX + n);

/**
 * Intel-syntax forms keystone's parser rejects, rewritten to equivalent ones: names starting
 * with a dot (`.LC0`) get a dotless alias, and GNU's `sym[rip]` / `table[0+rax*8]` (what
 * `gcc -masm=intel` writes) become `[rip + sym]` / `[0+rax*8 + table]`.
 */
function rewriteIntel(l: { labels: string[]; statement: string }): void {
  l.labels = l.labels.map((lab) => (lab.startsWith(".") ? DOT_PREFIX + lab.slice(1) : lab));
  const m = /^(\S+)(.*)$/.exec(l.statement);
  if (!m || /^\.(section|pushsection)$/.test(m[1])) return;
  let rest = outsideStrings(m[2], renameDots);
  if (!m[1].startsWith("."))
    rest = outsideStrings(rest, (part) =>
      part.replace(/(^|[\s,:])([^\s,[\]:]+)\[([^\]]*)\]/g, "$1[$3 + $2]"),
    );
  l.statement = m[1] + rest;
}

/**
 * Relocation modifiers. The assembler produces final bytes, not relocations: `call f@PLT` is
 * just `call f` in a static link, and `mov reg, [rip + sym@GOTPCREL]` (load the address of sym
 * from the GOT) becomes `lea reg, [rip + sym]`, the relaxation ld makes. Other modifiers are
 * reported rather than assembled wrongly (keystone would leave a zero where the fixup goes).
 */
function rewriteModifiers(l: ParsedLine, syntax: Syntax): void {
  if (!l.statement.includes("@")) return;
  let s = outsideStrings(l.statement, (part) => part.replace(/([\w.$])@PLT\b/gi, "$1"));
  if (syntax === "intel") {
    const m =
      /^mov\s+(\w+)\s*,\s*(?:qword\s+ptr\s+)?\[\s*(?:rip\s*\+\s*([\w.$]+)@GOTPCREL|([\w.$]+)@GOTPCREL\s*\+\s*rip)\s*\]$/i.exec(
        s,
      );
    if (m) s = `lea ${m[1]}, [rip + ${m[2] ?? m[3]}]`;
  } else {
    const m = /^movq?\s+([\w.$]+)@GOTPCREL\(%rip\)\s*,\s*(%\w+)$/i.exec(s);
    if (m) s = `leaq ${m[1]}(%rip), ${m[2]}`;
  }
  l.statement = s;
  let modifier: string | undefined;
  outsideStrings(s, (part) => {
    modifier ??= /[\w.$]@(\w+)/.exec(part)?.[1];
    return part;
  });
  if (modifier)
    l.error ??=
      modifier.toUpperCase() === "GOTPCREL"
        ? "@GOTPCREL is only supported in 'mov reg, [rip + sym@GOTPCREL]' (made a lea): use lea reg, [rip + sym]"
        : `relocation modifier '@${modifier}' is not supported: abi-lab assembles to final addresses, without a GOT or TLS`;
}
