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
import { nativeRunner } from "./native.js";
import { DEFAULT_RUNS, DEFAULT_SEED, SUITES, prepare, suiteSeed, sweep } from "./sweep.js";

const RUNS = Number(process.env.EMU_DIFF_RUNS ?? DEFAULT_RUNS);
const SEED_ENV = process.env.EMU_DIFF_SEED ?? String(DEFAULT_SEED);
const SEED = SEED_ENV === "random" ? Math.floor(Math.random() * 2 ** 31) : Number(SEED_ENV);

const available = nativeRunner() !== null;

for (const suite of SUITES) {
  void test(`differential: ${suite.name}`, { skip: !available && "needs x86-64 Linux and gcc" }, async () => {
    await prepare();
    const seed = suiteSeed(suite, SEED);
    const r = sweep(suite, RUNS, seed, false);
    assert.ok(r.rejected <= RUNS * 0.1, `keystone rejected too many generated inputs (${r.rejected})`);
    const first = r.mismatches[0];
    if (first) {
      // Only the first mismatch is shrunk (running natively case by case).
      const m = suite.shrink(seed, first.index) ?? first;
      assert.fail(
        `emulator and CPU disagree (family ${suite.name}, seed ${SEED}, ${m.shrinks} shrinks):\n${m.report}`,
      );
    }
    const ran = r.generated - r.rejected;
    assert.ok(r.clean >= ran * 0.3, `too many inputs read undefined flags (${r.tainted} of ${ran})`);
  });
}
