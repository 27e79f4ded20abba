import type { FunctionExercise } from "../types.js";
import { argsOf, INT64_MAX, INT64_MIN, int64, wrap } from "./generators.js";

export const leafArgs: FunctionExercise = {
  kind: "function",
  id: "leaf-args",
  title: "A leaf function: arguments in registers, result in rax",
  statement: `Write mul_add, which returns a * b + c (wrapping around on overflow, as the hardware does).

System V passes the first six integer arguments in rdi, rsi, rdx, rcx, r8, r9, in that order,
and the result comes back in rax. A leaf function (one that calls nothing) needs no stack frame:
read the arguments from their registers, compute, put the result in rax, ret.

Use only rax and the argument registers as scratch: rbx, rbp and r12-r15 belong to the caller.`,
  signature: "long mul_add(long a, long b, long c);",
  function: "mul_add",
  starter: {
    file: "mul-add.s",
    source: `.intel_syntax noprefix
.globl mul_add
# long mul_add(long a, long b, long c): a in rdi, b in rsi, c in rdx; result in rax
mul_add:
    # TODO: compute a * b + c into rax
    xor eax, eax
    ret
`,
  },
  inputs: argsOf(int64(), int64(), int64()),
  edgeCases: [
    [2n, 3n, 4n],
    [0n, 0n, 0n],
    [-5n, 7n, 1n],
    [1n, 1n, -1n],
    [INT64_MAX, 2n, 0n],
    [INT64_MIN, -1n, 0n],
    [123456789n, 1000n, -987654321n],
  ],
  expected: ([a, b, c]) => ({ rax: wrap(a * b + c) }),
  hints: ["the third argument is in rdx (rcx is the fourth)", "imul rax, rsi multiplies rax by rsi"],
};
