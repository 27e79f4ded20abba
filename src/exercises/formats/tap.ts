import type { GradeReport } from "../report.js";

/** A YAML scalar: JSON strings are valid YAML. */
const scalar = (v: string | number) => (typeof v === "number" ? String(v) : JSON.stringify(v));

/** TAP version 14: one test point per graded part, failures with a YAML diagnostic block. */
export function formatTap(r: GradeReport): string {
  const out = ["TAP version 14", `# ${r.exercise}: ${r.title} (${r.file})`, `1..${r.tests.length}`];
  r.tests.forEach((t, i) => {
    out.push(`${t.passed ? "ok" : "not ok"} ${i + 1} - ${t.name.replace(/#/g, "\\#")}`);
    if (t.passed) return;
    out.push("  ---");
    out.push(`  message: ${scalar(t.output.split("\n")[0])}`);
    out.push(`  severity: fail`);
    out.push(`  score: ${t.score}`, `  max_score: ${t.maxScore}`);
    for (const [k, v] of Object.entries(t.failure ?? {}))
      if (v !== undefined) out.push(`  ${k}: ${scalar(v as string | number)}`);
    out.push(`  output: |-`, ...t.output.split("\n").map((l) => `    ${l}`));
    out.push("  ...");
  });
  out.push(`# score ${r.score}/${r.maxScore}`, `# time ${r.executionTime} s`, "");
  return out.join("\n");
}
