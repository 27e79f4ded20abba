import fc from "fast-check";
import type { FunctionExercise } from "../types.js";
import { INT64_MAX, INT64_MIN, int64 } from "./generators.js";

export const structReturn: FunctionExercise = {
  kind: "function",
  id: "struct-return",
  title: "Returning a 16-byte struct in rax:rdx",
  statement: `Write divmod, which returns both the quotient and the remainder of a / b, truncating toward
zero as C does (the remainder has the sign of a).

A struct of two longs (16 bytes, all integer fields) is returned in registers: the first field
in rax, the second in rdx. No memory is involved: the caller reads both registers.

idiv divides the 128-bit rdx:rax by its operand, leaving the quotient in rax and the remainder
in rdx; rdx must hold the sign extension of rax first (cqo). The grader never passes b = 0,
nor a = LONG_MIN with b = -1.`,
  signature: "struct qr { long q; long r; };\nstruct qr divmod(long a, long b);",
  function: "divmod",
  starter: {
    file: "divmod.s",
    source: `.intel_syntax noprefix
.globl divmod
# struct qr { long q; long r; } divmod(long a, long b): q in rax, r in rdx
divmod:
    # TODO: quotient in rax, remainder in rdx
    xor eax, eax
    xor edx, edx
    ret
`,
  },
  inputs: fc
    .tuple(int64(), fc.oneof(int64(), fc.bigInt({ min: -20n, max: 20n })))
    .filter(([a, b]) => b !== 0n && !(a === INT64_MIN && b === -1n))
    .map(([a, b]) => [a, b]),
  edgeCases: [
    [7n, 2n],
    [-7n, 2n],
    [7n, -2n],
    [-7n, -2n],
    [0n, 5n],
    [INT64_MAX, 1n],
    [INT64_MIN, 2n],
    [5n, 7n],
  ],
  expected: ([a, b]) => ({ rax: a / b, rdx: a % b }),
  resultNames: { rax: "q", rdx: "r" },
  hints: ["mov rax, rdi; cqo; idiv rsi", "xor edx, edx before idiv is right only for a >= 0"],
};
