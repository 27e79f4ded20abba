import fc from "fast-check";
import type { FunctionExercise } from "../types.js";
import { int64, wrap } from "./generators.js";

export const stackArgs: FunctionExercise = {
  kind: "function",
  id: "stack-args",
  title: "More than six arguments: the 7th and 8th on the stack",
  statement: `Write alt_sum8, which returns a - b + c - d + e - f + g - h (wrapping on overflow).

Only six arguments fit in registers (rdi, rsi, rdx, rcx, r8, r9). The caller pushes the rest on
the stack, right to left, so that at the function's first instruction [rsp] is the return
address, [rsp + 8] the 7th argument (g) and [rsp + 16] the 8th (h).

The caller removes its stack arguments after the call: return with a plain ret.`,
  signature: "long alt_sum8(long a, long b, long c, long d, long e, long f, long g, long h);",
  function: "alt_sum8",
  starter: {
    file: "alt-sum8.s",
    source: `.intel_syntax noprefix
.globl alt_sum8
# long alt_sum8(long a, long b, long c, long d, long e, long f, long g, long h)
#   a..f in rdi, rsi, rdx, rcx, r8, r9; g and h on the stack
alt_sum8:
    # TODO: a - b + c - d + e - f + g - h into rax
    mov rax, rdi
    sub rax, rsi
    ret
`,
  },
  inputs: fc.array(int64(), { minLength: 8, maxLength: 8 }),
  edgeCases: [
    [1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n],
    [0n, 0n, 0n, 0n, 0n, 0n, 100n, 0n],
    [0n, 0n, 0n, 0n, 0n, 0n, 0n, 100n],
    [10n, 1n, 10n, 1n, 10n, 1n, 10n, 1n],
    [-1n, -2n, -3n, -4n, -5n, -6n, -7n, -8n],
  ],
  expected: (xs) => ({ rax: wrap(xs.reduce((s, x, i) => (i % 2 ? s - x : s + x), 0n)) }),
  hints: ["at entry [rsp] is the return address: g is at [rsp + 8], h at [rsp + 16]"],
};
