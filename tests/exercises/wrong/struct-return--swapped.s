# expect: wrong-result
# Returns the fields in the wrong order: the first field goes in rax.
.intel_syntax noprefix
.globl divmod
divmod:
    mov rax, rdi
    cqo
    idiv rsi
    xchg rax, rdx
    ret
