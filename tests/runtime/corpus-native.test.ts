/**
 * The program corpus (tests/programs/*.scm, expected output checked against Chez Scheme),
 * compiled by src/compiler, linked by gcc with the committed runtime-rs archive, run natively.
 * This is the oracle the emulator is compared with: what a program prints natively is what it
 * must print emulated.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { compileScheme } from "../../src/compiler/index.js";
import { linkAndRun, nativeSkipReason } from "./native-support.js";

const programs = join(dirname(fileURLToPath(import.meta.url)), "../programs");
const cases = readdirSync(programs)
  .filter((f) => f.endsWith(".scm") && existsSync(join(programs, f.replace(/\.scm$/, ".out"))))
  .sort();

void describe("compiled corpus programs run natively with runtime-rs", { skip: nativeSkipReason() }, () => {
  for (const file of cases) {
    void test(file, () => {
      const source = readFileSync(join(programs, file), "utf8");
      const expected = readFileSync(join(programs, file.replace(/\.scm$/, ".out")), "utf8");
      const { assembly } = compileScheme(source, file);
      const r = linkAndRun(`.section .note.GNU-stack,"",@progbits\n${assembly}`);
      assert.equal(r.stderr, "");
      assert.equal(r.status, 0);
      assert.equal(r.stdout.toString("utf8"), expected);
    });
  }
});
