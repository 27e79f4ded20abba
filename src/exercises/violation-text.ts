import type { Violation } from "../abi/checker.js";
import { RULES } from "../abi/conventions.js";
import type { Failure } from "./report.js";

/** A convention violation as a failure: the rule, what it means, and the instruction that broke it. */
export function violationFailure(v: Violation, instruction: string, input?: string): Failure {
  return { input, rule: v.rule, instruction, actual: v.message };
}

export function violationText(v: Violation, instruction: string, input?: string): string {
  const lines: string[] = [];
  if (input !== undefined) lines.push(`input:       ${input}`);
  lines.push(`rule:        ${v.rule} (${RULES[v.rule]})`);
  lines.push(`instruction: ${instruction}`);
  lines.push(`what:        ${v.message}`);
  return lines.join("\n");
}

/** Violations counted by rule: "stack-alignment ×3, callee-saved". */
export function ruleCounts(vs: readonly Violation[]): string {
  const counts = new Map<string, number>();
  for (const v of vs) counts.set(v.rule, (counts.get(v.rule) ?? 0) + 1);
  return [...counts].map(([r, n]) => (n > 1 ? `${r} ×${n}` : r)).join(", ");
}
