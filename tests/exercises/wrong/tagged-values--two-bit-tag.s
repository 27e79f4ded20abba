# expect: wrong-result
# Masks the tag with 3 instead of 7: strings (tag 5) look like booleans, vectors like pairs.
.intel_syntax noprefix
.globl to_number
to_number:
    mov eax, edi
    and eax, 3
    jz .fixnum
    cmp eax, 2
    je .char
    cmp rdi, 9
    je .true
    cmp rdi, 1
    je .zero
    cmp rdi, 4
    je .zero
    mov eax, 1
    ret
.fixnum:
    lea rax, [rdi + 8]
    ret
.char:
    mov rax, rdi
    shr rax, 3
    shl rax, 3
    ret
.true:
    mov eax, 8
    ret
.zero:
    xor eax, eax
    ret
