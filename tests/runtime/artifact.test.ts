/**
 * The committed runtime-rs artifact is what the committed source builds to: its exports match
 * build-info.json, signatures.json matches the source, only `scheme_entry` is undefined, and,
 * when the recorded rustc is on PATH, a rebuild gives the same bytes.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import {
  ARCHIVE_NAME,
  buildRuntime,
  type BuildInfo,
  DIST_DIR,
  elfDefinedGlobals,
  extractSignatures,
  extractSignaturesFromSource,
  haveCargo,
  readArchive,
  rustcVersion,
  type Signature,
} from "../../scripts/build-runtime.js";
import { tempDir } from "./native-support.js";

const archivePath = join(DIST_DIR, ARCHIVE_NAME);
const archive = readFileSync(archivePath);
const info = JSON.parse(readFileSync(join(DIST_DIR, "build-info.json"), "utf8")) as BuildInfo;
const signatures = JSON.parse(readFileSync(join(DIST_DIR, "signatures.json"), "utf8")) as Signature[];

const sha256 = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");

/** `nm` output for the archive, or undefined when nm is missing. */
function nm(args: string[]): string | undefined {
  const r = spawnSync("nm", [...args, archivePath], { encoding: "utf8" });
  return r.status === 0 ? r.stdout : undefined;
}

function nmSymbols(output: string): string[] {
  return output
    .split("\n")
    .map((line) => /^(?:[0-9a-f]+)?\s+([A-Za-z])\s+(\S+)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => m[2])
    .sort();
}

void test("build-info.json describes the committed archive", () => {
  assert.equal(info.archive, ARCHIVE_NAME);
  assert.equal(info.size, archive.length);
  assert.equal(info.sha256, sha256(archive), "build-info.json's sha256 is not the archive's: rebuild");
  const members = readArchive(archive);
  assert.deepEqual(
    members.map((m) => ({ name: m.name, size: m.data.length, sha256: sha256(m.data) })),
    info.members,
  );
  assert.equal(members.length, 1, "one relocatable object");
  assert.deepEqual(elfDefinedGlobals(members[0].data), info.exports);
});

void test("exports in build-info.json are the global symbols the archive defines (nm)", (t) => {
  const defined = nm(["--defined-only", "-g"]);
  if (defined === undefined) {
    t.skip("nm is not available (install binutils); the ELF reader check above still ran");
    return;
  }
  assert.deepEqual(nmSymbols(defined), [...info.exports].sort());
});

void test("the only undefined symbol is scheme_entry", (t) => {
  const undefinedSymbols = nm(["-u"]);
  if (undefinedSymbols === undefined) {
    t.skip("nm is not available (install binutils)");
    return;
  }
  assert.deepEqual(nmSymbols(undefinedSymbols), ["scheme_entry"]);
});

void test("signatures.json is what the extractor reads from the current source", () => {
  assert.deepEqual(signatures, extractSignatures(), "signatures.json is stale: npm run build:runtime");
  const exported = new Set(info.exports);
  for (const s of signatures)
    assert.ok(exported.has(s.name), `${s.name} has a signature but is not exported`);
  for (const name of info.exports) {
    if (name === "_start") continue;
    assert.ok(
      signatures.some((s) => s.name === name),
      `${name} is exported but has no signature`,
    );
  }
});

void test("the runtime's functions have the C signatures the compiler relies on", () => {
  const show = (s: Signature) =>
    `${s.name}(${s.params.map((p) => `${p.name}: ${p.type}`).join(", ")}) -> ${s.returns}`;
  const byName = new Map(signatures.map((s) => [s.name, show(s)]));
  const expected = [
    "writeln(data: Value, port: Value) -> Value",
    "rt_display(v: Value, port: Value) -> Value",
    "rt_write(v: Value, port: Value) -> Value",
    "rt_newline(port: Value) -> Value",
    "rt_write_char(c: Value, port: Value) -> Value",
    "rt_open_output_file(path: Value) -> Value",
    "rt_open_input_file(path: Value) -> Value",
    "rt_close_port(port: Value) -> Value",
    "rt_read_char(port: Value) -> Value",
    "rt_peek_char(port: Value) -> Value",
    "rt_flush_output_port(port: Value) -> Value",
    "rt_current_output_port() -> Value",
    "rt_current_input_port() -> Value",
    "rt_current_error_port() -> Value",
    "rt_exit(code: Value) -> !",
    "rt_type_error(who: *const u8, expected: *const u8, value: Value) -> !",
    "rt_error(who: Value, message: Value, irritants: Value) -> !",
    "rt_arity_error(who: Value, expected: Value, got: Value) -> !",
    "rt_not_procedure(value: Value) -> !",
    "rt_heap_exhausted() -> !",
    "rt_string_to_symbol(s: Value) -> Value",
    "rt_symbol_to_string(sym: Value) -> Value",
    "rt_string_append(a: Value, b: Value) -> Value",
    "rt_equal(a: Value, b: Value) -> Value",
    "rt_make_string(k: Value, c: Value) -> Value",
    "rt_substring(s: Value, start: Value, end: Value) -> Value",
    "rt_write_bytes(fd: i32, buf: *const u8, len: usize) -> isize",
    "rt_add_i64(a: i64, b: i64) -> i64",
    "rt_string_length_utf8(buf: *const u8, len: usize) -> usize",
    "rt_char_upcase(c: u32) -> u32",
    "rt_string_to_utf8(s: Value, out_len: *mut usize) -> *const u8",
  ];
  for (const e of expected) assert.equal(byName.get(e.slice(0, e.indexOf("("))), e);
});

void test("the extractor reads one-line signatures and refuses others", () => {
  const source = [
    "#[no_mangle]",
    'pub extern "C" fn f(a: Value, mut b: *const u8) -> ! {',
    "}",
    "#[no_mangle]",
    'pub unsafe extern "C" fn g() {}',
    'pub extern "C" fn not_exported(x: i64) -> i64 {',
  ].join("\n");
  assert.deepEqual(extractSignaturesFromSource(source), [
    {
      name: "f",
      params: [
        { name: "a", type: "Value" },
        { name: "b", type: "*const u8" },
      ],
      returns: "!",
    },
    { name: "g", params: [], returns: "" },
  ]);
  assert.throws(
    () => extractSignaturesFromSource('#[no_mangle]\npub extern "C" fn h(\n    a: Value,\n) {}'),
    /one-line/,
  );
});

void test(
  "rebuilding the committed source gives the committed bytes (same rustc only)",
  { timeout: 15 * 60_000 },
  (t) => {
    const version = rustcVersion();
    if (version === undefined || !haveCargo()) {
      t.skip("cargo/rustc are not on PATH: cannot rebuild runtime-rs");
      return;
    }
    if (version !== info.rustc) {
      t.skip(`the artifact was built by ${info.rustc}, this machine has ${version}: bytes may differ`);
      return;
    }
    const { dir, cleanup } = tempDir("abi-lab-rebuild-");
    try {
      const result = buildRuntime({ targetDir: join(dir, "target"), outDir: join(dir, "dist"), quiet: true });
      assert.equal(result.info.sha256, info.sha256, "the committed archive is not what the source builds to");
      assert.deepEqual(result.info.exports, info.exports);
      assert.ok(archive.equals(result.archive));
    } finally {
      cleanup();
    }
  },
);
