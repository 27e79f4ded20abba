import type { Exercise } from "./types.js";

export interface GradeOptions {
  /** fast-check seed (default: fixed, so that a grade is reproducible). */
  seed?: number;
  /** Random inputs per property (default: the exercise's, else 100). */
  numRuns?: number;
}

export const DEFAULT_SEED = 20_240_601;

/** What every grading starts from: the clock, the seed, the number of random inputs, the report's header. */
export function startGrading(exercise: Exercise, file: string, options: GradeOptions) {
  const seed = options.seed ?? DEFAULT_SEED;
  return {
    started: performance.now(),
    seed,
    numRuns: options.numRuns ?? exercise.numRuns ?? 100,
    base: { exercise: exercise.id, title: exercise.title, file, seed, runs: 0 },
  };
}
