import type { FunctionExercise } from "../types.js";
import { argsOf, intIn } from "./generators.js";

const fib = (n: bigint): bigint => {
  let [a, b] = [0n, 1n];
  for (let i = 0n; i < n; i++) [a, b] = [b, a + b];
  return a;
};

export const recursionFrames: FunctionExercise = {
  kind: "function",
  id: "recursion-frames",
  title: "Recursion: a frame per call, saved registers on the stack",
  statement: `Write fib recursively: fib(n) = n for n < 2, else fib(n - 1) + fib(n - 2).

Every call gets its own frame on the stack. n must survive the first recursive call, and
fib(n - 1) the second: keep them in callee-saved registers that you push in the prologue and
pop in the epilogue (each level saves its caller's values), or in stack slots of your frame.
The classic frame is push rbp; mov rbp, rsp ... leave (or mov rsp, rbp; pop rbp); ret.

fib calls itself, so the convention applies to those calls too: rsp a multiple of 16 at each
call, callee-saved registers back unchanged at each return.`,
  signature: "long fib(long n);",
  function: "fib",
  starter: {
    file: "fib.s",
    source: `.intel_syntax noprefix
.globl fib
# long fib(long n): n < 2 ? n : fib(n - 1) + fib(n - 2), recursively
fib:
    # TODO: the base case, then a frame, two recursive calls, the sum
    mov rax, rdi
    ret
`,
  },
  inputs: argsOf(intIn(0n, 15n)),
  edgeCases: [[0n], [1n], [2n], [3n], [10n], [18n]],
  expected: ([n]) => ({ rax: fib(n) }),
  maxSteps: 2_000_000,
  requirements: [{ kind: "calls", symbol: "fib", why: "fib must be recursive (call itself)" }],
  hints: ["three pushes (rbp, rbx, r12) leave rsp a multiple of 16 at the calls"],
};
