import type { GradeReport } from "../report.js";

/** The whole report as JSON (failures as data: input, expected, actual, rule, instruction). */
export function formatJson(r: GradeReport): string {
  return JSON.stringify(r, null, 2) + "\n";
}
