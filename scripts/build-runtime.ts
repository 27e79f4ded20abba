/**
 * Builds runtime-rs into the committed artifact.
 *
 *   npm run build:runtime      (node --import tsx scripts/build-runtime.ts)
 *
 * 1. regenerates runtime-rs/src/layout.rs from src/values/layout.ts;
 * 2. runs `cargo rustc --release` with the flags below and `--emit obj=...`: with LTO, rustc
 *    emits one relocatable object holding our code and the parts of `core` it uses, without
 *    compiler_builtins (memcpy & co. are our own), so it is small;
 * 3. wraps that object in a deterministic ar archive, runtime-rs/dist/libabi_runtime.a
 *    (written here, byte by byte: zero timestamps, uid, gid, mode 644, GNU symbol table);
 * 4. writes runtime-rs/dist/build-info.json (rustc version, flags, sha256, members, exported
 *    symbols) and runtime-rs/dist/signatures.json (every `#[no_mangle] pub extern "C" fn`).
 *
 * `--remap-path-prefix` maps the crate's absolute path to `runtime-rs`, so the artifact does
 * not depend on where the repository is checked out: the same rustc builds the same bytes,
 * which tests/runtime/artifact.test.ts checks.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { generateLayoutRs, LAYOUT_RS } from "./gen-layout-rs.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const CRATE_DIR = join(ROOT, "runtime-rs");
export const DIST_DIR = join(CRATE_DIR, "dist");
export const ARCHIVE_NAME = "libabi_runtime.a";
export const MEMBER_NAME = "abi_runtime.o";
export const TARGET = "x86_64-unknown-linux-gnu";

/** Code generation flags (besides the release profile in Cargo.toml). */
export const CODEGEN_FLAGS = [
  // Absolute addresses where that is shorter; fewer GOT relocations for the linker.
  "-C",
  "relocation-model=static",
  // Plain x86-64: SSE2 at most, no AVX, like the emulator's CPUID.
  "-C",
  "target-cpu=x86-64",
  // rbp chains through runtime frames too, for backtraces in the emulator.
  "-C",
  "force-frame-pointers=yes",
];

export interface Signature {
  name: string;
  params: { name: string; type: string }[];
  /** Return type as written (`Value`, `!`, `*const u8`...); empty when there is none. */
  returns: string;
}

export interface BuildInfo {
  crate: string;
  rustc: string;
  target: string;
  rustflags: string[];
  archive: string;
  size: number;
  sha256: string;
  members: { name: string; size: number; sha256: string }[];
  exports: string[];
}

