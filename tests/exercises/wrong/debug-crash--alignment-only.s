# expect: wrong-result
# Fixes the alignment only: i is still in rcx, which writeln may change.
.intel_syntax noprefix
.globl print_squares
print_squares:
    push rbx
    push r12
    sub rsp, 8
    mov r12, rdi
    xor ebx, ebx
    call rt_current_output_port
    mov r13, rax
    mov ecx, 1
.loop:
    cmp rcx, r12
    jg .done
    mov rdi, rcx
    imul rdi, rcx
    add rbx, rdi
    shl rdi, 3
    mov rsi, r13
    call writeln
    inc rcx
    jmp .loop
.done:
    mov rax, rbx
    add rsp, 8
    pop r12
    pop rbx
    ret
