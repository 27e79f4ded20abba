import type { FunctionExercise } from "../types.js";
import { argsOf, intIn } from "./generators.js";

const LIMIT = 2n ** 50n;

/** A variadic function as gcc compiles one: xmm0-xmm7 are saved for va_arg only when al != 0. */
const VSUM_D = `
.globl vsum_d
# double vsum_d(long n, ...): the sum of the n doubles after n (at most 8, all in xmm registers)
vsum_d:
    push rbp
    mov rbp, rsp
    sub rsp, 64
    xor ecx, ecx
.Lvsum_zero:
    mov qword ptr [rbp + 8*rcx - 64], 0
    inc ecx
    cmp ecx, 8
    jb .Lvsum_zero
    test al, al                  # al: how many vector registers hold arguments
    je .Lvsum_saved
    movsd qword ptr [rbp - 64], xmm0
    movsd qword ptr [rbp - 56], xmm1
    movsd qword ptr [rbp - 48], xmm2
    movsd qword ptr [rbp - 40], xmm3
    movsd qword ptr [rbp - 32], xmm4
    movsd qword ptr [rbp - 24], xmm5
    movsd qword ptr [rbp - 16], xmm6
    movsd qword ptr [rbp - 8], xmm7
.Lvsum_saved:
    xorpd xmm0, xmm0
    xor ecx, ecx
.Lvsum_add:
    cmp rcx, rdi
    jge .Lvsum_done
    cmp ecx, 8
    jge .Lvsum_done
    addsd xmm0, qword ptr [rbp + 8*rcx - 64]
    inc ecx
    jmp .Lvsum_add
.Lvsum_done:
    leave
    ret
`;

/** VSUM_D in AT&T syntax. */
const VSUM_D_ATT = `
.globl vsum_d
vsum_d:
    pushq %rbp
    movq %rsp, %rbp
    subq $64, %rsp
    xorl %ecx, %ecx
.Lvsum_zero:
    movq $0, -64(%rbp,%rcx,8)
    incl %ecx
    cmpl $8, %ecx
    jb .Lvsum_zero
    testb %al, %al
    je .Lvsum_saved
    movsd %xmm0, -64(%rbp)
    movsd %xmm1, -56(%rbp)
    movsd %xmm2, -48(%rbp)
    movsd %xmm3, -40(%rbp)
    movsd %xmm4, -32(%rbp)
    movsd %xmm5, -24(%rbp)
    movsd %xmm6, -16(%rbp)
    movsd %xmm7, -8(%rbp)
.Lvsum_saved:
    xorpd %xmm0, %xmm0
    xorl %ecx, %ecx
.Lvsum_add:
    cmpq %rdi, %rcx
    jge .Lvsum_done
    cmpl $8, %ecx
    jge .Lvsum_done
    addsd -64(%rbp,%rcx,8), %xmm0
    incl %ecx
    jmp .Lvsum_add
.Lvsum_done:
    leave
    ret
`;

export const variadicAl: FunctionExercise = {
  kind: "function",
  id: "variadic-al",
  title: "Calling a variadic function: doubles in xmm, their count in al",
  statement: `Write sum2, which converts a and b to double, calls the variadic function
vsum_d(2, (double)a, (double)b) and returns its result converted back to long.

A variadic callee does not know the types of its extra arguments. System V passes them like
any others (integers in rdi, rsi, ...; doubles in xmm0, xmm1, ...) and adds one rule: al holds
an upper bound (0 to 8) on the number of vector registers used. A variadic function compiled by
gcc saves xmm0-xmm7 for va_arg only when al is not zero. This exercise asks for the exact count,
as compilers set it: al = 2.

vsum_d is provided (it is linked with your answer). Useful instructions: cvtsi2sd xmm0, rdi
(long to double), cvttsd2si rax, xmm0 (double to long). A double comes back in xmm0.`,
  signature: "long sum2(long a, long b);   /* calls: double vsum_d(long n, ...); */",
  function: "sum2",
  support: VSUM_D,
  supportAtt: VSUM_D_ATT,
  starter: {
    file: "sum2.s",
    source: `.intel_syntax noprefix
.globl sum2
# long sum2(long a, long b): (long) vsum_d(2, (double) a, (double) b)
sum2:
    # TODO: convert a and b to doubles in xmm0 and xmm1, n in rdi, set al, call vsum_d
    xor eax, eax
    ret
`,
  },
  inputs: argsOf(intIn(-LIMIT, LIMIT), intIn(-LIMIT, LIMIT)),
  edgeCases: [
    [1n, 2n],
    [0n, 0n],
    [-5n, 3n],
    [1000000n, -1n],
  ],
  expected: ([a, b]) => ({ rax: a + b }),
  requirements: [
    { kind: "calls", symbol: "vsum_d", why: "the sum must come from vsum_d" },
    {
      kind: "argument",
      symbol: "vsum_d",
      register: "rax",
      bits: 8,
      expected: () => 2n,
      rule: "variadic-al",
      why: "al must hold the number of vector registers used by a variadic call (2: xmm0 and xmm1)",
    },
  ],
  hints: ["mov eax, 2 just before the call", "one call with no push: sub rsp, 8 to align"],
};
