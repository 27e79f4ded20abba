# expect: callee-saved
# Uses rbx as scratch: rbx is callee-saved, the caller finds it changed.
.intel_syntax noprefix
.globl mul_add
mul_add:
    mov rbx, rdi
    imul rbx, rsi
    lea rax, [rbx + rdx]
    ret
