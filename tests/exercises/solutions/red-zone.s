.intel_syntax noprefix
.globl most_common_nibble
most_common_nibble:
    xor eax, eax
    xor ecx, ecx
.zero:                                  # counters at [rsp - 128] .. [rsp - 8]: the red zone
    mov qword ptr [rsp + 8*rcx - 128], rax
    inc ecx
    cmp ecx, 16
    jb .zero
    mov ecx, 16
.count:
    mov rdx, rdi
    and edx, 15
    inc qword ptr [rsp + 8*rdx - 128]
    shr rdi, 4
    dec ecx
    jnz .count
    xor eax, eax                        # best digit
    mov rsi, qword ptr [rsp - 128]      # its count
    mov ecx, 1
.find:
    mov rdx, qword ptr [rsp + 8*rcx - 128]
    cmp rdx, rsi
    jle .next                           # a tie keeps the smaller digit
    mov rsi, rdx
    mov rax, rcx
.next:
    inc ecx
    cmp ecx, 16
    jb .find
    ret
