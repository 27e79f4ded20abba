/**
 * Cutting a section into pieces for keystone. keystone-wasm's memory is a fixed 16 MiB and
 * a single call with a few thousand lines exhausts it (it then crashes or hangs), so a section
 * is assembled in chunks of a few hundred statements, each at its own address, labels of the
 * other chunks given to it like symbols of other sections. Big fills (`.zero 1000000`) and
 * plain bss reservations are computed here and never reach keystone.
 */
import type { SourceLine } from "./source-lines.js";

/** Statements per keystone call: far below what exhausts keystone's memory. */
export const MAX_CHUNK_STATEMENTS = 400;
/** Fills at least this large are made here rather than by keystone. */
export const BIG_FILL = 4096;

export type Chunk =
  /** Lines assembled by keystone (indices into the section's lines). */
  | { kind: "keystone"; lines: number[] }
  /** Lines whose sizes (and zero or fill bytes) are computed here. */
  | { kind: "direct"; lines: number[] };

type Lookup = (name: string) => number | undefined;

/** A small integer expression: numbers, known constants, + - * / % << >> & | ^ ~ and parentheses. */
export function evaluate(expression: string, constant: Lookup): number | undefined {
  const tokens = expression.match(/0x[0-9a-f]+|0b[01]+|\d+|[A-Za-z_.$][\w.$@]*|<<|>>|[-+*/%&|^~()]|\S/gi);
  if (!tokens) return undefined;
  let i = 0;
  const peek = () => tokens[i];
  const primary = (): number | undefined => {
    const t = tokens[i++];
    if (t === undefined) return undefined;
    if (t === "(") {
      const v = binary(0);
      return tokens[i++] === ")" ? v : undefined;
    }
    if (t === "-" || t === "~" || t === "+") {
      const v = primary();
      if (v === undefined) return undefined;
      return t === "-" ? -v : t === "~" ? ~v : v;
    }
    if (/^0x/i.test(t)) return parseInt(t.slice(2), 16);
    if (/^0b/i.test(t)) return parseInt(t.slice(2), 2);
    if (/^\d+$/.test(t)) return Number(t);
    if (/^[A-Za-z_$]/.test(t) || (t.startsWith(".") && t.length > 1)) return constant(t);
    return undefined;
  };
  const PRECEDENCE: Record<string, number> = {
    "|": 1,
    "^": 2,
    "&": 3,
    "<<": 4,
    ">>": 4,
    "+": 5,
    "-": 5,
    "*": 6,
    "/": 6,
    "%": 6,
  };
  const binary = (min: number): number | undefined => {
    let left = primary();
    for (;;) {
      const op = peek();
      const p = op === undefined ? undefined : PRECEDENCE[op];
      if (left === undefined || p === undefined || p < min) return left;
      i++;
      const right = binary(p + 1);
      if (right === undefined) return undefined;
      switch (op) {
        case "|":
          left = left | right;
          break;
        case "^":
          left = left ^ right;
          break;
        case "&":
          left = left & right;
          break;
        case "<<":
          left = left * 2 ** right;
          break;
        case ">>":
          left = Math.floor(left / 2 ** right);
          break;
        case "+":
          left += right;
          break;
        case "-":
          left -= right;
          break;
        case "*":
          left *= right;
          break;
        case "/":
          if (right === 0) return undefined;
          left = Math.trunc(left / right);
          break;
        case "%":
          if (right === 0) return undefined;
          left %= right;
          break;
      }
    }
  };
  const v = binary(0);
  return i === tokens.length && v !== undefined && Number.isSafeInteger(v) ? v : undefined;
}

/** Top-level comma split (no strings or parentheses in the directives handled here). */
const args = (s: string) => (s.trim() === "" ? [] : s.split(",").map((a) => a.trim()));

const DATA_SIZES: Record<string, number> = {
  byte: 1,
  short: 2,
  word: 2,
  value: 2,
  "2byte": 2,
  long: 4,
  int: 4,
  "4byte": 4,
  quad: 8,
  "8byte": 8,
};

/** The bytes a directive emits at `address`, if it is one computed here; undefined otherwise. */
export interface Direct {
  size: number;
  /** The byte repeated (fills), or a pattern of `width` bytes for `.fill`. */
  fill: number;
  width: number;
}

