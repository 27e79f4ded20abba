//! `memcpy`, `memmove`, `memset`, `memcmp`, `bcmp` and `strlen`: there is no libc, and rustc
//! emits calls to these for copies, comparisons and loops it recognises. Each is one string
//! instruction (`rep movsb`, `rep stosb`, `repe cmpsb`, `repne scasb`) in inline assembly,
//! which rustc cannot turn back into a call to the function itself. The direction flag is clear on entry (System V) and on return.

use core::arch::asm;

/// Copies `n` bytes from `src` to `dest` (the ranges do not overlap); returns `dest`.
#[no_mangle]
pub unsafe extern "C" fn memcpy(dest: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    asm!("rep movsb", inout("rcx") n => _, inout("rdi") dest => _, inout("rsi") src => _,
         options(nostack, preserves_flags));
    dest
}

/// Copies `n` bytes from `src` to `dest`; the ranges may overlap. Returns `dest`.
#[no_mangle]
pub unsafe extern "C" fn memmove(dest: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    if (dest as usize).wrapping_sub(src as usize) >= n {
        // dest is before src, or after the end of src: copying forwards is safe.
        asm!("rep movsb", inout("rcx") n => _, inout("rdi") dest => _, inout("rsi") src => _,
             options(nostack, preserves_flags));
    } else {
        // dest overlaps the tail of src: copy backwards, from the last byte.
        asm!("std", "rep movsb", "cld",
             inout("rcx") n => _, inout("rdi") dest.add(n - 1) => _, inout("rsi") src.add(n - 1) => _,
             options(nostack));
    }
    dest
}

/// Fills `n` bytes at `s` with the byte `c`; returns `s`.
#[no_mangle]
pub unsafe extern "C" fn memset(s: *mut u8, c: i32, n: usize) -> *mut u8 {
    asm!("rep stosb", inout("rcx") n => _, inout("rdi") s => _, in("al") c as u8,
         options(nostack, preserves_flags));
    s
}

/// Compares `n` bytes: negative, zero or positive as the first differing byte of `a` is
/// less than, equal to or greater than that of `b` (as unsigned bytes).
#[no_mangle]
pub unsafe extern "C" fn memcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    if n == 0 {
        return 0;
    }
    let equal: u8;
    let after_a: *const u8;
    let after_b: *const u8;
    asm!("repe cmpsb", "sete {equal}", equal = out(reg_byte) equal,
         inout("rsi") a => after_a, inout("rdi") b => after_b, inout("rcx") n => _,
         options(nostack, readonly));
    if equal != 0 {
        0
    } else {
        *after_a.sub(1) as i32 - *after_b.sub(1) as i32
    }
}

/// Zero when the `n` bytes at `a` and `b` are equal, non-zero otherwise.
#[no_mangle]
pub unsafe extern "C" fn bcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    memcmp(a, b, n)
}

/// The length of the NUL-terminated string at `s`.
#[no_mangle]
pub unsafe extern "C" fn strlen(s: *const u8) -> usize {
    let after_nul: *const u8;
    asm!("repne scasb", inout("rdi") s => after_nul, inout("rcx") usize::MAX => _, in("al") 0u8,
         options(nostack, readonly));
    after_nul as usize - s as usize - 1
}

/// Copies `n` bytes from `src` to `dest`, front to back (so `dest` may overlap the part of
/// `src` after it, as when moving bytes to the start of a buffer). The runtime's own copies use
/// this rather than `core::ptr::copy*`, which rustc turns into calls to `memcpy` through the GOT.
#[inline(always)]
pub unsafe fn copy_bytes(dest: *mut u8, src: *const u8, n: usize) {
    asm!("rep movsb", inout("rcx") n => _, inout("rdi") dest => _, inout("rsi") src => _,
         options(nostack, preserves_flags));
}

/// Sets `n` bytes at `dest` to `byte` (instead of `core::ptr::write_bytes`, for the same reason).
#[inline(always)]
pub unsafe fn fill_bytes(dest: *mut u8, byte: u8, n: usize) {
    asm!("rep stosb", inout("rcx") n => _, inout("rdi") dest => _, in("al") byte,
         options(nostack, preserves_flags));
}