function sha256(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

function run(
  cmd: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; quiet?: boolean },
) {
  const r = spawnSync(cmd, args, {
    cwd: options.cwd,
    env: options.env,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}):\n${r.stderr}`);
  if (!options.quiet && r.stderr) process.stderr.write(r.stderr);
  return r.stdout;
}

/** `rustc --version`, or undefined when rustc is not on PATH. */
export function rustcVersion(): string | undefined {
  const r = spawnSync("rustc", ["--version"], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** Is `cargo` on PATH? */
export function haveCargo(): boolean {
  return spawnSync("cargo", ["--version"], { encoding: "utf8" }).status === 0;
}

// Signatures.

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (const c of text) {
    if ("<([".includes(c)) depth++;
    if (">)]".includes(c) && !(c === ">" && current.endsWith("-"))) depth--;
    if (c === "," && depth === 0) {
      parts.push(current);
      current = "";
    } else current += c;
  }
  if (current.trim() !== "") parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p !== "");
}

const FN_LINE = /^\s*pub\s+(?:unsafe\s+)?extern\s+"C"\s+fn\s+(\w+)\s*\((.*)\)\s*(?:->\s*(.+?))?\s*(?:\{.*)?$/;

/** Every `#[no_mangle] pub extern "C" fn` in one Rust source text (signatures on one line). */
export function extractSignaturesFromSource(source: string, file = "<source>"): Signature[] {
  const out: Signature[] = [];
  let noMangle = false;
  source.split("\n").forEach((line, index) => {
    const t = line.trim();
    if (t === "#[no_mangle]") {
      noMangle = true;
      return;
    }
    if (t.startsWith("#[") || t.startsWith("//") || t === "") return;
    if (noMangle) {
      const m = FN_LINE.exec(line);
      if (!m) throw new Error(`${file}:${index + 1}: #[no_mangle] item is not a one-line pub extern "C" fn`);
      const params = splitTopLevel(m[2]).map((p) => {
        const colon = p.indexOf(":");
        if (colon < 0) throw new Error(`${file}:${index + 1}: cannot parse parameter ${p}`);
        return {
          name: p
            .slice(0, colon)
            .replace(/^mut\s+/, "")
            .trim(),
          type: p
            .slice(colon + 1)
            .replace(/\s+/g, " ")
            .trim(),
        };
      });
      out.push({ name: m[1], params, returns: (m[3] ?? "").replace(/\s+/g, " ").trim() });
    }
    noMangle = false;
  });
  return out;
}

/** The signatures of every exported function of runtime-rs/src, sorted by name. */
export function extractSignatures(srcDir = join(CRATE_DIR, "src")): Signature[] {
  const all: Signature[] = [];
  for (const f of readdirSync(srcDir).sort()) {
    if (!f.endsWith(".rs")) continue;
    all.push(...extractSignaturesFromSource(readFileSync(join(srcDir, f), "utf8"), `runtime-rs/src/${f}`));
  }
  return all.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

// ELF objects and ar archives (just enough to list symbols and write an archive).

/** Names of the global or weak symbols an ELF64 little-endian relocatable object defines. */
export function elfDefinedGlobals(obj: Uint8Array): string[] {
  const b = Buffer.from(obj.buffer, obj.byteOffset, obj.byteLength);
  if (b.readUInt32BE(0) !== 0x7f454c46 || b[4] !== 2 || b[5] !== 1) throw new Error("not an ELF64 LE object");
  const shoff = Number(b.readBigUInt64LE(0x28));
  const shentsize = b.readUInt16LE(0x3a);
  const shnum = b.readUInt16LE(0x3c);
  const section = (i: number) => {
    const at = shoff + i * shentsize;
    return {
      type: b.readUInt32LE(at + 4),
      offset: Number(b.readBigUInt64LE(at + 0x18)),
      size: Number(b.readBigUInt64LE(at + 0x20)),
      link: b.readUInt32LE(at + 0x28),
      entsize: Number(b.readBigUInt64LE(at + 0x38)),
    };
  };
  const names: string[] = [];
  for (let i = 0; i < shnum; i++) {
    const s = section(i);
    if (s.type !== 2) continue; // SHT_SYMTAB
    const strtab = section(s.link);
    for (let at = s.offset + s.entsize; at < s.offset + s.size; at += s.entsize) {
      const nameOffset = b.readUInt32LE(at);
      const info = b[at + 4];
      const shndx = b.readUInt16LE(at + 6);
      const bind = info >> 4;
      if ((bind === 1 || bind === 2) && shndx !== 0) {
        const start = strtab.offset + nameOffset;
        names.push(b.toString("latin1", start, b.indexOf(0, start)));
      }
    }
  }
  return names.sort();
}

/** The members of an ar archive (regular members only, GNU long names resolved). */
export function readArchive(archive: Uint8Array): { name: string; data: Uint8Array }[] {
  const b = Buffer.from(archive.buffer, archive.byteOffset, archive.byteLength);
  if (b.toString("latin1", 0, 8) !== "!<arch>\n") throw new Error("not an ar archive");
  const members: { name: string; data: Uint8Array }[] = [];
  let longNames = "";
  let at = 8;
  while (at + 60 <= b.length) {
    const rawName = b.toString("latin1", at, at + 16).trimEnd();
    const size = parseInt(b.toString("latin1", at + 48, at + 58).trim(), 10);
    const data = b.subarray(at + 60, at + 60 + size);
    if (rawName === "//") longNames = data.toString("latin1");
    else if (rawName !== "/" && rawName !== "/SYM64/") {
      let name = rawName;
      if (/^\/\d+$/.test(rawName)) {
        const start = parseInt(rawName.slice(1), 10);
        name = longNames.slice(start, longNames.indexOf("/\n", start));
      } else if (name.endsWith("/")) name = name.slice(0, -1);
      members.push({ name, data: new Uint8Array(data) });
    }
    at += 60 + size + (size % 2);
  }
  return members;
}

function arHeader(name: string, size: number): Buffer {
  const field = (s: string, n: number) => {
    if (s.length > n) throw new Error(`ar header field too long: ${s}`);
    return s.padEnd(n, " ");
  };
  const text = field(name, 16) + field("0", 12) + field("0", 6) + field("0", 6) + field("644", 8);
  return Buffer.from(text + field(String(size), 10) + "`\n", "latin1");
}

/**
 * A deterministic System V / GNU ar archive of one object, with the symbol table ("/")
 * that linkers use to find which member defines a symbol.
 */
export function writeArchive(memberName: string, obj: Uint8Array): Buffer {
  const symbols = elfDefinedGlobals(obj);
  const names = Buffer.from(symbols.map((s) => s + "\0").join(""), "latin1");
  const tableSize = 4 + 4 * symbols.length + names.length;
  const memberOffset = 8 + 60 + tableSize + (tableSize % 2);
  const table = Buffer.alloc(tableSize);
  table.writeUInt32BE(symbols.length, 0);
  symbols.forEach((_, i) => table.writeUInt32BE(memberOffset, 4 + 4 * i));
  names.copy(table, 4 + 4 * symbols.length);
  const parts: Buffer[] = [Buffer.from("!<arch>\n", "latin1"), arHeader("/", tableSize), table];
  if (tableSize % 2) parts.push(Buffer.from("\n"));
  parts.push(arHeader(`${memberName}/`, obj.length), Buffer.from(obj));
  if (obj.length % 2) parts.push(Buffer.from("\n"));
  return Buffer.concat(parts);
}

// The build.

export interface BuildOptions {
  /** Cargo's target directory (default runtime-rs/target). */
  targetDir?: string;
  /** Where to write the archive (default runtime-rs/dist). */
  outDir?: string;
  /** Don't echo cargo's output. */
  quiet?: boolean;
}

export interface BuildResult {
  archivePath: string;
  archive: Buffer;
  object: Buffer;
  info: BuildInfo;
}

/** Cargo's RUSTFLAGS for a crate at `crateDir`. */
export function rustflags(crateDir = CRATE_DIR): string[] {
  const dirs = new Set([crateDir, realpathSync(crateDir)]);
  return [...CODEGEN_FLAGS, ...[...dirs].map((d) => `--remap-path-prefix=${d}=runtime-rs`)];
}

/** Compiles runtime-rs and writes `libabi_runtime.a` into `outDir`. */
export function buildRuntime(options: BuildOptions = {}): BuildResult {
  const targetDir = options.targetDir ?? join(CRATE_DIR, "target");
  const outDir = options.outDir ?? DIST_DIR;
  const objDir = join(targetDir, "abi-lab");
  const objPath = join(objDir, MEMBER_NAME);
  mkdirSync(objDir, { recursive: true });
  rmSync(objPath, { force: true });

  const flags = rustflags();
  const env: NodeJS.ProcessEnv = { ...process.env, RUSTFLAGS: flags.join(" "), CARGO_INCREMENTAL: "0" };
  for (const k of ["CARGO_ENCODED_RUSTFLAGS", "CARGO_BUILD_RUSTFLAGS", "RUSTC_WRAPPER", "CARGO_BUILD_TARGET"])
    delete env[k];
  const common = ["--manifest-path", join(CRATE_DIR, "Cargo.toml"), "--target-dir", targetDir];
  const target = ["--release", "--target", TARGET];
  // Cargo would skip rustc (and so not write the object) if it thinks the crate is fresh.
  run("cargo", ["clean", "--offline", "-p", "abi-runtime", ...target, ...common], { env, quiet: true });
  run("cargo", ["rustc", "--offline", "--lib", ...target, ...common, "--", `--emit=obj=${objPath}`], {
    cwd: CRATE_DIR,
    env,
    quiet: options.quiet,
  });

  const object = readFileSync(objPath);
  const archive = writeArchive(MEMBER_NAME, object);
  mkdirSync(outDir, { recursive: true });
  const archivePath = join(outDir, ARCHIVE_NAME);
  writeFileSync(archivePath, archive);

  const version = /^version\s*=\s*"(.*)"/m.exec(readFileSync(join(CRATE_DIR, "Cargo.toml"), "utf8"))?.[1];
  const info: BuildInfo = {
    crate: `abi-runtime ${version ?? "?"}`,
    rustc: rustcVersion() ?? "unknown",
    target: TARGET,
    rustflags: [...CODEGEN_FLAGS, "--remap-path-prefix=<crate dir>=runtime-rs"],
    archive: ARCHIVE_NAME,
    size: archive.length,
    sha256: sha256(archive),
    members: [{ name: MEMBER_NAME, size: object.length, sha256: sha256(object) }],
    exports: elfDefinedGlobals(object),
  };
  return { archivePath, archive, object, info };
}

export function json(value: unknown): string {
  return JSON.stringify(value, null, 2) + "\n";
}

function main(): void {
  writeFileSync(LAYOUT_RS, generateLayoutRs());
  console.log(`wrote ${LAYOUT_RS}`);
  const { archivePath, info } = buildRuntime();
  writeFileSync(join(DIST_DIR, "build-info.json"), json(info));
  writeFileSync(join(DIST_DIR, "signatures.json"), json(extractSignatures()));
  console.log(`wrote ${archivePath} (${info.size} bytes, sha256 ${info.sha256})`);
  console.log(`exports: ${info.exports.join(" ")}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    main();
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  }
}
