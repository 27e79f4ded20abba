# expect: wrong-result
# Forgets to advance the counter: the loop never ends (the step limit stops it).
.intel_syntax noprefix
.globl sum_squares
sum_squares:
    push rbx
    push r12
    push r13
    mov r13, rdi
    xor r12d, r12d
    mov ebx, 1
.loop:
    cmp rbx, r13
    jg .done
    mov rdi, r12
    mov rsi, rbx
    imul rsi, rbx
    call rt_add_i64
    mov r12, rax
    jmp .loop
.done:
    mov rax, r12
    pop r13
    pop r12
    pop rbx
    ret
