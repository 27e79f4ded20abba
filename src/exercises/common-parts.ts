import type { Violation } from "../abi/checker.js";
import { fail, pass, type TestResult } from "./report.js";
import type { Requirement } from "./types.js";
import { ruleCounts, violationFailure, violationText } from "./violation-text.js";

/**
 * The convention part, failed: the first violation in full (with the input it was seen on, for a
 * function exercise), then all the violations counted by rule.
 */
export function conventionFailure(
  name: string,
  points: number,
  first: { v: Violation; where: string },
  all: readonly Violation[],
  on?: { input: string; shrinks: number },
): TestResult {
  const more = all.length > 1 ? `\n(${on ? "all on this input" : "all"}: ${ruleCounts(all)})` : "";
  const failure = violationFailure(first.v, first.where, on?.input);
  return fail(
    "convention",
    name,
    points,
    violationText(first.v, first.where, on?.input) + more,
    on ? { ...failure, shrinks: on.shrinks } : failure,
  );
}

/** A `calls` requirement: passed when the answer called the symbol `total` times (`over`: out of how many runs). */
export function callsPart(
  r: Extract<Requirement, { kind: "calls" }>,
  name: string,
  total: number,
  over = "",
): TestResult {
  const p = r.points ?? 1;
  return total > 0
    ? pass("requirements", name, p, `${r.symbol} called ${total} times${over}`)
    : fail("requirements", name, p, `${r.symbol} was never called: ${r.why}`, {
        rule: `calls ${r.symbol}`,
        expected: `at least one call to ${r.symbol}`,
        actual: "none",
      });
}
