/**
 * Which operand cmps reads first shows when both fault: the CPU reports that one's address (the
 * order is not architectural). Measured here: [rdi] first, except in `repe cmpsb` (memcmp's),
 * which reads [rsi] first. Against the CPU, for every width, with and without rep, and in the
 * byte-span path of long `rep cmpsb`.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { assemble } from "./keystone.js";
import {
  CODE_ADDR,
  DATA_ADDR,
  compare,
  nativeRunner,
  runEmulated,
  runNative,
  snippetCase,
} from "./native.js";

const BOTH_UNMAPPED = "mov rsi, 0x30000000\n    mov rdi, 0x40000000";
const CASES: Record<string, string> = {
  cmpsb: `${BOTH_UNMAPPED}\n    cmpsb`,
  cmpsw: `${BOTH_UNMAPPED}\n    cmpsw`,
  cmpsd: `${BOTH_UNMAPPED}\n    cmpsd`,
  cmpsq: `${BOTH_UNMAPPED}\n    cmpsq`,
  "repe cmpsd": `${BOTH_UNMAPPED}\n    mov ecx, 3\n    repe cmpsd`,
  "repe cmpsb": `${BOTH_UNMAPPED}\n    mov ecx, 3\n    repe cmpsb`,
  "repe cmpsb over page spans": `${BOTH_UNMAPPED}\n    mov ecx, 100000\n    repe cmpsb`,
  "repne cmpsb over page spans": `${BOTH_UNMAPPED}\n    mov ecx, 100000\n    repne cmpsb`,
  "repne cmpsw": `${BOTH_UNMAPPED}\n    mov ecx, 5\n    repne cmpsw`,
  "std; repe cmpsq off the start of the data": `lea rsi, [r14 - 0x198]\n    lea rdi, [r14 - 0x194]\n    mov ecx, 207\n    std\n    repe cmpsq\n    cld`,
  "only [rsi] unmapped": `mov rsi, 0x30000000\n    lea rdi, [r14]\n    cmpsq`,
  "[rsi] across the start of the data": `mov rsi, ${DATA_ADDR - 4}\n    mov rdi, ${DATA_ADDR - 16}\n    cmpsq`,
};

void test(
  "cmps reads [rdi] first, repe cmpsb [rsi] first",
  { skip: nativeRunner() === null && "needs x86-64 Linux and gcc" },
  async () => {
    for (const [name, source] of Object.entries(CASES)) {
      const code = await assemble(`    ${source}\n    int3`, CODE_ADDR);
      const c = snippetCase(code);
      const [native] = runNative([c]);
      assert.equal(native.signal, 11, `${name}: faults natively`);
      assert.deepEqual(compare(native, runEmulated(c)), [], name);
    }
  },
);
