/**
 * Instructions known from an earlier run (src/emulator/known-instructions.ts) give the same ops as
 * decoding anew, are not used where the guest's bytes differ from theirs, and survive the object
 * cache.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { serialize } from "node:v8";
import { entryOf, instructionsOfEntry } from "../../src/cache/decoded-instructions.js";
import { KnownInstructions } from "../../src/emulator/known-instructions.js";
import type { Op } from "../../src/emulator/op.js";
import { CODE, setup } from "./helpers.js";

const PROGRAM = `
    mov rax, 0x1122334455667788
    lea rcx, [rip + 0x40]
    add qword ptr [rsp + 8], 3
    cmp eax, 7
    jne skip
    movsd xmm0, qword ptr [rcx + rax*8 - 16]
skip:
    rep stosb
    call done
done:
    int3`;

/** An op's fields, without its handler's identity. */
const fields = (o: Op) => ({ ...o, fn: o.fn.name });

void test("a machine with known instructions builds the same ops without decoding", async () => {
  const known = new KnownInstructions();
  const first = await setup(PROGRAM);
  first.m.cache.known = known;
  const decoded = first.m.cache.get(CODE).ops.map(fields);
  assert.equal(known.added, decoded.length);
  assert.ok(decoded.length >= 5);

  const again = new KnownInstructions(known.all());
  const second = await setup(PROGRAM);
  second.m.cache.known = again;
  assert.deepEqual(second.m.cache.get(CODE).ops.map(fields), decoded);
  assert.equal(again.added, 0, "nothing decoded anew");
});

void test("a known instruction whose bytes are not the guest's is decoded anew", async () => {
  const known = new KnownInstructions();
  const first = await setup("mov eax, 1\n int3");
  first.m.cache.known = known;
  first.m.cache.get(CODE);
  const other = await setup("mov eax, 2\n int3");
  const reused = new KnownInstructions(known.all());
  other.m.cache.known = reused;
  const op = other.m.cache.get(CODE).ops[0];
  assert.equal(op.ilo, 2);
  assert.equal(reused.added, 1, "the mov is decoded again (int3 is the same)");
  other.m.run(100);
  assert.equal(other.m.getRegister("rax"), 2n);
});

void test("known instructions come back from an object-cache entry as they were", async () => {
  const known = new KnownInstructions();
  const { m } = await setup(PROGRAM);
  m.cache.known = known;
  m.cache.get(CODE);
  const all = known.all();
  assert.ok(all.length >= 5);
  assert.deepEqual(instructionsOfEntry(entryOf(all)), all);
  assert.deepEqual(instructionsOfEntry(serialize([{ not: "a row" }])), []);
});
