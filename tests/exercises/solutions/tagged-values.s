.intel_syntax noprefix
.globl to_number
to_number:
    mov eax, edi
    and eax, 7
    jz .fixnum                  # tag 0
    cmp eax, 2
    je .char
    cmp rdi, 9                  # #t
    je .true
    cmp rdi, 1                  # #f
    je .zero
    cmp rdi, 4                  # ()
    je .zero
    mov eax, 1                  # anything else: #f
    ret
.fixnum:
    lea rax, [rdi + 8]          # (n + 1) << 3 = (n << 3) + 8
    ret
.char:
    mov rax, rdi
    shr rax, 3                  # the code point
    shl rax, 3                  # as a fixnum
    ret
.true:
    mov eax, 8
    ret
.zero:
    xor eax, eax
    ret
