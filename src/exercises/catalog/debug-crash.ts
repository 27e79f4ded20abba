import type { FunctionExercise } from "../types.js";
import { argsOf, intIn } from "./generators.js";

const squares = (n: bigint) => Array.from({ length: Math.max(0, Number(n)) }, (_, i) => BigInt(i + 1) ** 2n);

export const debugCrash: FunctionExercise = {
  kind: "function",
  id: "debug-crash",
  title: "Debugging: why does this program crash?",
  statement: `The starter file is a finished function that crashes. It should print 1, 4, 9, ..., n*n, one per
line, with the runtime's writeln, and return their sum.

Find out why it crashes and fix it, changing as little as you can. There is more than one bug,
and each is a broken rule of the System V convention. Grade it (abi-lab check) and read the fault
report: the signal, the faulting instruction, rsp % 16 and the backtrace. abi-lab step and
abi-lab trace (with a small scheme_entry that calls it) show the calls as they happen.`,
  signature: "long print_squares(long n);   /* calls: writeln(Value, Value); rt_current_output_port() */",
  function: "print_squares",
  starter: {
    file: "print-squares.s",
    source: `.intel_syntax noprefix
.globl print_squares
# long print_squares(long n): print 1, 4, 9, ..., n*n (one per line, with writeln) and return
# their sum. It crashes: find out why and fix it.
print_squares:
    push rbx                    # the sum
    push r12                    # n
    mov r12, rdi
    xor ebx, ebx
    call rt_current_output_port
    mov r13, rax                # the port
    mov ecx, 1                  # i
.loop:
    cmp rcx, r12
    jg .done
    mov rdi, rcx
    imul rdi, rcx               # i * i
    add rbx, rdi
    shl rdi, 3                  # as a fixnum
    mov rsi, r13
    call writeln
    inc rcx
    jmp .loop
.done:
    mov rax, rbx
    pop r12
    pop rbx
    ret
`,
  },
  inputs: argsOf(intIn(0n, 12n)),
  edgeCases: [[1n], [0n], [3n], [10n]],
  expected: ([n]) => ({
    rax: squares(n).reduce((a, b) => a + b, 0n),
    stdout: squares(n)
      .map((s) => `${s}\n`)
      .join(""),
  }),
  requirements: [{ kind: "calls", symbol: "writeln", why: "the squares must be printed with writeln" }],
  hints: [
    "the fault report's rsp % 16 and the faulting movaps say something about alignment",
    "which registers does a call leave alone?",
  ],
};
