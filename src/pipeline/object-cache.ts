/**
 * A cache on disk of the toolchain's outputs (compiled Scheme, linked images), so that running a
 * program again skips the compiler, keystone and the linker. An entry is keyed by a SHA-256 of
 * everything its output depends on: the inputs the caller names, the code of the toolchain (the
 * compiler, assembler and linker modules and keystone-wasm's version), the V8 version (entries are
 * V8-serialized) and a format number.
 *
 * Entries live in $ABI_LAB_CACHE_DIR, else $XDG_CACHE_HOME/abi-lab, else ~/.cache/abi-lab.
 * ABI_LAB_NO_CACHE=1 (or `--no-cache`) bypasses the cache. Each entry is written to a temporary file
 * and renamed into place (concurrent runs see a whole entry or none) and carries a SHA-256 of its
 * contents: an entry that is truncated, corrupt or unreadable is ignored and rebuilt. The cache is
 * only ever an optimisation: any failure to read or write it falls back to doing the work.
 */
import { createHash, randomBytes } from "node:crypto";
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { deserialize, serialize } from "node:v8";

/** Bumped when the layout of entries changes. */
const FORMAT = "abi-lab cache 1";
const MAGIC = Buffer.from("ABILABC1");
const HASH_BYTES = 32;
/** Entries per kind kept at most; the oldest quarter is removed beyond that. */
export const MAX_ENTRIES = 2000;

let disabled = false;

/** Turn the cache off for this process (`--no-cache`). */
export function disableCache(): void {
  disabled = true;
}

export function cacheEnabled(): boolean {
  const env = process.env.ABI_LAB_NO_CACHE;
  return !disabled && (env === undefined || env === "" || env === "0");
}

/** Where entries live. */
export function cacheDirectory(): string {
  const env = process.env;
  if (env.ABI_LAB_CACHE_DIR) return env.ABI_LAB_CACHE_DIR;
  return join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "abi-lab");
}

/** Folders (relative to the source root) and files whose code decides what the toolchain outputs. */
const TOOLCHAIN_DIRS = ["compiler", "assembler", "linker", "values"];
const TOOLCHAIN_FILES = ["emulator/types", "diagnostics"];

let fingerprint: string | undefined;

/** A hash of the toolchain's code (the .js files when built, the .ts files under tsx). */
export function toolchainFingerprint(): string {
  if (fingerprint !== undefined) return fingerprint;
  const root = dirname(dirname(fileURLToPath(import.meta.url)));
  const ext = fileURLToPath(import.meta.url).endsWith(".ts") ? ".ts" : ".js";
  const hash = createHash("sha256").update(FORMAT).update(process.versions.v8);
  const add = (path: string, name: string) => {
    hash.update(name).update("\0").update(readFileSync(path)).update("\0");
  };
  for (const dir of TOOLCHAIN_DIRS)
    for (const name of readdirSync(join(root, dir)).sort())
      if (name.endsWith(ext) && !name.endsWith(".d.ts")) add(join(root, dir, name), `${dir}/${name}`);
  for (const file of TOOLCHAIN_FILES) add(join(root, file + ext), file);
  add(fileURLToPath(new URL("../package.json", import.meta.resolve("keystone-wasm"))), "keystone-wasm");
  fingerprint = hash.digest("hex");
  return fingerprint;
}

/** The key of an entry: the toolchain's fingerprint and the caller's parts, each length-prefixed. */
export function cacheKey(kind: string, parts: readonly (string | Uint8Array)[]): string {
  const hash = createHash("sha256").update(toolchainFingerprint()).update(kind);
  for (const part of parts) {
    const bytes = typeof part === "string" ? Buffer.from(part, "utf8") : part;
    hash.update(`\0${typeof part === "string" ? "s" : "b"}${bytes.length}\0`).update(bytes);
  }
  return hash.digest("hex");
}

const entryPath = (kind: string, key: string) => join(cacheDirectory(), kind, `${key}.bin`);

/** The payload of an entry, or undefined if it is missing or damaged. */
export function readEntry(kind: string, key: string): Uint8Array | undefined {
  let file: Buffer;
  try {
    file = readFileSync(entryPath(kind, key));
  } catch {
    return undefined;
  }
  const head = MAGIC.length + HASH_BYTES;
  if (file.length < head || !file.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const payload = file.subarray(head);
  const sum = createHash("sha256").update(payload).digest();
  return sum.equals(file.subarray(MAGIC.length, head)) ? payload : undefined;
}

/** Store an entry (atomically: a temporary file renamed into place). Failures are ignored. */
export function writeEntry(kind: string, key: string, payload: Uint8Array): void {
  const path = entryPath(kind, key);
  const temp = `${path}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    const sum = createHash("sha256").update(payload).digest();
    writeFileSync(temp, Buffer.concat([MAGIC, sum, payload]));
    renameSync(temp, path);
    prune(dirname(path));
  } catch {
    try {
      unlinkSync(temp);
    } catch {
      // nothing was written
    }
  }
}

/** Keep a kind's folder under MAX_ENTRIES entries, removing the oldest. */
function prune(dir: string): void {
  const names = readdirSync(dir);
  if (names.length <= MAX_ENTRIES) return;
  const aged: { path: string; time: number }[] = [];
  for (const name of names) {
    const path = join(dir, name);
    try {
      aged.push({ path, time: statSync(path).mtimeMs });
    } catch {
      // removed meanwhile by another run
    }
  }
  aged.sort((a, b) => a.time - b.time);
  for (const { path } of aged.slice(0, aged.length - Math.floor((MAX_ENTRIES * 3) / 4)))
    try {
      unlinkSync(path);
    } catch {
      // removed meanwhile by another run
    }
}

export interface CachedWork<T> {
  /** The folder of this kind of entry. */
  kind: string;
  /** Everything the output depends on besides the toolchain's code. */
  key: readonly (string | Uint8Array)[];
  build: () => T | Promise<T>;
  /**
   * The output from a deserialized entry, or undefined if it has not the expected shape (a
   * safeguard: the key already says it has). Typed arrays in it are views of the entry's buffer.
   */
  revive: (value: unknown) => T | undefined;
}

/** The cached output of `build` for this key, building (and storing) it when there is none. */
export async function cached<T>(work: CachedWork<T>): Promise<T> {
  if (!cacheEnabled()) return work.build();
  let key: string | undefined;
  try {
    key = cacheKey(work.kind, work.key);
    const payload = readEntry(work.kind, key);
    if (payload !== undefined) {
      const value = work.revive(deserialize(payload));
      if (value !== undefined) return value;
    }
  } catch {
    // an unreadable entry is rebuilt
  }
  const value = await work.build();
  if (key !== undefined) writeEntry(work.kind, key, serialize(value));
  return value;
}
