.att_syntax
.globl shim_add
shim_add:
    movq 8(%rsp), %rdi
    movq 16(%rsp), %rsi
    sarq $3, %rdi
    sarq $3, %rsi
    subq $8, %rsp
    call rt_add_i64
    addq $8, %rsp
    shlq $3, %rax
    ret
