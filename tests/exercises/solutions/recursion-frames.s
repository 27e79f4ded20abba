.intel_syntax noprefix
.globl fib
fib:
    cmp rdi, 2
    jl .base
    push rbp
    mov rbp, rsp
    push rbx                # n
    push r12                # fib(n - 1)
    mov rbx, rdi
    lea rdi, [rbx - 1]
    call fib
    mov r12, rax
    lea rdi, [rbx - 2]
    call fib
    add rax, r12
    pop r12
    pop rbx
    pop rbp
    ret
.base:
    mov rax, rdi
    ret
