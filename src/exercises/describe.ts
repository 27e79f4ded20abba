import { RULES } from "../abi/conventions.js";
import { SCRAMBLED } from "./call-watch.js";
import { DEFAULT_POINTS } from "./report.js";
import type { Exercise } from "./types.js";

/** `ID  title` lines, aligned. */
export function listExercises(exercises: readonly Exercise[]): string {
  const width = Math.max(...exercises.map((e) => e.id.length));
  return exercises.map((e) => `${e.id.padEnd(width)}  ${e.title}\n`).join("");
}

/** What `abi-lab exercises ID` prints: the statement, the signature, what is checked, how to start. */
export function describeExercise(e: Exercise): string {
  const points = { ...DEFAULT_POINTS, ...e.points };
  const runs = e.numRuns ?? 100;
  const checked: string[] = [
    `results on ${e.edgeCases.length} fixed edge cases, against a reference model (${points["edge-cases"]} points)`,
    `results on ${runs} random inputs (fast-check; a failing input is shrunk) (${points["random-inputs"]} points)`,
  ];
  if (e.kind === "function") {
    checked.push(
      `the System V convention at every call and return (${points.convention} points):`,
      ...Object.entries(RULES).map(([rule, text]) => `    ${rule}: ${text}`),
      `    after each call into the runtime, ${SCRAMBLED.join(" ")} are overwritten (as any callee may)`,
    );
  } else {
    checked.push(
      `the conventions at every call and return: Scheme to Scheme, and System V at the border (${points.convention} points)`,
    );
  }
  for (const r of e.requirements ?? [])
    checked.push(
      r.kind === "calls"
        ? `calls ${r.symbol}: ${r.why} (${r.points ?? 1} point)`
        : `${r.rule}: ${r.why} (${r.points ?? 1} point)`,
    );
  const steps = e.maxSteps ?? (e.kind === "function" ? 200_000 : 50_000_000);
  checked.push(
    `each ${e.kind === "function" ? "call" : "run"} stops after ${steps.toLocaleString("en-US")} instructions`,
  );
  return [
    `${e.id}: ${e.title}`,
    "",
    e.statement.trim(),
    "",
    e.kind === "function" ? "C signature:" : "Procedure:",
    ...e.signature.split("\n").map((l) => `  ${l}`),
    "",
    "Checked:",
    ...checked.map((c) => (c.startsWith("    ") ? c : `  - ${c}`)),
    "",
    `Start:  abi-lab exercises ${e.id} --start     (writes ${e.starter.file})`,
    `Check:  abi-lab check ${e.starter.file} --exercise ${e.id}`,
    "",
  ].join("\n");
}
