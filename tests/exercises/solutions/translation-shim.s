.intel_syntax noprefix
.globl shim_add
shim_add:
    mov rdi, qword ptr [rsp + 8]    # a (tagged)
    mov rsi, qword ptr [rsp + 16]   # b (tagged)
    sar rdi, 3                      # untag: C longs
    sar rsi, 3
    sub rsp, 8                      # align for the System V call
    call rt_add_i64
    add rsp, 8
    shl rax, 3                      # tag the result
    ret
