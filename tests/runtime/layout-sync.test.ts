import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import * as layout from "../../src/values/layout.js";
import { generateLayoutRs, LAYOUT_RS, screamingSnake } from "../../scripts/gen-layout-rs.js";

void test("runtime-rs/src/layout.rs is what scripts/gen-layout-rs.ts generates from layout.ts", () => {
  const committed = readFileSync(LAYOUT_RS, "utf8");
  assert.equal(
    committed,
    generateLayoutRs(),
    "layout.rs is stale: run `node --import tsx scripts/gen-layout-rs.ts` (or npm run build:runtime)",
  );
});

void test("layout.rs has a Rust constant for every constant and every key of layout.ts", () => {
  const text = generateLayoutRs();
  const rust = new Map<string, string>();
  for (const m of text.matchAll(/^pub const (\w+): [^=]+= (.+);$/gm)) rust.set(m[1], m[2]);
  for (const [name, value] of Object.entries(layout)) {
    if (typeof value === "object") {
      for (const [key, v] of Object.entries(value as Record<string, number>)) {
        const rustName = `${screamingSnake(name)}_${screamingSnake(key)}`;
        assert.equal(rust.get(rustName), String(v), rustName);
      }
    } else if (typeof value === "string") {
      assert.equal(rust.get(name), JSON.stringify(value), name);
    } else {
      assert.equal(rust.get(name), String(value), name);
    }
  }
  assert.equal(rust.get("TAG_VECTOR_LIKE"), "7");
  assert.equal(rust.get("KIND_CLOSURE"), "1");
  assert.equal(rust.get("PORT_FIELD_SLOT"), "3");
  assert.equal(rust.get("PORT_DIRECTION_OUTPUT"), "1");
  assert.equal(rust.get("FIXNUM_MIN"), String(layout.FIXNUM_MIN));
  assert.match(text, /pub const FIXNUM_MIN: i64 = /);
});

void test("the runtime's sources use layout.rs, not magic tag numbers", () => {
  // Values are built and taken apart in value.rs with the generated constants only.
  const value = readFileSync(new URL("../../runtime-rs/src/value.rs", import.meta.url), "utf8");
  assert.match(value, /use crate::layout::\*;/);
  for (const line of value.split("\n")) {
    if (line.trim().startsWith("//")) continue;
    assert.doesNotMatch(
      line,
      /\b0b[01]+\b|\b0x[0-9a-f]{1,2}\b|[&|] ?[1-7]\b/,
      `magic number in value.rs: ${line}`,
    );
  }
});
