# expect: wrong-result
# Reads the arguments one slot too low: [rsp] is the return address.
.intel_syntax noprefix
.globl shim_add
shim_add:
    mov rdi, qword ptr [rsp]
    mov rsi, qword ptr [rsp + 8]
    sar rdi, 3
    sar rsi, 3
    sub rsp, 8
    call rt_add_i64
    add rsp, 8
    shl rax, 3
    ret
