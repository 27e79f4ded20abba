.att_syntax
.globl mul_add
mul_add:
  movq %rdi, %rax
  imulq %rsi, %rax
  addq %rdx, %rax
  ret
