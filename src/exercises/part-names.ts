import { RULES, type RuleName } from "../abi/conventions.js";
import type { Exercise, Requirement } from "./types.js";

/** The names of an exercise's graded parts, the same in every report (and when the answer does not build). */
export function partNames(e: Exercise, numRuns: number, seed: number) {
  return {
    edge: `results on ${e.edgeCases.length} fixed edge cases`,
    random: `results on ${numRuns} random inputs (fast-check, seed ${seed})`,
    convention:
      e.kind === "function"
        ? "System V calling convention at every call and return"
        : "calling conventions at every call and return (Scheme and System V)",
    requirement: (r: Requirement) =>
      r.kind === "calls"
        ? `calls ${r.symbol}`
        : `${r.rule}: ${registerName(r.register, r.bits ?? 64)} at each call to ${r.symbol}`,
  };
}

/** `al` for the low 8 bits of rax, `edi` for the low 32 of rdi, `r8b`, `r8d`... */
export function registerName(register: string, bits: number): string {
  if (bits === 64) return register;
  const legacy = /^r([abcd])x$/.exec(register);
  if (legacy) return bits === 8 ? `${legacy[1]}l` : `e${legacy[1]}x`;
  const index = /^r([sd]i|[sb]p)$/.exec(register);
  if (index) return bits === 8 ? `${index[1]}l` : `e${index[1]}`;
  return `${register}${bits === 8 ? "b" : "d"}`;
}

/** The convention rules an exercise judges. */
export function rulesOf(e: Exercise): RuleName[] {
  return e.rules ?? (Object.keys(RULES) as RuleName[]);
}
