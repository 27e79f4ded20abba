/**
 * docs/instruction-coverage.md is generated (npm run gen:coverage); this test fails when it no longer
 * matches the instruction table (mnemonics, families, flags, encodings) or the differential
 * generator it was counted with, and when a table entry is left out of the differential sweep
 * without a reason below.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { DOC, generatorFingerprint, parseDocCases, parseDocRows, tableCells, tableRows } from "./coverage.js";
import { DEFAULT_RUNS, DEFAULT_SEED } from "./sweep.js";

const REGENERATE = "docs/instruction-coverage.md is stale: run `npm run gen:coverage` and commit it";

/** Table entries the differential sweep does not generate, and why. */
export const NOT_DIFFERENTIAL: Record<string, string> = {
  syscall:
    "enters the kernel: natively a real system call; the emulated kernel is tested by tests/syscalls and the program suites",
  cpuid:
    "reports the emulated CPU (src/emulator/cpuid.ts) on purpose, not the host's (tests/emulator/machine.test.ts)",
  rdtsc: "a clock: its values differ by nature (monotonicity is checked in tests/emulator/machine.test.ts)",
  rdtscp: "a clock, as rdtsc",
  int: "a software interrupt: SIGSEGV in user mode, delivered by the harness's signal handler natively",
  int1: "a debug trap (SIGTRAP): indistinguishable from the harness's final int3 natively",
  ud0: "raises #UD by definition",
  ud1: "raises #UD by definition",
  jecxz: "jrcxz with an address-size prefix: compilers do not emit it in 64-bit code",
  popf: "the 16-bit popf (66 9D): compilers emit popfq, which is generated",
  pushf: "the 16-bit pushf (66 9C): compilers emit pushfq, which is generated",
  sal: "the /6 alias of shl: assemblers encode sal as shl (/4), which is generated",
  fclex: "iced decodes the wait-prefixed form as wait + fnclex (both generated)",
  finit: "iced decodes the wait-prefixed form as wait + fninit (both generated)",
  fstcw: "iced decodes the wait-prefixed form as wait + fnstcw (both generated)",
  fstenv: "iced decodes the wait-prefixed form as wait + fnstenv (both generated)",
  fstsw: "iced decodes the wait-prefixed form as wait + fnstsw (both generated)",
  fsave: "iced decodes the wait-prefixed form as wait + fnsave (both generated)",
  f2xm1:
    "differential with a 1-ulp tolerance (the CPU's own approximation), in tests/emulator/x87.test.ts's transcendental and trigonometric families",
  fyl2x:
    "differential with a 1-ulp tolerance (the CPU's own approximation), in tests/emulator/x87.test.ts's transcendental and trigonometric families",
  fyl2xp1:
    "differential with a 1-ulp tolerance (the CPU's own approximation), in tests/emulator/x87.test.ts's transcendental and trigonometric families",
  fpatan:
    "differential with a 1-ulp tolerance (the CPU's own approximation), in tests/emulator/x87.test.ts's transcendental and trigonometric families",
  fsin: "differential with a 1-ulp tolerance (the CPU's own approximation), in tests/emulator/x87.test.ts's transcendental and trigonometric families",
  fcos: "differential with a 1-ulp tolerance (the CPU's own approximation), in tests/emulator/x87.test.ts's transcendental and trigonometric families",
  fsincos:
    "differential with a 1-ulp tolerance (the CPU's own approximation), in tests/emulator/x87.test.ts's transcendental and trigonometric families",
  fptan:
    "differential with a 1-ulp tolerance (the CPU's own approximation), in tests/emulator/x87.test.ts's transcendental and trigonometric families",
};

const text = existsSync(DOC) ? readFileSync(DOC, "utf8") : "";

void test("docs/instruction-coverage.md lists exactly the table's mnemonics, families, flags and encodings", () => {
  assert.ok(text.length > 0, `${DOC} is missing: run npm run gen:coverage`);
  const doc = parseDocRows(text);
  const rows = tableRows();
  assert.deepEqual(
    [...doc.keys()].sort(),
    rows.map((r) => r.name).sort(),
    `${REGENERATE} (the table's mnemonics changed)`,
  );
  for (const r of rows) assert.deepEqual(doc.get(r.name), tableCells(r), `${REGENERATE} (${r.name})`);
});

void test("the case counts were made with the current generator and the differential test's seeds", () => {
  assert.match(text, new RegExp(`Generator fingerprint: \`${generatorFingerprint()}\``), REGENERATE);
  assert.match(text, new RegExp(`base seed ${DEFAULT_SEED}, ${DEFAULT_RUNS} cases per suite`), REGENERATE);
  assert.match(text, / 0 mismatches,/, "the sweep that made the document had mismatches");
});

void test("every table entry passed differential cases, or is listed with a reason", () => {
  const cases = parseDocCases(text);
  const missing = [...cases].filter(([, n]) => n === 0).map(([name]) => name);
  const unexplained = missing.filter((m) => !(m in NOT_DIFFERENTIAL));
  assert.deepEqual(unexplained, [], "not differentially tested, and no reason given in NOT_DIFFERENTIAL");
  const stale = Object.keys(NOT_DIFFERENTIAL).filter((m) => cases.has(m) && !missing.includes(m));
  assert.deepEqual(stale, [], "now generated: remove from NOT_DIFFERENTIAL");
});
