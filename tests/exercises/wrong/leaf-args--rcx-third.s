# expect: wrong-result
# Takes the third argument from rcx (the fourth argument's register).
.intel_syntax noprefix
.globl mul_add
mul_add:
    mov rax, rdi
    imul rax, rsi
    add rax, rcx
    ret
