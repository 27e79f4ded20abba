import { compileScheme, type CompiledProgram, type CompileOptions } from "../compiler/index.js";
import { readUserFile } from "./read-user-file.js";

export function compileFile(file: string, options: CompileOptions = {}): CompiledProgram {
  const source = readUserFile(file).toString("utf8");
  return compileScheme(source, file, options);
}
