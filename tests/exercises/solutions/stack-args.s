.intel_syntax noprefix
.globl alt_sum8
alt_sum8:
    mov rax, rdi
    sub rax, rsi
    add rax, rdx
    sub rax, rcx
    add rax, r8
    sub rax, r9
    add rax, qword ptr [rsp + 8]
    sub rax, qword ptr [rsp + 16]
    ret
