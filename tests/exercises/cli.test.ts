import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { EXERCISES, findExercise } from "../../src/exercises/catalog/index.js";

/** Runs the built CLI (npm test builds dist/ first). */
function abiLab(args: string[], cwd?: string) {
  const r = spawnSync(process.execPath, [join(process.cwd(), "bin/abi-lab.js"), ...args], {
    encoding: "utf8",
    cwd,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const built = existsSync("dist/src/cli/main.js");
const skip = !built && "run npm run build first";
const tmp = () => mkdtempSync(join(tmpdir(), "abi-lab-exercises-"));

test("abi-lab exercises lists every exercise, one `ID  title` line each", { skip }, () => {
  const r = abiLab(["exercises"]);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trimEnd().split("\n");
  assert.equal(lines.length, EXERCISES.length);
  assert.match(lines[0], /^leaf-args +A leaf function/);
});

test(
  "abi-lab exercises ID prints it; --start writes the starter, and will not overwrite it",
  { skip },
  () => {
    const dir = tmp();
    const shown = abiLab(["exercises", "red-zone"], dir);
    assert.equal(shown.status, 0, shown.stderr);
    assert.match(shown.stdout, /C signature:\n {2}long most_common_nibble\(unsigned long x\);/);
    assert.match(shown.stdout, /red-zone: nothing may be written/);
    const started = abiLab(["exercises", "red-zone", "--start"], dir);
    assert.equal(started.status, 0, started.stderr);
    assert.match(started.stdout, /wrote most-common-nibble\.s/);
    assert.match(readFileSync(join(dir, "most-common-nibble.s"), "utf8"), /^most_common_nibble:/m);
    const again = abiLab(["exercises", "red-zone", "--start"], dir);
    assert.equal(again.status, 2);
    assert.match(again.stderr, /already exists/);
    const unknown = abiLab(["exercises", "nope"], dir);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /no exercise 'nope' \(the exercises: leaf-args, /);
  },
);

test("abi-lab exercises ID --start --force replaces an existing file with the starter", { skip }, () => {
  const dir = tmp();
  const file = join(dir, "most-common-nibble.s");
  writeFileSync(file, "my work in progress\n");
  const refused = abiLab(["exercises", "red-zone", "--start"], dir);
  assert.equal(refused.status, 2);
  assert.match(
    refused.stderr,
    /most-common-nibble\.s already exists here; not overwriting it \(--force to replace it\)/,
  );
  assert.equal(readFileSync(file, "utf8"), "my work in progress\n");
  const forced = abiLab(["exercises", "red-zone", "--start", "--force"], dir);
  assert.equal(forced.status, 0, forced.stderr);
  assert.match(forced.stdout, /^wrote most-common-nibble\.s/);
  assert.equal(readFileSync(file, "utf8"), findExercise("red-zone")!.starter.source);
  // A path that cannot be written (here a directory of that name): a user error, no stack trace.
  const blocked = tmp();
  mkdirSync(join(blocked, "most-common-nibble.s"));
  const failed = abiLab(["exercises", "red-zone", "--start", "--force"], blocked);
  assert.equal(failed.status, 2);
  assert.match(failed.stderr, /abi-lab exercises: cannot write .*most-common-nibble\.s: EISDIR/);
  assert.doesNotMatch(failed.stderr, /\bat .*\.js:\d+/);
});

test(
  "abi-lab check: exit 0 for a correct answer, 1 for a wrong one, with the shrunk input and the rule",
  { skip },
  () => {
    const dir = tmp();
    copyFileSync("tests/exercises/solutions/leaf-args.s", join(dir, "answer.s"));
    const ok = abiLab(["check", "answer.s", "--exercise", "leaf-args", "--runs", "30"], dir);
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /score: 9\/9 \(all passed\)/);
    copyFileSync("tests/exercises/wrong/leaf-args--clobbers-rbx.s", join(dir, "wrong.s"));
    const wrong = abiLab(["check", "wrong.s", "--exercise", "leaf-args", "--runs", "30"], dir);
    assert.equal(wrong.status, 1);
    assert.match(wrong.stdout, /FAIL {2}System V calling convention/);
    assert.match(wrong.stdout, /rule: +callee-saved/);
    assert.match(wrong.stdout, /instruction: wrong\.s:\d+: ret/);
  },
);

test("abi-lab check --format gradescope --output writes results.json; formats and errors", { skip }, () => {
  const dir = tmp();
  copyFileSync("tests/exercises/wrong/stack-args--off-by-one.s", join(dir, "a.s"));
  const r = abiLab(
    [
      "check",
      "a.s",
      "-e",
      "stack-args",
      "--format",
      "gradescope",
      "--output",
      "results.json",
      "--runs",
      "30",
    ],
    dir,
  );
  assert.equal(r.status, 1);
  assert.match(r.stderr, /stack-args: 3\/9; gradescope report written to results\.json/);
  const json = JSON.parse(readFileSync(join(dir, "results.json"), "utf8")) as {
    score: number;
    tests: unknown[];
  };
  assert.equal(json.score, 3);
  assert.equal(json.tests.length, 3);
  const tap = abiLab(["check", "a.s", "-e", "stack-args", "--format", "tap", "--runs", "10"], dir);
  assert.match(tap.stdout, /^TAP version 14\n/);
  const bad = abiLab(["check", "a.s", "-e", "stack-args", "--format", "xml"], dir);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--format expects one of text, json, junit, gradescope, tap/);
  const noExercise = abiLab(["check", "a.s"], dir);
  assert.equal(noExercise.status, 2);
  assert.match(noExercise.stderr, /which exercise\?/);
  const missing = abiLab(
    ["check", "none.s", "-e", "stack-args", "--format", "gradescope", "-o", "missing.json"],
    dir,
  );
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /none\.s: cannot read: no such file/);
  const zero = JSON.parse(readFileSync(join(dir, "missing.json"), "utf8")) as {
    score: number;
    output: string;
  };
  assert.equal(zero.score, 0);
  assert.match(zero.output, /none\.s: cannot read/);
  const wrongKind = abiLab(["check", "a.s", "-e", "define-foreign"], dir);
  assert.equal(wrongKind.status, 2);
  assert.match(wrongKind.stderr, /answered in Scheme/);
});
