# expect: stack-alignment
# Saves two registers and forgets the padding: rsp is 8 off at every call.
.intel_syntax noprefix
.globl sum_squares
sum_squares:
    push rbx
    push r12
    mov r12, rdi
    xor ebx, ebx
    mov rax, 1
    push rax
.loop:
    mov rax, qword ptr [rsp]
    cmp rax, r12
    jg .done
    mov rdi, rbx
    mov rsi, rax
    imul rsi, rax
    push rax
    call rt_add_i64
    pop rcx
    mov rbx, rax
    inc qword ptr [rsp]
    jmp .loop
.done:
    pop rax
    mov rax, rbx
    pop r12
    pop rbx
    ret
