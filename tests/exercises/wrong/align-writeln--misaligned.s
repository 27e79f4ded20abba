# expect: stack-alignment
# Saves n in rbx and keeps a frame pointer: two pushes leave rsp 8 off at the calls.
.intel_syntax noprefix
.globl show
show:
    push rbp
    mov rbp, rsp
    push rbx
    mov rbx, rdi
    call rt_current_output_port
    mov rsi, rax
    lea rdi, [8*rbx]
    call writeln
    pop rbx
    pop rbp
    ret
