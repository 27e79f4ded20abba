import type { FunctionExercise } from "../types.js";
import { argsOf, intIn } from "./generators.js";

export const calleeSavedLoop: FunctionExercise = {
  kind: "function",
  id: "callee-saved-loop",
  title: "A loop that calls out: keep your state in callee-saved registers",
  statement: `Write sum_squares, which returns 1*1 + 2*2 + ... + n*n (0 when n <= 0), doing every addition
with a call to the runtime's rt_add_i64(a, b), which returns a + b.

Across a call, only rbx, rbp and r12-r15 keep their values: the callee may change every other
register (the grader makes sure of that: after each call into the runtime it overwrites rcx, rdx,
rsi, rdi and r8-r11). So keep the counter and the running sum in callee-saved registers, and
since your caller expects them back unchanged, push them at the start and pop them before ret.

Mind the alignment: rsp must be a multiple of 16 at each call.`,
  signature: "long sum_squares(long n);   /* calls: long rt_add_i64(long a, long b); */",
  function: "sum_squares",
  starter: {
    file: "sum-squares.s",
    source: `.intel_syntax noprefix
.globl sum_squares
# long sum_squares(long n): 1*1 + ... + n*n, each addition a call to rt_add_i64(a, b)
sum_squares:
    # TODO: save the callee-saved registers you use, loop i = 1..n calling rt_add_i64
    xor eax, eax
    ret
`,
  },
  inputs: argsOf(intIn(-3n, 120n)),
  edgeCases: [[0n], [1n], [2n], [3n], [10n], [-5n]],
  expected: ([n]) => ({ rax: n <= 0n ? 0n : (n * (n + 1n) * (2n * n + 1n)) / 6n }),
  requirements: [{ kind: "calls", symbol: "rt_add_i64", why: "each addition must be a call to rt_add_i64" }],
  hints: [
    "two pushes (e.g. rbx and r12) plus the return address leave rsp 8 off: add sub rsp, 8",
    "rcx and rdx do not survive a call",
  ],
};
