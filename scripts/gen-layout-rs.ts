/**
 * Generates `runtime-rs/src/layout.rs` from `src/values/layout.ts`, the single source of truth
 * for the value representation.
 *
 *   node --import tsx scripts/gen-layout-rs.ts          # write the file
 *   node --import tsx scripts/gen-layout-rs.ts --check  # exit 1 if the committed file is stale
 *
 * Every exported constant becomes a Rust `pub const`:
 * - a number becomes `u64` (or `i64` when negative), a bigint `i64`, a string `&str`, a boolean `bool`;
 * - an object of numbers (`Tag`, `Kind`, `PortField`, `PortDirection`) becomes one constant per key,
 *   named PREFIX_KEY in SCREAMING_SNAKE_CASE: `Tag.vectorLike` is `TAG_VECTOR_LIKE`.
 * Constants keep the order and the doc comments of the TypeScript source.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as layout from "../src/values/layout.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const LAYOUT_TS = join(ROOT, "src/values/layout.ts");
export const LAYOUT_RS = join(ROOT, "runtime-rs/src/layout.rs");

/** `vectorLike` → `VECTOR_LIKE`, `PortField` → `PORT_FIELD`, `TAG_BITS` stays. */
export function screamingSnake(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .toUpperCase();
}

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
const U64_MAX = 2n ** 64n - 1n;

function rustInteger(name: string, value: number | bigint): string {
  const big = BigInt(value);
  if (typeof value === "number" && !Number.isSafeInteger(value))
    throw new Error(`layout.ts: ${name} = ${value} is not an integer`);
  if (typeof value === "bigint" || big < 0n) {
    if (big < I64_MIN || big > I64_MAX) throw new Error(`layout.ts: ${name} = ${big} does not fit in i64`);
    return `pub const ${name}: i64 = ${big};`;
  }
  if (big > U64_MAX) throw new Error(`layout.ts: ${name} = ${big} does not fit in u64`);
  return `pub const ${name}: u64 = ${big};`;
}

function rustItem(name: string, value: unknown): string[] {
  switch (typeof value) {
    case "number":
    case "bigint":
      return [rustInteger(name, value)];
    case "string":
      return [`pub const ${name}: &str = ${JSON.stringify(value)};`];
    case "boolean":
      return [`pub const ${name}: bool = ${value};`];
    case "object": {
      if (value === null || Array.isArray(value)) break;
      const prefix = screamingSnake(name);
      return Object.entries(value as Record<string, unknown>).map(([key, v]) => {
        if (typeof v !== "number" && typeof v !== "bigint")
          throw new Error(`layout.ts: ${name}.${key} is a ${typeof v}, not a number`);
        return rustInteger(`${prefix}_${screamingSnake(key)}`, v);
      });
    }
  }
  throw new Error(`layout.ts: cannot translate ${name} (${typeof value}) to Rust`);
}

interface Declaration {
  name: string;
  /** The `/** ... *\/` comment right above the declaration, one entry per line. */
  doc: string[];
  /** A blank line (or a detached comment) separates it from the previous declaration. */
  gap: boolean;
}

/** The file's leading comment, and each `export const` in source order with its comment. */
function parseSource(source: string): { header: string[]; decls: Declaration[] } {
  const header: string[] = [];
  const decls: Declaration[] = [];
  let doc: string[] | undefined;
  let inComment = false;
  let gap = false;
  let sawCode = false;
  for (const raw of source.split("\n")) {
    const line = raw.trim();
    if (inComment || line.startsWith("/**")) {
      if (!inComment) doc = [];
      inComment = !line.endsWith("*/");
      const text = line
        .replace(/^\/\*\*\s?/, "")
        .replace(/\s*\*\/$/, "")
        .replace(/^\*\s?/, "")
        .trimEnd();
      if (text !== "" || doc!.length > 0) doc!.push(text);
      continue;
    }
    if (line === "") {
      // A comment followed by a blank line is not attached to what follows.
      if (doc && !sawCode && decls.length === 0) header.push(...doc);
      if (doc) gap = true;
      doc = undefined;
      gap = true;
      continue;
    }
    const m = /^export const (\w+)/.exec(line);
    if (m) {
      while (doc && doc.length > 0 && doc[doc.length - 1] === "") doc.pop();
      decls.push({ name: m[1], doc: doc ?? [], gap: gap || (doc ?? []).length > 0 });
    }
    sawCode = true;
    doc = undefined;
    gap = false;
  }
  while (header.length > 0 && header[header.length - 1] === "") header.pop();
  return { header, decls };
}

/** The text of `runtime-rs/src/layout.rs`. */
export function generateLayoutRs(source: string = readFileSync(LAYOUT_TS, "utf8")): string {
  const values = layout as Record<string, unknown>;
  const { header, decls } = parseSource(source);
  const names = new Set(decls.map((e) => e.name));
  for (const name of Object.keys(values).sort())
    if (!names.has(name)) decls.push({ name, doc: [], gap: true });

  const lines = [
    "// @generated by scripts/gen-layout-rs.ts from src/values/layout.ts: do not edit.",
    "// Run `node --import tsx scripts/gen-layout-rs.ts` (or `npm run build:runtime`) after changing",
    "// layout.ts; tests/runtime/layout-sync.test.ts fails when this file is stale.",
    "",
    "//! The value representation, generated from `src/values/layout.ts`, whose comment follows.",
    "//!",
    ...header.map((d) => (d === "" ? "//!" : `//! ${d}`)),
    "",
    "#![allow(dead_code)]",
  ];
  const seen = new Set<string>();
  for (const { name, doc, gap } of decls) {
    if (!(name in values)) throw new Error(`layout.ts: ${name} is declared but not exported`);
    const items = rustItem(name, values[name]);
    for (const item of items) {
      const rustName = /^pub const (\w+)/.exec(item)![1];
      if (seen.has(rustName)) throw new Error(`layout.ts: two constants named ${rustName} in Rust`);
      seen.add(rustName);
    }
    const group = items.length > 1 || typeof values[name] === "object";
    if (gap || group || lines[lines.length - 1].startsWith("pub const") === false) lines.push("");
    for (const d of doc) lines.push(d === "" ? "///" : `/// ${d}`);
    if (group) lines.push(`// ${name}`);
    lines.push(...items);
    if (group) lines.push("");
  }
  return (
    lines
      .join("\n")
      .replace(/\n{3,}/g, "\n\n")
      .trimEnd() + "\n"
  );
}

function main(): void {
  const text = generateLayoutRs();
  if (process.argv.includes("--check")) {
    let current = "";
    try {
      current = readFileSync(LAYOUT_RS, "utf8");
    } catch {
      // missing: stale
    }
    if (current !== text) {
      console.error(`${LAYOUT_RS} is stale: run node --import tsx scripts/gen-layout-rs.ts`);
      process.exit(1);
    }
    return;
  }
  writeFileSync(LAYOUT_RS, text);
  console.log(`wrote ${LAYOUT_RS}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
