import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

/** Runs the built CLI (npm test builds dist/ first). */
export function abiLab(args: string[], options: { cwd?: string; input?: string } = {}) {
  const r = spawnSync(process.execPath, [join(process.cwd(), "bin/abi-lab.js"), ...args], {
    encoding: "utf8",
    cwd: options.cwd,
    input: options.input ?? "",
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const built = existsSync("dist/src/cli/main.js");
const tmp = () => mkdtempSync(join(tmpdir(), "abi-lab-cli-"));

test(
  "compile -S prints readable, commented Intel-syntax assembly",
  { skip: !built && "run npm run build first" },
  () => {
    const r = abiLab(["compile", "examples/hello.scm", "-S"]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /\.intel_syntax noprefix/);
    assert.match(r.stdout, /scheme_entry:/);
    assert.match(r.stdout, /call rt_open_output_file/);
    assert.match(r.stdout, /call writeln/);
    assert.match(r.stdout, /# \(writeln "Hello !!con 👋" \(open-output-file "\/tmp\/inc\/io\.txt"\)\)/);
  },
);

test("compile -o writes the file; --no-align drops the alignment", { skip: !built && "build first" }, () => {
  const dir = tmp();
  assert.equal(abiLab(["compile", "examples/hello.scm", "-S", "-o", join(dir, "a.s")]).status, 0);
  assert.equal(
    abiLab(["compile", "examples/hello.scm", "-S", "--no-align", "-o", join(dir, "b.s")]).status,
    0,
  );
  const aligned = readFileSync(join(dir, "a.s"), "utf8");
  const unaligned = readFileSync(join(dir, "b.s"), "utf8");
  assert.match(aligned, /sub rsp, 8 +# .*multiple of 16/);
  assert.doesNotMatch(unaligned, /sub rsp, 8 +# .*multiple of 16/);
  assert.match(unaligned, /--no-align/);
});

test(
  "user errors are one FILE:LINE:COL line with the source line and a caret, never a stack trace",
  { skip: !built && "build first" },
  () => {
    const dir = tmp();
    const bad = join(dir, "bad.scm");
    writeFileSync(bad, '(display "ok")\n(display (car (cdr x))\n');
    const r = abiLab(["compile", bad, "-S"]);
    assert.equal(r.status, 2);
    assert.match(
      r.stderr,
      new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:2:1: error: unclosed '\\('`),
    );
    assert.doesNotMatch(r.stderr, /\n\s+at /);
    const unbound = join(dir, "unbound.scm");
    writeFileSync(unbound, "(define (f x) (+ x y))\n");
    assert.match(abiLab(["compile", unbound, "-S"]).stderr, /unbound\.scm:1:20: error: unbound variable 'y'/);
    assert.match(
      abiLab(["compile", join(dir, "missing.scm"), "-S"]).stderr,
      /missing\.scm: cannot read: no such file/,
    );
    assert.match(
      abiLab(["compile", "--frobnicate", "x.scm"]).stderr,
      /abi-lab compile: unknown option '--frobnicate'/,
    );
    assert.equal(abiLab(["nonsense"]).status, 2);
  },
);

test("build writes a static executable that runs natively", { skip: !built && "build first" }, () => {
  const dir = tmp();
  const exe = join(dir, "fib");
  const r = abiLab(["build", "examples/fib.scm", "-o", exe]);
  assert.equal(r.status, 0, r.stderr);
  const run = spawnSync(exe, [], { encoding: "utf8" });
  assert.equal(run.stdout, "6765\n");
  assert.equal(run.status, 0);
});
