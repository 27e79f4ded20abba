/**
 * Differential test: random instruction sequences (gen.ts) run on the real CPU (native/runner.c)
 * and on the emulator must leave the same registers, defined flags, XMM registers, memory and
 * stop reason. Runs only on x86-64 Linux with gcc; elsewhere it is skipped.
 *
 * Each family is sampled with a fixed seed (reproducible in CI) and run natively in one batch.
 * On a mismatch fast-check shrinks the failing input (running natively case by case) and the
 * test fails with the shrunk sequence and both final states side by side.
 *
 *   EMU_DIFF_RUNS=2000 EMU_DIFF_SEED=random node --import tsx --test tests/emulator/differential.test.ts
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { FAMILIES, inputArb, source, toCase, type FamilyName, type Input } from "./gen.js";
import { assemble, assembleSync } from "./keystone.js";
import { CODE_ADDR, compare, nativeRunner, report, runEmulated, runNative, type Case } from "./native.js";

const RUNS = Number(process.env.EMU_DIFF_RUNS ?? 600);
const SEED_ENV = process.env.EMU_DIFF_SEED ?? "20250101";
const SEED = SEED_ENV === "random" ? Math.floor(Math.random() * 2 ** 31) : Number(SEED_ENV);

const available = nativeRunner() !== null;

/** Assembles an input, or null if keystone rejects the generated text (rare: encoding limits). */
function build(input: Input): { src: string; c: Case } | null {
  const src = source(input);
  try {
    return { src, c: toCase(input, assembleSync(src, CODE_ADDR)) };
  } catch {
    return null;
  }
}

/** Runs one input natively and emulated; returns a report when they disagree. */
function check(input: Input): string | null {
  const b = build(input);
  if (b === null) return null;
  const emu = runEmulated(b.c);
  if (emu.tainted !== null) return null;
  const [native] = runNative([b.c]);
  const diffs = compare(native, emu);
  return diffs.length === 0 ? null : report(b.c, b.src, native, emu, diffs);
}

const families = Object.keys(FAMILIES) as FamilyName[];

for (const family of families) {
  void test(`differential: ${family}`, { skip: !available && "needs x86-64 Linux and gcc" }, async () => {
    await assemble("nop", CODE_ADDR);
    const arb = inputArb(FAMILIES[family], family === "mixed" ? 8 : 5);
    const inputs = fc.sample(arb, { numRuns: RUNS, seed: SEED + family.length });
    const built = inputs.map((i) => ({ input: i, b: build(i) }));
    const ok = built.filter((x) => x.b !== null);
    assert.ok(ok.length >= RUNS * 0.9, `keystone rejected too many generated inputs (${RUNS - ok.length})`);
    const natives = runNative(ok.map((x) => x.b!.c));
    let compared = 0;
    for (let k = 0; k < ok.length; k++) {
      const emu = runEmulated(ok[k].b!.c);
      if (emu.tainted !== null) continue;
      compared++;
      const diffs = compare(natives[k], emu);
      if (diffs.length === 0) continue;
      // Replay the same generation (same seed) case by case, natively, so that fast-check finds
      // the failure again with the context it needs to shrink it.
      const result = fc.check(
        fc.property(arb, (input) => check(input) === null),
        { numRuns: RUNS, seed: SEED + family.length },
      );
      const shrunk = result.counterexample?.[0] ?? ok[k].input;
      const text = check(shrunk) ?? report(ok[k].b!.c, ok[k].b!.src, natives[k], emu, diffs);
      assert.fail(
        `emulator and CPU disagree (family ${family}, seed ${SEED}, ${result.numShrinks} shrinks):\n${text}`,
      );
    }
    assert.ok(
      compared >= ok.length * 0.3,
      `too many inputs read undefined flags (${ok.length - compared} of ${ok.length})`,
    );
  });
}
