/**
 * The machine's shadow call stack (shadow-stack.ts): frames pushed by call and popped by ret, in the
 * interpreter and inline in translated code, with the same frames either way; a ret past the top
 * frame (longjmp-like) pops down to its frame; recursion deeper than MAX_FRAMES is counted.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { MachineOptions } from "../../src/emulator/machine.js";
import { MAX_FRAMES, ShadowStack } from "../../src/emulator/shadow-stack.js";
import { Perm, type MachineObserver } from "../../src/emulator/types.js";
import { setup } from "./helpers.js";

const ENGINES: MachineOptions[] = [
  { translate: false },
  { translate: true, translateAfter: 0 },
  { translate: true, translateAfter: 3 },
  { translate: true },
];

void test("ShadowStack: push, pop to a matching frame, no pop without one, clear", () => {
  const s = new ShadowStack();
  s.push(0x10, 0x100, 0x15);
  s.push(0x110, 0x200, 0x115);
  s.push(0x210, 0x300, 0x215);
  assert.equal(s.size, 3);
  s.pop(0x9999); // matches no frame: nothing popped
  assert.equal(s.size, 3);
  s.pop(0x115); // past the top frame: pops down to the frame returned to
  assert.deepEqual(s.list, [{ callSite: 0x10, target: 0x100, returnAddress: 0x15 }]);
  s.pop(0x15);
  assert.equal(s.size, 0);
  s.push(1, 2, 3);
  s.clear();
  assert.deepEqual(s.list, []);
});

void test("ShadowStack: calls past MAX_FRAMES are counted, and their returns uncounted first", () => {
  const s = new ShadowStack();
  for (let i = 0; i < MAX_FRAMES + 5; i++) s.push(i, 0x1000, i + 1);
  assert.equal(s.size, MAX_FRAMES + 5);
  assert.equal(s.list.length, MAX_FRAMES);
  for (let i = MAX_FRAMES + 4; i >= 0; i--) s.pop(i + 1);
  assert.equal(s.size, 0);
});

/**
 * A longjmp, 50 times (so that it is translated): g returns straight to the loop's return point,
 * past f's frame.
 */
const LONGJMP = `
    mov r12, 50
again:
    call f
    dec r12
    jnz again
    mov rbx, 1
    int3
f:
    call g
    mov rbx, 2
    int3
g:
    add rsp, 8
    ret`;

/** The shadow stack after each return, then rbx and the shadow stack's size at the end. */
async function shadowAt(source: string, options: MachineOptions): Promise<string[]> {
  const { m } = await setup(source, Perm.read | Perm.exec, options);
  const seen: string[] = [];
  const observer: MachineObserver = {
    eventsOnly: true,
    onReturn: () => seen.push(JSON.stringify(m.shadow.list)),
  };
  m.addObserver(observer);
  const stop = m.run(100_000_000);
  assert.equal(stop.kind, "fault", "ends at int3");
  seen.push(`rbx=${m.getReg(3)} size=${m.shadow.size}`);
  return seen;
}

void test("a ret past the top frame pops down to its frame, interpreted and translated alike", async () => {
  const want = [...Array<string>(50).fill("[]"), "rbx=1 size=0"];
  for (const e of ENGINES) assert.deepEqual(await shadowAt(LONGJMP, e), want);
});

void test("recursion deeper than MAX_FRAMES: the deepest frames are counted, all are returned from", async () => {
  // rec(n): n calls deep, then back; the stack needs 8 bytes per frame.
  const depth = MAX_FRAMES + 10;
  const source = `
    mov rdi, ${depth}
    call rec
    mov rbx, 7
    int3
rec:
    test rdi, rdi
    jz done
    dec rdi
    call rec
done:
    ret`;
  for (const e of ENGINES) {
    const { m } = await setup(source, Perm.read | Perm.exec, e);
    m.memory.map(0x7ffff000 - 0x200000, 0x100000, Perm.read | Perm.write, "deeper stack");
    let deepest = 0;
    let kept = 0;
    const firstReturns: number[] = [];
    m.addObserver({
      eventsOnly: true,
      onReturn: () => {
        if (m.shadow.size + 1 > deepest) {
          deepest = m.shadow.size + 1;
          kept = m.shadow.list.length;
        }
        // The first returns are from counted calls: the frames kept stay.
        if (firstReturns.length < 12) firstReturns.push(m.shadow.list.length);
      },
    });
    const stop = m.run(100_000_000);
    assert.equal(stop.kind, "fault");
    assert.equal(m.getReg(3), 7n);
    assert.equal(deepest, depth + 1, "rec's frames and the first call's");
    assert.equal(kept, MAX_FRAMES);
    assert.deepEqual(firstReturns, [...Array<number>(11).fill(MAX_FRAMES), MAX_FRAMES - 1]);
    assert.equal(m.shadow.size, 0);
  }
});
