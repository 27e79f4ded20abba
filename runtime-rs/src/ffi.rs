//! Plain C functions for the "translation layer" style of foreign procedure: no tagged
//! values, only C types. The compiler untags the arguments, makes the System V call, and tags
//! the result, e.g. `(define-foreign rt-write-bytes (int string-bytes size) ssize)`.
//! `rt_string_to_utf8` is the other way round: the helper that translation layer uses to
//! turn a Scheme string into bytes.

use crate::arena;
use crate::error;
use crate::port;
use crate::sys;
use crate::utf8;
use crate::value::*;
use crate::Value;

/// `write(2)` until all `len` bytes of `buf` are written to `fd`: the byte count, or -errno.
/// Output buffered by the program's ports on the same fd is flushed first, to keep the order.
#[no_mangle]
pub extern "C" fn rt_write_bytes(fd: i32, buf: *const u8, len: usize) -> isize {
    port::flush_fd(fd);
    sys::write_all(fd, buf, len)
}

/// `a + b` (wrapping on overflow).
#[no_mangle]
pub extern "C" fn rt_add_i64(a: i64, b: i64) -> i64 {
    a.wrapping_add(b)
}

/// The number of code points in `len` bytes of UTF-8 at `buf` (an invalid byte counts as one).
#[no_mangle]
pub extern "C" fn rt_string_length_utf8(buf: *const u8, len: usize) -> usize {
    utf8::count_code_points(buf, len)
}

/// ASCII upper case of the code point `c`; other code points are returned unchanged.
#[no_mangle]
pub extern "C" fn rt_char_upcase(c: u32) -> u32 {
    if (b'a' as u32..=b'z' as u32).contains(&c) {
        c - 32
    } else {
        c
    }
}

/// Encodes the Scheme string `s` as UTF-8 in the runtime arena: returns the bytes (followed by
/// a NUL, not counted, for C callees that want a C string) and stores their count in
/// `*out_len` (if `out_len` is not null).
#[no_mangle]
pub extern "C" fn rt_string_to_utf8(s: Value, out_len: *mut usize) -> *const u8 {
    if !is_string(s) {
        error::type_error(b"string->utf8", b"a string", s);
    }
    let n = string_length(s);
    let mut bytes = 0usize;
    for i in 0..n {
        bytes += utf8::encoded_length(string_ref(s, i) as u64);
    }
    let out = arena::alloc(bytes + 1);
    let mut at = 0usize;
    for i in 0..n {
        let mut buf = [0u8; 4];
        let used = utf8::encode(string_ref(s, i) as u64, &mut buf);
        unsafe { crate::mem::copy_bytes(out.add(at), buf.as_ptr(), used) };
        at += used;
    }
    unsafe { *out.add(at) = 0 };
    if !out_len.is_null() {
        unsafe { *out_len = at };
    }
    out
}
