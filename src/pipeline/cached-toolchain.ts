/**
 * The toolchain's two costly steps through the object cache: compiling Scheme and linking assembly
 * (which assembles it with keystone). The compiler, assembler and linker modules are imported only
 * when an entry has to be built, so a run from a warm cache never loads them or keystone.
 */
import type { CompiledProgram, CompileOptions } from "../compiler/index.js";
import type { Image, InputFile } from "../linker/index.js";
import { cached } from "./object-cache.js";

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;

/** compileScheme, cached by the source, its file name and the options. */
export function compileCached(
  source: string,
  file: string,
  options: CompileOptions,
): Promise<CompiledProgram> {
  return cached({
    kind: "compiled",
    key: [source, file, JSON.stringify(options)],
    build: async () => (await import("../compiler/index.js")).compileScheme(source, file, options),
    revive: (v) =>
      isObject(v) &&
      typeof v.assembly === "string" &&
      v.sourceMap instanceof Map &&
      v.procedures instanceof Map &&
      v.foreign instanceof Map
        ? (v as unknown as CompiledProgram)
        : undefined,
  });
}

/** linkProgram of assembly with archives, cached by the assembly, its file name and the archives. */
export function linkCached(assembly: string, file: string, archives: InputFile[]): Promise<Image> {
  return cached({
    kind: "linked",
    key: [assembly, file, ...archives.flatMap((a) => [a.path, a.bytes])],
    build: async () =>
      (await import("../linker/link.js")).linkProgram({
        programSource: assembly,
        programFile: file,
        archives,
      }),
    revive: reviveImage,
  });
}

/** A deserialized image with its byte arrays copied out of the entry's buffer. */
function reviveImage(v: unknown): Image | undefined {
  if (!isObject(v) || typeof v.entry !== "number") return undefined;
  if (!Array.isArray(v.segments) || !Array.isArray(v.symbols) || !Array.isArray(v.lines)) return undefined;
  const segments = v.segments as unknown[];
  if (!segments.every((s) => isObject(s) && s.bytes instanceof Uint8Array)) return undefined;
  const image = v as unknown as Image;
  for (const s of image.segments) s.bytes = s.bytes.slice();
  if (image.programHeaders) image.programHeaders.bytes = image.programHeaders.bytes.slice();
  return image;
}
