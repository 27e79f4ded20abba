.intel_syntax noprefix
.globl show
show:
    push rbx                    # keep n across the call; rsp is now 16-byte aligned
    mov rbx, rdi
    call rt_current_output_port
    mov rsi, rax                # port
    lea rdi, [8*rbx]            # n << 3: the fixnum
    call writeln
    pop rbx
    ret
