# expect: wrong-result
# Expects rdi to survive the call to rt_current_output_port (it is caller-saved).
.intel_syntax noprefix
.globl show
show:
    sub rsp, 8
    call rt_current_output_port
    mov rsi, rax
    shl rdi, 3
    call writeln
    add rsp, 8
    ret
