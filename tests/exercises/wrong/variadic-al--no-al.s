# expect: variadic-al
# Forgets al: the callee sees al = 0 and does not save xmm0/xmm1.
.intel_syntax noprefix
.globl sum2
sum2:
    sub rsp, 8
    cvtsi2sd xmm0, rdi
    cvtsi2sd xmm1, rsi
    mov edi, 2
    xor eax, eax
    call vsum_d
    cvttsd2si rax, xmm0
    add rsp, 8
    ret
