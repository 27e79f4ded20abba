import type { SourceLocation } from "../diagnostics.js";

/** Where an instruction came from: the Scheme expression being compiled. */
export interface SourceSpan {
  start: SourceLocation;
  /** Position of the closing parenthesis, for lists. */
  end?: SourceLocation;
  /** The expression, briefly (for the stepper and comments). */
  text: string;
}

/** One line of generated assembly and the Scheme span it implements (if any). */
export interface AsmLine {
  text: string;
  span?: SourceSpan;
}

const INDENT = "    ";
const COMMENT_COLUMN = 36;

/** Builds readable assembly text, remembering for every instruction the Scheme expression it implements. */
export class AsmWriter {
  readonly lines: AsmLine[] = [];
  span: SourceSpan | undefined;

  ins(text: string, comment?: string): void {
    let line = INDENT + text;
    if (comment) line = line.padEnd(COMMENT_COLUMN) + " # " + comment;
    this.lines.push({ text: line, span: this.span });
  }

  label(name: string, comment?: string): void {
    this.lines.push({
      text: comment ? `${name}:`.padEnd(COMMENT_COLUMN + INDENT.length) + "# " + comment : `${name}:`,
    });
  }

  comment(text: string): void {
    this.lines.push({ text: `${INDENT}# ${text}` });
  }

  directive(text: string): void {
    this.lines.push({ text: INDENT + text });
  }

  raw(text: string): void {
    this.lines.push({ text });
  }

  blank(): void {
    this.lines.push({ text: "" });
  }

  append(other: AsmWriter): void {
    this.lines.push(...other.lines);
  }
}
