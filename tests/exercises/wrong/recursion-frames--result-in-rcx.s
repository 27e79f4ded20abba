# expect: wrong-result
# Keeps fib(n - 1) in rcx across the second call: the recursive call changes rcx.
.intel_syntax noprefix
.globl fib
fib:
    cmp rdi, 2
    jl .base
    push rbx
    mov rbx, rdi
    lea rdi, [rbx - 1]
    call fib
    mov rcx, rax
    lea rdi, [rbx - 2]
    call fib
    add rax, rcx
    pop rbx
    ret
.base:
    mov rax, rdi
    mov rcx, rdi
    ret
