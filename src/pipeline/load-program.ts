import { readFileSync } from "node:fs";
import type { CompiledProgram } from "../compiler/index.js";
import { UserInputError } from "../diagnostics.js";
import { isElf } from "../linker/elf-magic.js";
import type { Image } from "../linker/index.js";
import { compileCached, linkCached } from "./cached-toolchain.js";
import { readUserFile } from "./read-user-file.js";
import { DebugInfo } from "./debug-info.js";
import { runtimeArchivePath } from "./package-root.js";

export type ProgramKind = "scheme" | "assembly" | "executable";

export interface LoadedProgram {
  file: string;
  kind: ProgramKind;
  image: Image;
  debug: DebugInfo;
  /** For Scheme: the compiler's output (assembly and source map). */
  compiled?: CompiledProgram;
  /** The assembly that was assembled (Scheme or .s). */
  assembly?: string;
}

export interface LoadOptions {
  /** Keep rsp aligned at runtime calls (false: --no-align). */
  align?: boolean;
}

let runtimeBytes: Uint8Array | undefined;

/** The committed runtime-rs archive's bytes (read once). */
export function runtimeArchiveBytes(): Uint8Array {
  return runtimeArchive();
}

function runtimeArchive(): Uint8Array {
  runtimeBytes ??= readFileSync(runtimeArchivePath());
  return runtimeBytes;
}

/**
 * Link assembly text with runtime-rs into an image (through the object cache). `guard`: the text
 * is a user's own assembly (keystone runs with a time limit).
 */
export async function linkAssembly(assembly: string, file: string, guard = false): Promise<Image> {
  const archives = [{ path: "runtime-rs/dist/libabi_runtime.a", bytes: runtimeArchive() }];
  return linkCached(assembly, file, archives, guard);
}

/** Link a compiled Scheme program (from `file`) with runtime-rs. */
export async function linkScheme(compiled: CompiledProgram, file: string): Promise<LoadedProgram> {
  const image = await linkAssembly(compiled.assembly, file.replace(/\.\w+$/, ".s"));
  return {
    file,
    kind: "scheme",
    image,
    debug: new DebugInfo(image, compiled.sourceMap),
    compiled,
    assembly: compiled.assembly,
  };
}

/**
 * Turn a user's file into a linked image: `.scm` is compiled, assembled and linked with
 * runtime-rs; `.s` is assembled and linked (alone if it defines `_start`); an ELF executable
 * is read as it is.
 */
export async function loadProgram(file: string, options: LoadOptions = {}): Promise<LoadedProgram> {
  const bytes = readUserFile(file);
  if (isElf(bytes)) {
    const { readExecutable } = await import("../linker/executable.js");
    const image = readExecutable(bytes, file);
    return { file, kind: "executable", image, debug: new DebugInfo(image) };
  }
  const text = bytes.toString("utf8");
  if (file.endsWith(".scm") || file.endsWith(".ss") || file.endsWith(".scheme")) {
    return linkScheme(await compileCached(text, file, { align: options.align ?? true }), file);
  }
  if (file.endsWith(".s") || file.endsWith(".S") || file.endsWith(".asm")) {
    const image = await linkAssembly(text, file, true);
    return { file, kind: "assembly", image, debug: new DebugInfo(image), assembly: text };
  }
  throw new UserInputError(`${file}: not a Scheme file (.scm), an assembly file (.s) or an ELF executable`);
}
