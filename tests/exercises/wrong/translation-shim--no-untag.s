# expect: untag-arguments
# Passes the tagged words to the C function as they are, then tags the result again.
.intel_syntax noprefix
.globl shim_add
shim_add:
    mov rdi, qword ptr [rsp + 8]
    mov rsi, qword ptr [rsp + 16]
    sub rsp, 8
    call rt_add_i64
    add rsp, 8
    shl rax, 3
    ret
