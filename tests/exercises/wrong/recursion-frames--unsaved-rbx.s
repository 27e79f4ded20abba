# expect: callee-saved
# Keeps n and fib(n - 1) in rbx and r12 without saving them: each level destroys its caller's.
.intel_syntax noprefix
.globl fib
fib:
    cmp rdi, 2
    jl .base
    sub rsp, 8
    mov rbx, rdi
    lea rdi, [rbx - 1]
    call fib
    mov r12, rax
    lea rdi, [rbx - 2]
    call fib
    add rax, r12
    add rsp, 8
    ret
.base:
    mov rax, rdi
    ret
