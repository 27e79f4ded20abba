import { readFileSync } from "node:fs";
import { UserInputError } from "../diagnostics.js";

/** Read a user's file, turning a missing or unreadable file into a one-line error. */
export function readUserFile(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "no such file"
        : code === "EISDIR"
          ? "is a directory"
          : code === "EACCES"
            ? "permission denied"
            : code;
    throw new UserInputError(`${file}: cannot read: ${why ?? String(e)}`);
  }
}
