.intel_syntax noprefix
.globl divmod
divmod:
    mov rax, rdi
    cqo                 # rdx:rax = a, sign-extended
    idiv rsi            # rax = q, rdx = r: the struct, as returned
    ret
