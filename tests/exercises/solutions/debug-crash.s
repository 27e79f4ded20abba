.intel_syntax noprefix
.globl print_squares
# Fixed: r13 (the port) and r14 (i, was rcx: lost at every call) are callee-saved and now
# saved; four pushes + sub rsp, 8 make rsp a multiple of 16 at the calls.
print_squares:
    push rbx                    # the sum
    push r12                    # n
    push r13                    # the port
    push r14                    # i
    sub rsp, 8                  # alignment
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
    add rsp, 8
    pop r14
    pop r13
    pop r12
    pop rbx
    ret
