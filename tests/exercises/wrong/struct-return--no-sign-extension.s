# expect: wrong-result
# Clears rdx instead of sign-extending rax: wrong for negative a (or a #DE fault).
.intel_syntax noprefix
.globl divmod
divmod:
    mov rax, rdi
    xor edx, edx
    idiv rsi
    ret
