/**
 * x87 differential test: generated x87 instruction sequences (x87-gen.ts) over interesting 80-bit
 * operands, every rounding mode and precision control, run on the real CPU (native/runner.c) and
 * on the emulator must leave the same FPU state (fnsave image: control, status with C0-C3 and TOP,
 * tag word, all eight registers), GPRs, flags and memory. Runs only on x86-64 Linux with gcc.
 *
 *   X87_RUNS=200000 X87_SEED=random node --import tsx --test tests/emulator/x87.test.ts
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { compare, nativeRunner, report, runEmulated, runNative } from "./native.js";
import {
  X87_FAMILIES,
  describeSave,
  x87Case,
  x87InputArb,
  x87Instr,
  x87Source,
  type X87Input,
} from "./x87-gen.js";

const RUNS = Number(process.env.X87_RUNS ?? 1500);
const SEED_ENV = process.env.X87_SEED ?? "20260101";
const SEED = SEED_ENV === "random" ? Math.floor(Math.random() * 2 ** 31) : Number(SEED_ENV);
const BATCH = 5000;

const available = nativeRunner() !== null;

function check(input: X87Input): string | null {
  const c = x87Case(input);
  const emu = runEmulated(c);
  const [native] = runNative([c]);
  const diffs = compare(native, emu);
  if (diffs.length === 0) return null;
  return [
    report(c, x87Source(input), native, emu, diffs),
    `native   x87: ${describeSave(native.data)}`,
    `emulator x87: ${describeSave(emu.outcome.data)}`,
  ].join("\n");
}

const families: [string, fc.Arbitrary<X87Input>][] = [
  ...Object.entries(X87_FAMILIES).map(([n, a]): [string, fc.Arbitrary<X87Input>] => [n, x87InputArb(a, 3)]),
  ["mixed", x87InputArb(x87Instr, 6)],
];

for (const [name, arb] of families) {
  void test(`x87 differential: ${name}`, { skip: !available && "needs x86-64 Linux and gcc" }, () => {
    const seed = SEED + name.length;
    let done = 0;
    for (let start = 0; start < RUNS; start += BATCH) {
      const n = Math.min(BATCH, RUNS - start);
      const inputs = fc.sample(arb, { numRuns: n, seed: seed + start });
      const cases = inputs.map(x87Case);
      const natives = runNative(cases);
      for (let k = 0; k < n; k++) {
        const emu = runEmulated(cases[k]);
        const diffs = compare(natives[k], emu);
        done++;
        if (diffs.length === 0) continue;
        const result = fc.check(
          fc.property(arb, (i) => check(i) === null),
          { numRuns: n, seed: seed + start },
        );
        const shrunk = result.counterexample?.[0] ?? inputs[k];
        assert.fail(
          `emulator and CPU disagree (x87 ${name}, seed ${SEED}, case ${start + k}, ${result.numShrinks} shrinks):\n${check(shrunk) ?? check(inputs[k])}`,
        );
      }
    }
    if (process.env.X87_RUNS !== undefined) console.log(`x87 ${name}: ${done} cases, 0 mismatches`);
  });
}
