/**
 * The page-storage arena (arena.ts): pages handed out once each, given back pages zeroed before
 * they are handed out again, -1 when full; and a garbage-collected Memory's pages given back.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Arena } from "../../src/emulator/arena.js";
import { Memory, TLB_MASK, TLB_WORDS } from "../../src/emulator/memory.js";
import { PAGE_SIZE, Perm } from "../../src/emulator/types.js";

void test("Arena: page 0 is never handed out, given back pages come back zeroed, -1 when full", () => {
  const arena = new Arena(4 * PAGE_SIZE);
  const taken = [arena.take(), arena.take(), arena.take()];
  assert.deepEqual(taken, [PAGE_SIZE, 2 * PAGE_SIZE, 3 * PAGE_SIZE]);
  assert.equal(arena.take(), -1, "full");
  arena.view.setInt32(2 * PAGE_SIZE + 100, 1234, true);
  arena.give(2 * PAGE_SIZE);
  assert.equal(arena.take(), 2 * PAGE_SIZE);
  assert.equal(arena.view.getInt32(2 * PAGE_SIZE + 100, true), 0, "zeroed");
  assert.equal(arena.take(), -1);
  assert.equal(arena.zeroView.byteOffset, 0);
});

void test("a garbage-collected Memory's arena pages are given back", async () => {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  const a = 0x10000000;
  const offsetOf = (m: Memory): number => m.tlb[((a / PAGE_SIZE) & TLB_MASK) * TLB_WORDS + 6];
  // A memory holds a page; once it is unreachable and collected, the next memory to take a page
  // from the arena gets that one (the arena hands out given back pages first).
  let held = -1;
  (() => {
    const m = new Memory();
    m.map(a, PAGE_SIZE, Perm.read | Perm.write);
    m.store32(a, 99);
    held = offsetOf(m);
  })();
  assert.ok(held > 0);
  let reused = false;
  for (let tries = 0; tries < 50 && !reused; tries++) {
    gc();
    await new Promise((r) => setTimeout(r, 10));
    const m = new Memory();
    m.map(a, PAGE_SIZE, Perm.read | Perm.write);
    m.store32(a + 4, 1);
    reused = offsetOf(m) === held;
    if (reused) assert.equal(m.load32(a), 0, "handed out again zeroed");
  }
  assert.ok(reused, "the collected memory's page was handed out again");
});
