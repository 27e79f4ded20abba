# expect: callee-saved
# Uses rbx and r12 without saving them: the caller's values are lost.
.intel_syntax noprefix
.globl sum_squares
sum_squares:
    sub rsp, 8
    mov r12, rdi
    xor ebx, ebx
    mov r13, 1
.loop:
    cmp r13, r12
    jg .done
    mov rdi, rbx
    mov rsi, r13
    imul rsi, r13
    call rt_add_i64
    mov rbx, rax
    inc r13
    jmp .loop
.done:
    mov rax, rbx
    add rsp, 8
    ret
