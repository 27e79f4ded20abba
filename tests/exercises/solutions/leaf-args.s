.intel_syntax noprefix
.globl mul_add
# long mul_add(long a, long b, long c)
mul_add:
    mov rax, rdi
    imul rax, rsi
    add rax, rdx
    ret
