# expect: stack-alignment
# Calls rt_add_i64 straight away: rsp is 8 off at the call.
.intel_syntax noprefix
.globl shim_add
shim_add:
    mov rdi, qword ptr [rsp + 8]
    mov rsi, qword ptr [rsp + 16]
    sar rdi, 3
    sar rsi, 3
    call rt_add_i64
    shl rax, 3
    ret
