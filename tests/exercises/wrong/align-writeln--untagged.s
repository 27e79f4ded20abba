# expect: wrong-result
# Passes n as it is: writeln reads the raw integer as a tagged value.
.intel_syntax noprefix
.globl show
show:
    push rbx
    mov rbx, rdi
    call rt_current_output_port
    mov rsi, rax
    mov rdi, rbx
    call writeln
    pop rbx
    ret
