import type { GradeReport } from "../report.js";

const indent = (text: string, by: string) => text.replace(/\n/g, `\n${by}`);

/** The report for a person at a terminal. */
export function formatText(r: GradeReport): string {
  const out = [`abi-lab check: ${r.exercise} (${r.title}): ${r.file}`, ""];
  for (const t of r.tests) {
    out.push(`${t.passed ? "PASS" : "FAIL"}  ${t.name}  [${t.score}/${t.maxScore}]`);
    if (!t.passed) out.push(`      ${indent(t.output, "      ")}`, "");
  }
  out.push(
    "",
    `score: ${r.score}/${r.maxScore}${r.passed ? " (all passed)" : ""}  (${r.executionTime.toFixed(2)} s, ${r.runs} ${r.runs === 1 ? "run" : "runs"}, seed ${r.seed})`,
    "",
  );
  return out.join("\n");
}
