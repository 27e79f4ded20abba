.intel_syntax noprefix
.globl sum2
sum2:
    sub rsp, 8                  # align: rsp is a multiple of 16 at the call
    cvtsi2sd xmm0, rdi
    cvtsi2sd xmm1, rsi
    mov edi, 2                  # n
    mov eax, 2                  # al: two vector registers hold arguments
    call vsum_d
    cvttsd2si rax, xmm0
    add rsp, 8
    ret
