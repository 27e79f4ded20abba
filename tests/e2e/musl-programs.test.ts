/**
 * Real static Linux programs: every C program in tests/programs/c is built with
 * `musl-gcc -O2 -static`, run natively and with `abi-lab run` (arguments after `--`, `--env K=V`
 * pairs, stdin piped), and both runs must agree exactly: stdout, stderr, exit status, and the files
 * the program wrote (the native run's working directory against the sandbox).
 *
 * .ci/run installs musl-tools; without musl-gcc this test fails rather than skips.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import iced from "iced-x86";
import { buildOp } from "../../src/emulator/instructions/table.js";
import { decodedFromIced } from "../../src/emulator/iced-decoder.js";
import { unsupported } from "../../src/emulator/instructions/def.js";
import { readExecutable } from "../../src/linker/index.js";
import { DOC, parseDocCodes } from "../emulator/coverage.js";

const { Code, Decoder, DecoderOptions } = iced;

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const SOURCES = join(ROOT, "tests/programs/c");
const CLI = join(ROOT, "bin/abi-lab.js");

/** How each program is run (default: no arguments, only the --env pairs below, empty stdin). */
interface Invocation {
  args?: string[];
  env?: Record<string, string>;
  stdin?: string;
}
const INVOCATIONS: Record<string, Invocation> = {
  "args-env-stdin": {
    args: ["7", "two words", "", "ünïcödé"],
    env: { GREETING: "hello, world", EMPTY: "" },
    stdin:
      "  a first line, with spaces  \n5\n10 -20 30\n40 50\ntrailing words after the numbers\nand a last line without newline",
  },
  "file-io": { args: ["results"] },
  "stdio-format": { env: { LANG: "C" } },
};

const programs = readdirSync(SOURCES)
  .filter((f) => f.endsWith(".c"))
  .map((f) => basename(f, ".c"))
  .sort();

interface Run {
  status: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

function run(
  file: string,
  args: string[],
  env: Record<string, string>,
  cwd: string,
  stdin: string,
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd, env, stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (status, signal) =>
      resolve({
        status,
        signal,
        stdout: Buffer.concat(out).toString("latin1"),
        stderr: Buffer.concat(err).toString("latin1"),
      }),
    );
    child.stdin.on("error", () => {}); // a program that exits without reading all of its input
    child.stdin.end(stdin);
  });
}

/** Every regular file under dir, relative path → contents. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        files[relative(dir, p) + "/"] = "(directory)";
        walk(p);
      } else files[relative(dir, p)] = readFileSync(p).toString("latin1");
    }
  };
  walk(dir);
  return files;
}

const work = mkdtempSync(join(tmpdir(), "abi-lab-musl-"));
after(() => rmSync(work, { recursive: true, force: true }));

void test("musl-gcc is installed (.ci/run installs musl-tools)", () => {
  const r = spawnSync("musl-gcc", ["--version"], { encoding: "utf8" });
  assert.equal(r.status, 0, "musl-gcc not found: install musl-tools (apt-get install musl-tools)");
});

void test("there are at least 8 C programs, and abi-lab is built", () => {
  assert.ok(programs.length >= 8, `only ${programs.length} programs in ${SOURCES}`);
  assert.ok(existsSync(join(ROOT, "dist/src/cli/main.js")), "run npm run build first");
});

/** Each program built once (in parallel), for the runs and the instruction check. */
const built = new Map<string, Promise<string>>();
function buildAll(): void {
  if (built.size > 0) return;
  for (const p of programs) {
    built.set(
      p,
      new Promise((resolve, reject) => {
        const exe = join(work, p);
        const cc = spawn("musl-gcc", ["-O2", "-static", "-o", exe, join(SOURCES, `${p}.c`)], {
          stdio: ["ignore", "ignore", "pipe"],
        });
        let err = "";
        cc.stderr.on("data", (b: Buffer) => (err += b.toString()));
        cc.on("error", reject);
        cc.on("close", (status) =>
          status === 0 ? resolve(exe) : reject(new Error(`musl-gcc ${p}.c failed:\n${err}`)),
        );
      }),
    );
  }
}

void describe("musl -O2 -static programs run in abi-lab exactly as natively", { concurrency: 2 }, () => {
  before(buildAll);

  for (const p of programs) {
    void test(p, { timeout: 60_000 }, async () => {
      const exe = await built.get(p)!;
      const { args = [], env = {}, stdin = "" } = INVOCATIONS[p] ?? {};
      const nativeDir = join(work, `${p}.native`);
      const sandbox = join(work, `${p}.sandbox`);
      mkdirSync(nativeDir);
      mkdirSync(sandbox);
      const envArgs = Object.entries(env).flatMap(([k, v]) => ["--env", `${k}=${v}`]);
      const [native, emulated] = await Promise.all([
        run(exe, args, env, nativeDir, stdin),
        run(
          process.execPath,
          [CLI, "run", "--sandbox", sandbox, ...envArgs, exe, "--", ...args],
          {},
          work,
          stdin,
        ),
      ]);
      assert.equal(native.signal, null, `native run killed by ${native.signal}`);
      assert.equal(emulated.stderr, native.stderr, "stderr");
      assert.equal(emulated.stdout, native.stdout, "stdout");
      assert.equal(emulated.status, native.status, "exit status");
      assert.deepEqual(snapshot(sandbox), snapshot(nativeDir), "files written");
    });
  }
});

/**
 * Not compared with the CPU (see also tests/emulator/coverage-doc.test.ts): syscall enters the
 * kernel; hlt is privileged (#GP, which the emulator raises too) and only ends musl's unreachable
 * _Exit fallback.
 */
const NOT_DIFFERENTIAL = new Set(["Syscall", "Hlt"]);

void test("every instruction in the musl programs' code is differentially tested (or privileged)", async () => {
  const tested = parseDocCodes(readFileSync(DOC, "utf8"));
  const problems = new Set<string>();
  buildAll();
  for (const p of programs) {
    const exe = await built.get(p)!;
    for (const seg of readExecutable(readFileSync(exe), exe).segments) {
      if ((seg.perm & 4) === 0) continue;
      const d = new Decoder(64, seg.bytes, DecoderOptions.None);
      const ins = new iced.Instruction();
      let at = 0;
      while (d.canDecode) {
        d.decodeOut(ins);
        const name = Code[ins.code];
        const bytes = seg.bytes.subarray(at, at + ins.length);
        at += ins.length;
        if (tested.has(name) || NOT_DIFFERENTIAL.has(name)) continue;
        const op = buildOp(decodedFromIced(ins), 0, bytes);
        problems.add(`${name} in ${p}${op.fn === unsupported ? ` (${op.name})` : ": no differential case"}`);
      }
      ins.free();
      d.free();
    }
  }
  assert.deepEqual([...problems], []);
});
