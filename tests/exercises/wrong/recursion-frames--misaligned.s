# expect: stack-alignment
# A frame pointer and one saved register: rsp is 8 off at the recursive calls.
.intel_syntax noprefix
.globl fib
fib:
    cmp rdi, 2
    jl .base
    push rbp
    mov rbp, rsp
    push rbx
    mov rbx, rdi
    lea rdi, [rbx - 1]
    call fib
    mov qword ptr [rbp - 16], rax
    sub rsp, 8
    lea rdi, [rbx - 2]
    call fib
    add rax, qword ptr [rbp - 16]
    mov rbx, qword ptr [rbp - 8]
    leave
    ret
.base:
    mov rax, rdi
    ret
