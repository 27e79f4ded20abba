/**
 * The bounded fuzz sweep run by `npm test`: every target for a fixed number of cases with a fixed
 * seed (so a failure reproduces). `npm run fuzz` runs the same targets without a bound.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { emptyCounts, sweep } from "./sweep.js";
import {
  archive,
  assembly,
  code,
  executable,
  object,
  schemeCompile,
  schemeRun,
  syscalls,
  type Target,
} from "./targets.js";

const CASES: [Target<unknown>, number][] = [
  [schemeCompile, 300],
  [schemeRun, 120],
  [assembly, 160],
  [archive, 150],
  [object, 150],
  [executable, 400],
  [code, 300],
  [syscalls, 300],
];

for (const [target, numRuns] of CASES)
  void test(`fuzz ${target.name}: ${numRuns} cases end in a user error, a guest report or success`, async () => {
    const counts = emptyCounts();
    await sweep(target, { numRuns, seed: 20261130, hangMs: 15_000 }, counts);
    assert.deepEqual(counts.failures, []);
    assert.equal(counts.cases, numRuns);
  });
