/**
 * Run fuzz targets for a number of cases or a time budget, counting outcomes. Used by the
 * bounded sweep in the tests and by `npm run fuzz`.
 */
import fc from "fast-check";
import { Escaped, prepareCorpus, type Outcome, type Target } from "./targets.js";

export interface Counts {
  cases: number;
  outcomes: Record<Outcome, number>;
  /** Cases that took longer than `slowMs`. */
  slow: number;
  failures: { message: string; counterexample: string; seed: number; path?: string }[];
}

export const emptyCounts = (): Counts => ({
  cases: 0,
  outcomes: { rejected: 0, exit: 0, fault: 0, limit: 0 },
  slow: 0,
  failures: [],
});

export interface SweepOptions {
  numRuns: number;
  seed?: number;
  /** A case slower than this counts as a hang (failure). */
  hangMs?: number;
  /** Called before each case (for a watchdog). */
  onCase?: (target: string, input: unknown) => void;
}

/** One fast-check run of a target; counts are added to `counts`. */
export async function sweep<T>(target: Target<T>, options: SweepOptions, counts: Counts): Promise<void> {
  await prepareCorpus();
  const hangMs = options.hangMs ?? 10_000;
  const result = await fc.check(
    fc.asyncProperty(target.arbitrary, async (input) => {
      options.onCase?.(target.name, input);
      const t0 = performance.now();
      const outcome = await target.run(input);
      const ms = performance.now() - t0;
      if (ms > hangMs) throw new Escaped(target.name, new Error(`took ${Math.round(ms)} ms (a hang)`));
      counts.cases++;
      counts.outcomes[outcome]++;
      if (ms > hangMs / 10) counts.slow++;
    }),
    { numRuns: options.numRuns, seed: options.seed },
  );
  if (result.failed) {
    const err = result.errorInstance;
    counts.failures.push({
      message: err instanceof Error ? err.message : String(err),
      counterexample: fc.stringify(result.counterexample),
      seed: result.seed,
      path: result.counterexamplePath ?? undefined,
    });
  }
}
