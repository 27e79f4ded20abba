/**
 * `npm run fuzz [-- --seconds S] [--target NAME]`: the fuzz targets of tests/fuzz, unbounded
 * (until S seconds have passed or Ctrl-C), in rounds of fresh random seeds. Prints the case
 * counts per target and every failure with its seed. The fuzzing runs in a child process so
 * that a hang (a case that never returns) is caught by the parent's watchdog and reported with
 * its input.
 */
import { fork, type ChildProcess } from "node:child_process";
import { parseArgs } from "node:util";

interface Progress {
  kind: "case" | "round";
  target: string;
  input?: string;
  counts?: Record<string, Counts>;
}
type Counts = import("../tests/fuzz/sweep.js").Counts;

const HANG_MS = 60_000;
const ROUND = 100;

async function worker(only: string | undefined): Promise<void> {
  const { ALL_TARGETS } = await import("../tests/fuzz/targets.js");
  const { emptyCounts, sweep } = await import("../tests/fuzz/sweep.js");
  const fc = (await import("fast-check")).default;
  process.on("SIGINT", () => {}); // the parent handles Ctrl-C and stops this process
  const counts: Record<string, Counts> = {};
  const targets = ALL_TARGETS.filter((t) => !only || t.name.includes(only));
  for (;;) {
    for (const t of targets) {
      counts[t.name] ??= emptyCounts();
      await sweep(
        t,
        {
          numRuns: ROUND,
          seed: Math.floor(Math.random() * 2 ** 31),
          hangMs: HANG_MS / 2,
          onCase: (target, input) =>
            process.send!({ kind: "case", target, input: fc.stringify(input).slice(0, 4000) }),
        },
        counts[t.name],
      );
      process.send!({ kind: "round", target: t.name, counts } satisfies Progress);
    }
  }
}

function main(): void {
  const { values } = parseArgs({
    options: { seconds: { type: "string" }, target: { type: "string" } },
    strict: true,
  });
  const seconds = values.seconds ? Number(values.seconds) : Infinity;
  const started = Date.now();
  let counts: Record<string, Counts> = {};
  const hangs: { target: string; input: string }[] = [];
  let current: ChildProcess | undefined;
  let last = { at: Date.now(), target: "", input: "" };
  let stopping = false;

  const start = () => {
    const w = fork(new URL(import.meta.url).pathname, ["--worker", values.target ?? ""], {
      execArgv: ["--import", "tsx"],
    });
    current = w;
    last = { at: Date.now(), target: "", input: "" };
    w.on("message", (m: Progress) => {
      last.at = Date.now();
      if (m.kind === "case") last = { at: last.at, target: m.target, input: m.input ?? "" };
      else if (m.counts) {
        // Counts restart with a new worker: keep the totals of earlier workers.
        counts = merge(base, m.counts);
        for (const f of m.counts[m.target]?.failures ?? [])
          if (!reported.has(`${m.target} ${f.seed}`)) report(m.target, f);
      }
    });
    w.on("exit", (code, signal) => {
      if (stopping) return;
      if (current === w) {
        // The worker died by itself: a crash of the fuzzing process, reported as a failure.
        hangs.push({ target: last.target, input: `worker exited (${code ?? signal}) during: ${last.input}` });
        if (hangs.length > 20) finish("too many worker crashes");
      }
      base = counts;
      start();
    });
  };
  let base: Record<string, Counts> = {};
  const reported = new Set<string>();
  const report = (target: string, f: Counts["failures"][number]) => {
    reported.add(`${target} ${f.seed}`);
    process.stderr.write(
      `\nFAILURE in ${target} (seed ${f.seed}, path ${f.path ?? "-"}):\n  ${f.message}\n  input: ${f.counterexample.slice(0, 2000)}\n`,
    );
  };

  const finish = (why: string) => {
    if (stopping) return;
    stopping = true;
    clearInterval(timer);
    current?.kill();
    const secs = ((Date.now() - started) / 1000).toFixed(0);
    let total = 0;
    let failures = 0;
    process.stdout.write(`\nabi-lab fuzz: ${why} after ${secs} s\n`);
    for (const [name, c] of Object.entries(counts)) {
      total += c.cases;
      failures += c.failures.length;
      const o = c.outcomes;
      process.stdout.write(
        `  ${name.padEnd(16)} ${String(c.cases).padStart(8)} cases: ${o.rejected} rejected (user error), ` +
          `${o.exit} ok, ${o.fault} guest faults, ${o.limit} limits; ${c.failures.length} failures\n`,
      );
    }
    process.stdout.write(`  total ${total} cases, ${failures} failures, ${hangs.length} hangs\n`);
    for (const h of hangs) process.stdout.write(`  HANG in ${h.target}: ${h.input.slice(0, 2000)}\n`);
    process.exit(failures + hangs.length > 0 ? 1 : 0);
  };

  const timer = setInterval(() => {
    if (Date.now() - started > seconds * 1000) finish("time is up");
    else if (Date.now() - last.at > HANG_MS && current) {
      hangs.push({ target: last.target, input: last.input });
      process.stderr.write(`\nHANG in ${last.target} (no progress for ${HANG_MS / 1000} s): ${last.input}\n`);
      const w = current;
      current = undefined;
      w.kill("SIGKILL");
    }
  }, 1000);
  process.on("SIGINT", () => finish("interrupted"));
  start();
}

function merge(a: Record<string, Counts>, b: Record<string, Counts>): Record<string, Counts> {
  const out: Record<string, Counts> = structuredClone(a);
  for (const [name, c] of Object.entries(b)) {
    const t = (out[name] ??= {
      cases: 0,
      outcomes: { rejected: 0, exit: 0, fault: 0, limit: 0 },
      slow: 0,
      failures: [],
    });
    t.cases += c.cases;
    t.slow += c.slow;
    for (const k of Object.keys(c.outcomes) as (keyof Counts["outcomes"])[]) t.outcomes[k] += c.outcomes[k];
    t.failures.push(...c.failures);
  }
  return out;
}

if (process.argv[2] === "--worker") await worker(process.argv[3] || undefined);
else main();