/**
 * Size and contents of a fill, alignment or (in bss) data directive, computed without
 * keystone. Alignment is only handled in bss (in code keystone pads with nops).
 */
export function directDirective(
  statement: string,
  address: number,
  inBss: boolean,
  constant: Lookup,
): Direct | undefined {
  const m = /^\.([\w]+)\s*(.*)$/.exec(statement);
  if (!m) return undefined;
  const [, name, rest] = m;
  const a = args(rest);
  const num = (s: string | undefined, dflt?: number) =>
    s === undefined || s === "" ? dflt : evaluate(s, constant);
  switch (name) {
    case "zero":
    case "skip":
    case "space": {
      const size = num(a[0]);
      const fill = num(a[1], 0);
      if (a.length > 2 || size === undefined || fill === undefined || size < 0) return undefined;
      return { size, fill: fill & 0xff, width: 1 };
    }
    case "fill": {
      const repeat = num(a[0]);
      const width = num(a[1], 1);
      const value = num(a[2], 0);
      if (repeat === undefined || width === undefined || value === undefined || repeat < 0) return undefined;
      if (width < 1 || width > 8) return undefined;
      return { size: repeat * width, fill: value, width };
    }
    case "balign":
    case "align":
    case "p2align": {
      if (!inBss) return undefined;
      const n = num(a[0]);
      const max = num(a[2]);
      if (n === undefined || n < 0 || (name === "p2align" && n > 30)) return undefined;
      const align = name === "p2align" ? 2 ** n : Math.max(1, n);
      const pad = (align - (address % align)) % align;
      return { size: max !== undefined && pad > max ? 0 : pad, fill: 0, width: 1 };
    }
    default: {
      const width = DATA_SIZES[name];
      if (!inBss || width === undefined) return undefined;
      return { size: width * a.length, fill: 0, width: 1 };
    }
  }
}

/** The bytes of a directive computed here. */
export function directBytes(d: Direct): Uint8Array {
  const out = new Uint8Array(d.size);
  if (d.width === 1) {
    if (d.fill !== 0) out.fill(d.fill);
    return out;
  }
  // `.fill repeat, size, value`: value little-endian in `size` bytes (the upper ones zero beyond 4).
  for (let o = 0; o + d.width <= out.length; o += d.width)
    for (let b = 0; b < Math.min(d.width, 4); b++) out[o + b] = (d.fill >>> (8 * b)) & 0xff;
  return out;
}

const OPENS = /^\.(rept|irp|irpc|macro|if\w*)\b/;
const CLOSES = /^\.(endr|endm|endif)\b/;

/**
 * Chunks for a section's lines. `constant` gives the values of numeric constants known before
 * assembling (for `.zero BUFFER_SIZE`).
 */
export function planChunks(lines: SourceLine[], inBss: boolean, constant: Lookup): Chunk[] {
  const chunks: Chunk[] = [];
  // A file with macros keeps each section whole: a macro must be defined where it is used.
  const whole = lines.some((l) => /^\.macro\b/.test(l.statement));
  let current: Chunk | undefined;
  let statements = 0;
  let depth = 0;
  for (let k = 0; k < lines.length; k++) {
    const s = lines[k].statement;
    let direct = false;
    if (depth === 0 && s !== "" && !whole) {
      const d = directDirective(s, 0, inBss, constant);
      direct = d !== undefined && (inBss || (/^\.(zero|skip|space|fill)\b/.test(s) && d.size >= BIG_FILL));
    } else if (s === "" && current?.kind === "direct") direct = true;
    const outside = depth === 0;
    if (OPENS.test(s)) depth++;
    if (CLOSES.test(s)) depth = Math.max(0, depth - 1);
    const kind = direct ? "direct" : "keystone";
    const full = kind === "keystone" && statements >= MAX_CHUNK_STATEMENTS && outside && !whole;
    if (!current || current.kind !== kind || full) {
      const fresh: Chunk = { kind, lines: [] };
      chunks.push(fresh);
      statements = 0;
      current = fresh;
    }
    current.lines.push(k);
    if (s !== "") statements++;
  }
  return chunks;
}
