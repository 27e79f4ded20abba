.intel_syntax noprefix
.globl sum_squares
sum_squares:
    push rbx                 # i
    push r12                 # the sum
    push r13                 # n
    mov r13, rdi
    xor r12d, r12d
    mov ebx, 1
.loop:
    cmp rbx, r13
    jg .done
    mov rdi, r12
    mov rsi, rbx
    imul rsi, rbx
    call rt_add_i64          # three pushes + return address: rsp is a multiple of 16
    mov r12, rax
    inc rbx
    jmp .loop
.done:
    mov rax, r12
    pop r13
    pop r12
    pop rbx
    ret
