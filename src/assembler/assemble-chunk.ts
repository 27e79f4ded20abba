/**
 * One keystone call: a run of lines of one section, assembled at its address. Symbols defined
 * outside the run are given with `.set`, relative to a label at the run's start so that
 * rip-relative operands encode correctly (keystone encodes an absolute `.set` as the
 * displacement itself). A marker label before every statement and a table of `.quad`s at the
 * end tell where every label and line ended up; the table is then cut off.
 */
import { KeystoneFailure, type AsmEngine } from "./keystone.js";
import { locateError } from "./locate-error.js";
import { SYMBOL_NAME, type SectionName, type SourceLine, type Syntax } from "./source-lines.js";

export const START = "__abi_lab_section_start";
/** Line markers: short (keystone converts its input to UTF-8 slowly) and unlike any user label. */
const MARK = ".L$";

/** A symbol as keystone must see it from inside a run: an address, or a plain number. */
export type Outside = { address: number } | { value: number };

export interface ChunkInput {
  assembler: AsmEngine;
  file: string;
  syntax: Syntax;
  section: SectionName;
  lines: SourceLine[];
  /** Identifiers each line uses. */
  ids: string[][];
  /** The constant each line defines (`.set x, ...`), if any. */
  defines: (string | undefined)[];
  base: number;
  /** Where symbols not defined in the run are. */
  outside: (name: string) => Outside | undefined;
}

export interface ChunkResult {
  bytes: Uint8Array;
  /** Label → offset from the run's start. */
  labelOffsets: Map<string, number>;
  /** Constant → value. */
  constants: Map<string, number>;
  /** Offset of each line from the run's start. */
  lineOffsets: number[];
}

const hex = (n: number) => (n < 0 ? `-0x${(-n).toString(16)}` : `0x${n.toString(16)}`);

/** Keystone pads every section with nops; outside code, alignment padding is zeros (as GNU as). */
function zeroFill(statement: string): string {
  const m = /^\.(p2align|balign|align)\s+([^,\s]+)\s*(?:,\s*([^,]*?)\s*(?:,\s*(.+))?)?$/.exec(statement);
  if (!m || (m[3] !== undefined && m[3] !== "")) return statement;
  return `.${m[1]} ${m[2]}, 0${m[4] !== undefined ? `, ${m[4]}` : ""}`;
}

const OPENS = /^\.(rept|irp|irpc|macro)\b/;
const CLOSES = /^\.(endr|endm)\b/;

export function assembleChunk(input: ChunkInput): ChunkResult {
  const { lines, base, section } = input;
  const head = [input.syntax === "att" ? ".att_syntax" : ".intel_syntax noprefix", `${START}:`];

  const local = new Set<string>();
  const localConstants = new Set<string>();
  for (let k = 0; k < lines.length; k++) {
    for (const lab of lines[k].labels) local.add(lab);
    const c = input.defines[k];
    if (c !== undefined) {
      local.add(c);
      localConstants.add(c);
    }
  }
  // Everything defined elsewhere, relative to this run's start.
  const sets: string[] = [];
  const seen = new Set<string>();
  for (const ids of input.ids)
    for (const name of ids) {
      if (local.has(name) || seen.has(name)) continue;
      seen.add(name);
      const o = input.outside(name);
      if (!o) continue;
      if ("address" in o) {
        const delta = o.address - base;
        sets.push(`.set ${name}, ${START} ${delta < 0 ? "-" : "+"} ${hex(Math.abs(delta))}`);
      } else sets.push(`.set ${name}, ${o.value}`);
    }

  const body: string[] = [];
  const table: string[] = [];
  let depth = 0;
  lines.forEach((l, k) => {
    for (const lab of l.labels) {
      body.push(`${lab}:`);
      if (SYMBOL_NAME.test(lab) && depth === 0) table.push(lab);
    }
    // A line without a statement is at the next statement's address: no marker needed;
    // none inside .rept/.macro bodies either (they would be defined more than once).
    if (!l.statement) return;
    if (depth === 0 && !CLOSES.test(l.statement)) {
      body.push(`${MARK}${k}:`);
      table.push(`${MARK}${k}`);
    }
    body.push(section === "text" ? l.statement : zeroFill(l.statement));
    if (OPENS.test(l.statement)) depth++;
    else if (CLOSES.test(l.statement)) depth = Math.max(0, depth - 1);
  });
  body.push(`${MARK}end:`);
  table.push(`${MARK}end`, ...localConstants);
  const quads: string[] = [];
  for (let i = 0; i < table.length; i += 16) quads.push(`.quad ${table.slice(i, i + 16).join(", ")}`);

  const tableBytes = 8 * table.length;
  let bytes: Uint8Array;
  try {
    bytes = input.assembler.asm([...head, ...sets, ...body, ...quads].join("\n") + "\n", base, tableBytes);
  } catch (e) {
    if (!(e instanceof KeystoneFailure)) throw e;
    const constantsByLine = input.defines.map((d) => (d === undefined ? [] : [d]));
    throw locateError(
      {
        assembler: input.assembler,
        file: input.file,
        head,
        outside: sets,
        lines,
        constantsByLine,
        startLabel: START,
        base,
      },
      e,
    );
  }
  const contentLength = bytes.length - tableBytes;
  const view = new DataView(bytes.buffer, bytes.byteOffset + contentLength, tableBytes);
  const values = new Map<string, number>();
  table.forEach((name, i) => values.set(name, Number(view.getBigInt64(8 * i, true))));
  if (values.get(`${MARK}end`) !== base + contentLength)
    throw new Error(`internal error: the address table of section ${section} of ${input.file} is misplaced`);

  const labelOffsets = new Map<string, number>();
  const constants = new Map<string, number>();
  for (const [name, value] of values) {
    if (name.startsWith(MARK)) continue;
    if (localConstants.has(name)) constants.set(name, value);
    else labelOffsets.set(name, value - base);
  }
  const lineOffsets: number[] = new Array<number>(lines.length);
  let next = contentLength;
  for (let k = lines.length - 1; k >= 0; k--) {
    const at = values.get(`${MARK}${k}`);
    if (at !== undefined) next = at - base;
    lineOffsets[k] = next;
  }
  return { bytes: bytes.slice(0, contentLength), labelOffsets, constants, lineOffsets };
}

/** The constant a `.set`/`.equ`/`=` statement defines, if it is one. */
export function constantDefinedBy(statement: string): string | undefined {
  return (/^\.(?:set|equ)\s+([^\s,]+)\s*,/.exec(statement) ??
    /^([A-Za-z_.$][\w.$@]*)\s*=[^=]/.exec(statement))?.[1];
}
