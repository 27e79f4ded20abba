import { formatDiagnostic, UserInputError } from "../diagnostics.js";

/**
 * An error in the user's assembly. Formatted as `FILE:LINE:COL: error: MESSAGE`, then the
 * offending line and a caret under the column.
 */
export class AssemblyError extends UserInputError {
  constructor(
    message: string,
    readonly file: string,
    /** 1-based. */
    readonly line: number,
    /** 1-based, in characters. */
    readonly column: number,
    /** The text of the offending line as written. */
    readonly sourceText: string,
  ) {
    super(message, { file, line, column }, sourceText);
    this.name = "AssemblyError";
  }

  override toString(): string {
    return formatDiagnostic(
      this.message,
      { file: this.file, line: this.line, column: this.column },
      this.sourceText,
    );
  }
}
