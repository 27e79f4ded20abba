import fc from "fast-check";
import type { FunctionExercise } from "../types.js";

const nibbles = (x: bigint) => Array.from({ length: 16 }, (_, i) => Number((x >> BigInt(4 * i)) & 15n));

export const redZone: FunctionExercise = {
  kind: "function",
  id: "red-zone",
  title: "The red zone: 128 bytes below rsp for a leaf function",
  statement: `Write most_common_nibble, which returns the hexadecimal digit (0-15) that occurs most often
among the 16 nibbles of x; on a tie, the smallest such digit.

Keep a table of 16 counters (one 8-byte long each: 128 bytes) in the red zone: System V lets a
leaf function use the 128 bytes below rsp without moving rsp, because nothing (not even a signal
handler) writes there. The table fits exactly: [rsp - 128] up to [rsp - 8]. One byte further down
is outside the red zone, and [rsp] itself holds your return address.`,
  signature: "long most_common_nibble(unsigned long x);",
  function: "most_common_nibble",
  starter: {
    file: "most-common-nibble.s",
    source: `.intel_syntax noprefix
.globl most_common_nibble
# long most_common_nibble(unsigned long x): the most frequent hex digit of x (smallest on a tie)
# Use 16 counters of 8 bytes in the red zone: [rsp - 128] .. [rsp - 8]
most_common_nibble:
    # TODO: zero the counters, count the 16 nibbles, find the largest count
    xor eax, eax
    ret
`,
  },
  inputs: fc
    .oneof(
      fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      fc
        .array(fc.integer({ min: 0, max: 15 }), { minLength: 16, maxLength: 16 })
        .chain((pool) =>
          fc
            .array(fc.constantFrom(...pool.slice(0, 4)), { minLength: 16, maxLength: 16 })
            .map((ds) => ds.reduce((x, d, i) => x | (BigInt(d) << BigInt(4 * i)), 0n)),
        ),
    )
    .map((x) => [x]),
  edgeCases: [
    [0n],
    [2n ** 64n - 1n],
    [0x0123456789abcdefn],
    [0xf0f0f0f0f0f0f0f1n],
    [0x7n],
    [0xfedcba9876543210n],
  ],
  expected: ([x]) => {
    const counts = new Array<number>(16).fill(0);
    for (const d of nibbles(BigInt.asUintN(64, x))) counts[d]++;
    return { rax: BigInt(counts.indexOf(Math.max(...counts))) };
  },
  showArgs: ([x]) => `0x${BigInt.asUintN(64, x).toString(16)}`,
  hints: [
    "counter k lives at [rsp + 8*k - 128]",
    "shr rdi, 4 moves to the next nibble; and edx, 15 keeps one",
  ],
};
