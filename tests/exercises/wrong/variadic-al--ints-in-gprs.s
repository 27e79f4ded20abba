# expect: variadic-al
# Passes the numbers as integers in rsi and rdx, as if the varargs were longs.
.intel_syntax noprefix
.globl sum2
sum2:
    sub rsp, 8
    mov rdx, rsi
    mov rsi, rdi
    mov edi, 2
    xor eax, eax
    call vsum_d
    cvttsd2si rax, xmm0
    add rsp, 8
    ret
