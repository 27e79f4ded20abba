/**
 * The toolchain's two costly steps through the object cache: compiling Scheme and linking assembly
 * (which assembles it with keystone). The compiler, assembler and linker modules are imported only
 * when an entry has to be built, so a run from a warm cache never loads them or keystone.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { cached } from "../cache/object-cache.js";
import type { CompiledProgram, CompileOptions } from "../compiler/index.js";
import type { Image, InputFile } from "../linker/index.js";

/** Folders (relative to the source root) and files whose code decides what the toolchain outputs. */
const TOOLCHAIN_DIRS = ["compiler", "assembler", "linker", "values"];
const TOOLCHAIN_FILES = ["emulator/types", "diagnostics", "pipeline/cached-toolchain"];

let fingerprint: string | undefined;

/**
 * A hash of the toolchain's code and keystone-wasm's package.json. The code is known by file sizes
 * and modification times (reading it all would cost more than a warm run's other cache work): of
 * the CLI bundle when running from it (it holds all the code), else of the toolchain's .js files
 * (built) or .ts files (under tsx).
 */
export function toolchainFingerprint(): string {
  if (fingerprint !== undefined) return fingerprint;
  const here = fileURLToPath(import.meta.url);
  const hash = createHash("sha256");
  const add = (path: string, name: string) => {
    const s = statSync(path);
    hash.update(`${name}\0${s.size}\0${s.mtimeMs}\0`);
  };
  // In the CLI bundle (scripts/bundle.mjs), __filename is the bundle's; in ES modules it is undefined.
  if (typeof __filename === "string" && __filename.endsWith(".cjs")) add(__filename, "bundle");
  else {
    const root = dirname(dirname(here));
    const ext = here.endsWith(".ts") ? ".ts" : ".js";
    for (const dir of TOOLCHAIN_DIRS)
      for (const name of readdirSync(join(root, dir)).sort())
        if (name.endsWith(ext) && !name.endsWith(".d.ts")) add(join(root, dir, name), `${dir}/${name}`);
    for (const file of TOOLCHAIN_FILES) add(join(root, file + ext), file);
  }
  hash.update(keystonePackageJson(dirname(here)));
  fingerprint = hash.digest("hex");
  return fingerprint;
}

/**
 * keystone-wasm's package.json, looked for in node_modules from `dir` up as Node's resolution
 * does (require.resolve costs a warm run a few ms more), else where require.resolve finds it.
 */
function keystonePackageJson(dir: string): Buffer {
  for (let d = dir; ; d = dirname(d)) {
    if (basename(d) !== "node_modules")
      try {
        return readFileSync(join(d, "node_modules", "keystone-wasm", "package.json"));
      } catch {
        // not in this folder's node_modules
      }
    if (dirname(d) === d) break;
  }
  // The package's entry (CommonJS or ES module) is in its dist/.
  const keystone = createRequire(import.meta.url).resolve("keystone-wasm");
  return readFileSync(join(dirname(keystone), "..", "package.json"));
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;

/** compileScheme, cached by the source, its file name and the options. */
export function compileCached(
  source: string,
  file: string,
  options: CompileOptions,
): Promise<CompiledProgram> {
  return cached({
    kind: "compiled",
    key: () => [toolchainFingerprint(), source, file, JSON.stringify(options)],
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
export function linkCached(
  assembly: string,
  file: string,
  archives: InputFile[],
  guard = false,
): Promise<Image> {
  return cached({
    kind: "linked",
    key: () => [toolchainFingerprint(), assembly, file, ...archives.flatMap((a) => [a.path, a.bytes])],
    build: async () =>
      (await import("../linker/link.js")).linkProgram({
        programSource: assembly,
        programFile: file,
        archives,
        guard,
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
