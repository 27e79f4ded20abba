.att_syntax
.globl sum2
sum2:
    subq $8, %rsp
    cvtsi2sdq %rdi, %xmm0
    cvtsi2sdq %rsi, %xmm1
    movl $2, %edi
    movl $2, %eax
    call vsum_d
    cvttsd2siq %xmm0, %rax
    addq $8, %rsp
    ret
