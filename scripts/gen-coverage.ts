/**
 * `npm run gen:coverage`: runs the differential sweep of every generator suite with the seeds the
 * differential test uses and writes docs/instruction-coverage.md (per mnemonic: family, encodings,
 * flags, clean differential cases). Exits 1 if any case disagrees with the CPU.
 *
 *   npm run gen:coverage [-- --runs N --seed S]
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { nativeRunner } from "../tests/emulator/native.js";
import { DOC, renderDoc, type SweepSummary } from "../tests/emulator/coverage.js";
import { DEFAULT_RUNS, DEFAULT_SEED, SUITES, prepare, suiteSeed, sweep } from "../tests/emulator/sweep.js";

const { values } = parseArgs({
  options: { runs: { type: "string" }, seed: { type: "string" } },
});
const runs = Number(values.runs ?? DEFAULT_RUNS);
const seed = Number(values.seed ?? DEFAULT_SEED);

if (nativeRunner() === null) {
  process.stderr.write("gen:coverage needs x86-64 Linux and gcc (the native runner)\n");
  process.exit(2);
}
await prepare();
const sweeps: SweepSummary[] = [];
let mismatches = 0;
for (const suite of SUITES) {
  const s = suiteSeed(suite, seed);
  const t0 = performance.now();
  const result = sweep(suite, runs, s);
  sweeps.push({ suite: suite.name, seed: s, result });
  mismatches += result.mismatches.length;
  process.stderr.write(
    `${suite.name.padEnd(8)} ${result.clean}/${result.generated} clean, ${result.mismatches.length} mismatches (${Math.round(performance.now() - t0)} ms)\n`,
  );
  for (const m of result.mismatches) process.stderr.write(`${m.report}\n\n`);
}
writeFileSync(DOC, renderDoc(seed, runs, sweeps));
process.stderr.write(`wrote ${DOC}\n`);
process.exit(mismatches === 0 ? 0 : 1);
