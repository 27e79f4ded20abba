import type { StepSession } from "../session.js";

export interface SourceLine {
  number: number;
  text: string;
  current: boolean;
  /** The marked part of the line: [start, end) in code points. */
  mark?: [number, number];
}

export interface SourceView {
  title: string;
  lines: SourceLine[];
  /** Why the marked expression is the current one, when rip is not in the program itself. */
  note?: string;
  /** The assembly line at rip (file:line and text), for compiled programs. */
  asm?: string;
}

/** The source around the current location: Scheme with the expression marked, or the .s line. */
export function sourceView(session: StepSession, height: number): SourceView {
  const { program, machine } = session;
  const debug = program.debug;
  const rip = machine.rip;
  let address = rip;
  let note: string | undefined;
  if (!debug.isProgram(rip)) {
    const caller = session.tracker.frames().find((f) => debug.isProgram(f.call.rip));
    if (caller) {
      address = caller.call.rip;
      note = `in ${session.view.nameOf(rip)} (runtime), called from here`;
    }
  }
  const asmLine = debug.asmLineAt(rip);
  const asm = asmLine ? `${asmLine.file}:${asmLine.line}  ${asmLine.text.trim()}` : undefined;
  if (program.kind === "scheme" && program.compiled) {
    const text = program.compiled.source;
    const span = debug.schemeAt(address);
    const lines = text.split("\n");
    const focus = span?.start.line ?? 1;
    const out = window(lines, focus, height).map(({ number, text }) => {
      const line: SourceLine = { number, text, current: span !== undefined && number === focus };
      if (span) line.mark = markOf(span, number, text);
      return line;
    });
    const title = span ? `${span.start.file}:${span.start.line}:${span.start.column}` : program.file;
    return {
      title,
      lines: out,
      note: note ?? (span ? undefined : `${session.view.nameOf(rip)}: no Scheme source here`),
      asm,
    };
  }
  if (program.kind === "assembly" && program.assembly !== undefined) {
    const line = debug.asmLineAt(address);
    const lines = program.assembly.split("\n");
    const focus = line?.line ?? 1;
    return {
      title: line ? `${line.file}:${line.line}` : program.file,
      lines: window(lines, focus, height).map(({ number, text }) => ({
        number,
        text,
        current: line !== undefined && number === focus,
      })),
      note: note ?? (line ? undefined : `${session.view.nameOf(rip)}: not in ${program.file}`),
    };
  }
  return { title: program.file, lines: [], note: "an executable: no source, see the disassembly" };
}

function window(lines: string[], focus: number, height: number): { number: number; text: string }[] {
  const n = Math.max(1, height);
  let start = Math.max(1, focus - Math.floor((n - 1) / 3));
  start = Math.max(1, Math.min(start, lines.length - n + 1));
  const out: { number: number; text: string }[] = [];
  for (let k = start; k < start + n && k <= lines.length; k++) out.push({ number: k, text: lines[k - 1] });
  return out;
}

type Span = NonNullable<ReturnType<StepSession["program"]["debug"]["schemeAt"]>>;

/** The columns of `line` covered by the span (columns are 1-based code points). */
function markOf(span: Span, number: number, text: string): [number, number] | undefined {
  const chars = Array.from(text);
  const { start, end } = span;
  if (number < start.line) return undefined;
  if (end ? number > end.line : number > start.line) return undefined;
  const from = number === start.line ? start.column - 1 : firstNonBlank(chars);
  let to: number;
  if (end && number === end.line) to = end.column;
  else if (end) to = chars.length;
  else to = atomEnd(chars, from);
  return from < to ? [from, Math.min(to, chars.length)] : undefined;
}

function firstNonBlank(chars: string[]): number {
  const i = chars.findIndex((c) => c !== " " && c !== "\t");
  return i < 0 ? 0 : i;
}

/** The end of the atom starting at `from` (a string literal included). */
function atomEnd(chars: string[], from: number): number {
  if (chars[from] === '"') {
    for (let i = from + 1; i < chars.length; i++) {
      if (chars[i] === "\\") i++;
      else if (chars[i] === '"') return i + 1;
    }
    return chars.length;
  }
  let i = from;
  while (i < chars.length && !/[\s()[\]";]/.test(chars[i])) i++;
  return Math.max(i, from + 1);
}
