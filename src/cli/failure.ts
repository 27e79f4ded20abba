import { UserInputError } from "../diagnostics.js";

/** Exit status for an error in the user's input or command line. */
export const INPUT_ERROR_STATUS = 2;
/** Exit status for a bug in abi-lab (EX_SOFTWARE). */
export const INTERNAL_ERROR_STATUS = 70;

/**
 * What to print, and the exit status, for an error that reached the command line: a user
 * error is its diagnostic (2); anything else is abi-lab's fault, a short apology with how to
 * report it (70), and the stack trace only with --debug.
 */
export function describeFailure(e: unknown, debug: boolean): { status: number; text: string } {
  if (e instanceof UserInputError) return { status: INPUT_ERROR_STATUS, text: e.format() + "\n" };
  const err = e instanceof Error ? e : new Error(String(e));
  return {
    status: INTERNAL_ERROR_STATUS,
    text:
      `abi-lab: internal error: ${err.message}\n` +
      `This is a bug in abi-lab, not in your program. Sorry! Please report it with the command you ran` +
      (debug ? `:\n${err.stack ?? ""}\n` : ` (add --debug for the full trace).\n`),
  };
}

let installed = false;

/**
 * Errors thrown outside the command's promise (a timer, an event handler, a rejected promise
 * nobody awaited: the stepper's keys, an observer) get the same apology and exit 70, instead
 * of Node's stack trace.
 */
export function installCrashHandlers(debug: boolean): void {
  if (installed) return;
  installed = true;
  const crash = (e: unknown) => {
    const { status, text } = describeFailure(e, debug);
    process.stderr.write(text);
    process.exit(status);
  };
  process.on("uncaughtException", crash);
  process.on("unhandledRejection", crash);
}
