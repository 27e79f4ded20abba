# expect: callee-saved
# Fixes the crash and the counter, but still uses r13 without saving it.
.intel_syntax noprefix
.globl print_squares
print_squares:
    push rbx
    push r12
    push r14
    mov r12, rdi
    xor ebx, ebx
    call rt_current_output_port
    mov r13, rax
    mov r14d, 1
.loop:
    cmp r14, r12
    jg .done
    mov rdi, r14
    imul rdi, r14
    add rbx, rdi
    shl rdi, 3
    mov rsi, r13
    call writeln
    inc r14
    jmp .loop
.done:
    mov rax, rbx
    pop r14
    pop r12
    pop rbx
    ret
