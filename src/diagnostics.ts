/**
 * Errors in the user's input (Scheme, assembly, ELF, arguments). They are shown as
 * `FILE:LINE:COL: error: message`, the offending line and a caret, never a stack trace.
 */

export interface SourceLocation {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based, in characters. */
  column: number;
}

export class UserInputError extends Error {
  constructor(
    message: string,
    readonly location?: SourceLocation,
    /** The text of the offending line, if known. */
    readonly sourceLine?: string,
  ) {
    super(message);
    this.name = "UserInputError";
  }

  format(): string {
    return formatDiagnostic(this.message, this.location, this.sourceLine);
  }
}

export function formatDiagnostic(message: string, location?: SourceLocation, sourceLine?: string): string {
  if (!location) return `error: ${message}`;
  const head = `${location.file}:${location.line}:${location.column}: error: ${message}`;
  if (sourceLine === undefined) return head;
  const line = sourceLine.replace(/\t/g, " ");
  const caret = " ".repeat(Math.max(0, location.column - 1)) + "^";
  return `${head}\n  ${line}\n  ${caret}`;
}

/** The text of a 1-based line of a source text. */
export function lineOf(source: string, line: number): string | undefined {
  const lines = source.split(/\r?\n/);
  return lines[line - 1];
}
