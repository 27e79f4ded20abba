#!/usr/bin/env node
// Runs every tests/**/*.test.ts(x) file with node's test runner (tsx loads TypeScript).
// Extra arguments are passed to `node --test` (e.g. --test-name-pattern=...).
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === "node_modules" || name === "fixtures" ? [] : find(p);
    return /\.test\.tsx?$/.test(name) ? [p] : [];
  });
}

const files = find("tests").sort();
const r = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", "--test-concurrency=2", ...process.argv.slice(2), ...files],
  { stdio: "inherit" },
);
process.exit(r.status ?? 1);
