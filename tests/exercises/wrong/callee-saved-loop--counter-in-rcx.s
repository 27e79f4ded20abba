# expect: wrong-result
# Keeps the counter in rcx: caller-saved, so the runtime may change it (the grader does).
.intel_syntax noprefix
.globl sum_squares
sum_squares:
    push rbx
    push r12
    sub rsp, 8
    mov r12, rdi
    xor ebx, ebx
    mov ecx, 1
.loop:
    cmp rcx, r12
    jg .done
    mov rdi, rbx
    mov rsi, rcx
    imul rsi, rcx
    call rt_add_i64
    mov rbx, rax
    inc rcx
    jmp .loop
.done:
    mov rax, rbx
    add rsp, 8
    pop r12
    pop rbx
    ret
