/**
 * fstpnce (D9 D8+i, "fstp1": store and pop with No Check of Empty) from an empty st(0), against
 * the CPU: no stack underflow (unlike fstp st(i)), st(i) is not written, st(0) is popped. The
 * status word is stored right after it, before later instructions set flags of their own (the
 * sweep found this only when fnstsw came straight after; the final status word hid it).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { assemble } from "./keystone.js";
import { CODE_ADDR, compare, nativeRunner, runEmulated, runNative, snippetCase } from "./native.js";

const CASES: Record<string, string> = {
  "st(0) and st(1) empty": `
    fld1
    fistp dword ptr [r14 + 0x120]
    .byte 0xd9, 0xd9
    fnstsw word ptr [r14 + 0x11c]`,
  "st(0) empty, st(1) full": `
    fld1
    fldz
    ffree st(0)
    .byte 0xd9, 0xd9
    fnstsw word ptr [r14 + 0x11c]
    fstp tbyte ptr [r14 + 0x200]`,
  "st(0) full (a plain store and pop)": `
    fld1
    fldpi
    .byte 0xd9, 0xd9
    fnstsw word ptr [r14 + 0x11c]
    fstp tbyte ptr [r14 + 0x200]`,
};

void test(
  "fstpnce from an empty st(0) does not underflow",
  { skip: nativeRunner() === null && "needs x86-64 Linux and gcc" },
  async () => {
    for (const [name, source] of Object.entries(CASES)) {
      const code = await assemble(`${source}\n    fnstsw ax\n    int3`, CODE_ADDR);
      const c = snippetCase(code);
      const [native] = runNative([c]);
      assert.equal(native.signal, 5, `${name}: runs to its int3 natively`);
      assert.deepEqual(compare(native, runEmulated(c)), [], name);
    }
  },
);
