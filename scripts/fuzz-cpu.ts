/**
 * `npm run fuzz:cpu`: the differential sweep without end. Batches of generated instruction sequences
 * (every family in turn, a new seed per batch) run on the CPU and on the emulator until Ctrl-C,
 * `--cases N` or `--seconds S`. Prints progress and the total of clean cases; on a mismatch prints
 * the shrunk sequence with both final states side by side and exits 1.
 *
 *   npm run fuzz:cpu -- [--cases N] [--seconds S] [--seed S] [--batch B] [--family NAME]...
 */
import { parseArgs } from "node:util";
import { nativeRunner } from "../tests/emulator/native.js";
import { SUITES, prepare, sweep } from "../tests/emulator/sweep.js";

const { values } = parseArgs({
  options: {
    cases: { type: "string" },
    seconds: { type: "string" },
    seed: { type: "string" },
    batch: { type: "string" },
    family: { type: "string", multiple: true },
  },
});
const maxCases = values.cases === undefined ? Infinity : Number(values.cases);
const maxMs = values.seconds === undefined ? Infinity : Number(values.seconds) * 1000;
let seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
const batch = Number(values.batch ?? 250);
const all = SUITES.map((s) => s.name);
const wanted = values.family ?? all;
for (const f of wanted) {
  if (!all.includes(f)) {
    process.stderr.write(`fuzz:cpu: unknown family ${f} (families: ${all.join(", ")})\n`);
    process.exit(2);
  }
}
const suites = SUITES.filter((s) => wanted.includes(s.name));
for (const [name, v] of [
  ["cases", maxCases],
  ["seconds", maxMs],
  ["seed", seed],
  ["batch", batch],
] as const) {
  if (!Number.isFinite(v) && v !== Infinity) {
    process.stderr.write(`fuzz:cpu: --${name} needs a number\n`);
    process.exit(2);
  }
}
if (nativeRunner() === null) {
  process.stderr.write("fuzz:cpu needs x86-64 Linux and gcc (the native runner)\n");
  process.exit(2);
}

let stop = false;
process.on("SIGINT", () => {
  if (stop) process.exit(130);
  stop = true;
  process.stderr.write("\nfuzz:cpu: stopping after this batch (Ctrl-C again to quit now)\n");
});

await prepare();
const t0 = performance.now();
const totals = { generated: 0, clean: 0, tainted: 0, rejected: 0 };
const perFamily = new Map<string, number>();
process.stdout.write(`fuzz:cpu: families ${wanted.join(" ")}; first seed ${seed}; batches of ${batch}\n`);
for (let k = 0; !stop; k++) {
  const suite = suites[k % suites.length];
  const family = suite.name;
  const n = Math.min(batch, maxCases - totals.generated);
  if (n <= 0 || performance.now() - t0 >= maxMs) break;
  const s = seed++;
  const r = sweep(suite, n, s);
  totals.generated += r.generated;
  totals.clean += r.clean;
  totals.tainted += r.tainted;
  totals.rejected += r.rejected;
  perFamily.set(family, (perFamily.get(family) ?? 0) + r.clean);
  if (r.mismatches.length > 0) {
    const m = r.mismatches[0];
    process.stdout.write(
      `\nMISMATCH in family ${family} (seed ${s}, ${m.shrinks} shrinks), after ${totals.clean} clean cases:\n${m.report}\n` +
        `reproduce: npm run fuzz:cpu -- --family ${family} --seed ${s} --cases ${n} --batch ${n}\n`,
    );
    process.exit(1);
  }
  const secs = (performance.now() - t0) / 1000;
  process.stdout.write(
    `[${secs.toFixed(0).padStart(5)} s] ${totals.clean} clean of ${totals.generated} (${totals.tainted} read undefined flags, ${totals.rejected} not encodable); last: ${family} seed ${s}\n`,
  );
  await new Promise((resolve) => setImmediate(resolve)); // let Ctrl-C in
}
const secs = (performance.now() - t0) / 1000;
process.stdout.write(
  `fuzz:cpu: ${totals.clean} cases clean of ${totals.generated} generated in ${secs.toFixed(0)} s, 0 mismatches\n` +
    `  per family: ${[...perFamily].map(([f, n]) => `${f} ${n}`).join(", ")}\n`,
);
