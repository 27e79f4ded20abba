# expect: stack-alignment
# Calls vsum_d without aligning rsp.
.intel_syntax noprefix
.globl sum2
sum2:
    cvtsi2sd xmm0, rdi
    cvtsi2sd xmm1, rsi
    mov edi, 2
    mov eax, 2
    call vsum_d
    cvttsd2si rax, xmm0
    ret
