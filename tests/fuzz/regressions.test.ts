/** Inputs the fuzzers found that crashed or hung abi-lab, each now a clean user error. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { UserInputError } from "../../src/diagnostics.js";
import { linkAssembly } from "../../src/pipeline/load-program.js";
import { DebugInfo } from "../../src/pipeline/debug-info.js";
import { runProgram } from "../../src/pipeline/run-program.js";

const head = ".intel_syntax noprefix\n.globl _start\n_start:\n";

void test("a non-ASCII character outside a string is an error at its line (keystone looped forever)", async () => {
  await assert.rejects(
    linkAssembly(`${head}  ret\n\u00e9\n`, "u.s"),
    (e: unknown) =>
      e instanceof UserInputError &&
      e.location?.line === 5 &&
      /the character 'é' \(U\+00E9\) is not allowed outside a string or a comment/.test(e.message),
  );
  // In strings and comments it is fine.
  await linkAssembly(`${head}  ret # caf\u00e9\n.data\n.ascii "caf\u00e9"\n`, "ok.s");
});

void test("a statement that starts with ':' is an error (keystone looped forever)", async () => {
  await assert.rejects(
    linkAssembly(`${head}:\n  ret\n`, "colon.s"),
    (e: unknown) =>
      e instanceof UserInputError && e.location?.line === 4 && /expected an instruction/.test(e.message),
  );
});

void test("malformed directives are errors (keystone looped forever): a comma after the name, an unterminated string, a symbol as alignment", async () => {
  for (const bad of [
    ".align, 231",
    ".quad,1",
    ".byte,",
    '.ascii "hello',
    ".align f",
    ".align 4096 :",
    "_start::",
  ])
    await assert.rejects(
      linkAssembly(`${head}  ret\n${bad}\n`, "dir.s"),
      (e: unknown) =>
        e instanceof UserInputError &&
        e.location?.line === 5 &&
        /malformed directive|unterminated string|expects a number|unexpected ':'|cannot be a directive's operand|expects a section name|an empty operand/.test(
          e.message,
        ),
      bad,
    );
});

void test("a program larger than the guest memory limit is a user error, not an internal one", async () => {
  const image = await linkAssembly(`${head}  ret\n.bss\n.zero 100000000\n`, "big.s");
  assert.throws(
    () =>
      runProgram(
        { file: "big.s", kind: "assembly", image, debug: new DebugInfo(image) },
        { sandboxDir: "/nonexistent", stdout: () => {}, stderr: () => {}, memoryLimit: 64 << 20 },
      ),
    (e: unknown) =>
      e instanceof UserInputError &&
      /does not fit in the guest memory limit of 64 MiB: its segments and stack need more$/.test(e.message),
  );
});
