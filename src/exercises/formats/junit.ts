import type { GradeReport } from "../report.js";

/** Text as XML character data or an attribute value: escaped, and without the characters XML 1.0 forbids. */
export function xmlText(s: string): string {
  return s
    .replace(
      /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
    )
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

/** JUnit XML: one test suite (the exercise), one test case per graded part. */
export function formatJunit(r: GradeReport): string {
  const failures = r.tests.filter((t) => !t.passed).length;
  const lines = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="abi-lab check" tests="${r.tests.length}" failures="${failures}" time="${r.executionTime}">`,
    `  <testsuite name="${xmlText(r.exercise)}" tests="${r.tests.length}" failures="${failures}" errors="0" skipped="0" time="${r.executionTime}">`,
    `    <properties>`,
    `      <property name="file" value="${xmlText(r.file)}"/>`,
    `      <property name="score" value="${r.score}"/>`,
    `      <property name="max_score" value="${r.maxScore}"/>`,
    `      <property name="seed" value="${r.seed}"/>`,
    `    </properties>`,
  ];
  for (const t of r.tests) {
    const head = `    <testcase classname="${xmlText(`abi-lab.${r.exercise}`)}" name="${xmlText(t.name)}"`;
    if (t.passed) {
      lines.push(`${head}>`, `      <system-out>${xmlText(t.output)}</system-out>`, `    </testcase>`);
      continue;
    }
    const type = t.failure?.rule ?? (t.kind === "convention" ? "convention" : "wrong-result");
    const message = t.output.split("\n").find((l) => l.trim()) ?? "failed";
    lines.push(
      `${head}>`,
      `      <failure message="${xmlText(message)}" type="${xmlText(type)}">${xmlText(t.output)}</failure>`,
      `    </testcase>`,
    );
  }
  lines.push(`  </testsuite>`, `</testsuites>`, "");
  return lines.join("\n");
}
