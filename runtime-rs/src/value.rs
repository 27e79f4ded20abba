//! Reading and building tagged values. Every tag, offset and kind comes from `layout.rs`,
//! which is generated from `src/values/layout.ts`.

use crate::arena;
use crate::layout::*;
use crate::mem::copy_bytes;
use crate::Value;

#[inline(always)]
pub fn tag(v: Value) -> u64 {
    v & TAG_MASK
}

/// The untagged address of a heap object.
#[inline(always)]
pub fn address(v: Value) -> *mut u64 {
    (v & !TAG_MASK) as *mut u64
}

/// The word at byte offset `offset` of the heap object `v`.
#[inline(always)]
pub fn field(v: Value, offset: u64) -> u64 {
    unsafe { *(address(v) as *const u8).add(offset as usize).cast::<u64>() }
}

#[inline(always)]
pub fn set_field(v: Value, offset: u64, word: u64) {
    unsafe { *(address(v) as *mut u8).add(offset as usize).cast::<u64>() = word }
}

// Immediates.

#[inline(always)]
pub fn is_fixnum(v: Value) -> bool {
    tag(v) == TAG_FIXNUM
}

#[inline(always)]
pub fn fixnum_value(v: Value) -> i64 {
    (v as i64) >> FIXNUM_SHIFT
}

#[inline(always)]
pub fn fixnum(n: i64) -> Value {
    (n << FIXNUM_SHIFT) as Value
}

#[inline(always)]
pub fn boolean(b: bool) -> Value {
    if b {
        TRUE
    } else {
        FALSE
    }
}

#[inline(always)]
pub fn is_char(v: Value) -> bool {
    tag(v) == TAG_CHAR
}

/// The code point of a char (up to 61 bits wide if the value is malformed).
#[inline(always)]
pub fn char_code(v: Value) -> u64 {
    v >> CHAR_SHIFT
}

#[inline(always)]
pub fn character(code: u32) -> Value {
    ((code as u64) << CHAR_SHIFT) | TAG_CHAR
}

// Strings: [length: u64][code points: u32 × length].

#[inline(always)]
pub fn is_string(v: Value) -> bool {
    tag(v) == TAG_STRING
}

#[inline(always)]
pub fn string_length(s: Value) -> usize {
    field(s, STRING_LENGTH) as usize
}

#[inline(always)]
pub fn string_chars(s: Value) -> *mut u32 {
    unsafe { (address(s) as *mut u8).add(STRING_DATA as usize).cast::<u32>() }
}

/// Code point `i` of string `s` (no bounds check).
#[inline(always)]
pub fn string_ref(s: Value, i: usize) -> u32 {
    unsafe { *string_chars(s).add(i) }
}

/// A fresh string of `length` code points in the runtime arena, filled with `fill`.
pub fn make_string(length: usize, fill: u32) -> Value {
    let bytes = (length as u64)
        .checked_mul(STRING_CHAR_SIZE)
        .and_then(|b| b.checked_add(STRING_DATA))
        .unwrap_or(u64::MAX);
    let p = arena::alloc(bytes as usize);
    let s = p as u64 | TAG_STRING;
    set_field(s, STRING_LENGTH, length as u64);
    let chars = string_chars(s);
    for i in 0..length {
        unsafe { *chars.add(i) = fill };
    }
    s
}

/// A fresh copy of `count` code points of `s` from `start`, in the runtime arena.
pub fn copy_string(s: Value, start: usize, count: usize) -> Value {
    let copy = make_string_uninit(count);
    unsafe {
        copy_bytes(
            string_chars(copy) as *mut u8,
            string_chars(s).add(start) as *const u8,
            count * STRING_CHAR_SIZE as usize,
        );
    }
    copy
}

/// A fresh string of `length` code points whose contents the caller fills.
pub fn make_string_uninit(length: usize) -> Value {
    let bytes = (length as u64)
        .checked_mul(STRING_CHAR_SIZE)
        .and_then(|b| b.checked_add(STRING_DATA))
        .unwrap_or(u64::MAX);
    let s = arena::alloc(bytes as usize) as u64 | TAG_STRING;
    set_field(s, STRING_LENGTH, length as u64);
    s
}

/// A fresh Scheme string holding the UTF-8 bytes `bytes` (invalid sequences become U+FFFD).
pub fn string_from_utf8(bytes: &[u8]) -> Value {
    let count = crate::utf8::count_code_points(bytes.as_ptr(), bytes.len());
    let s = make_string_uninit(count);
    let chars = string_chars(s);
    let mut at = 0;
    let mut i = 0;
    while at < bytes.len() && i < count {
        let (code, used) = crate::utf8::decode(unsafe { bytes.as_ptr().add(at) }, bytes.len() - at);
        unsafe { *chars.add(i) = code };
        at += used;
        i += 1;
    }
    s
}

// Symbols: [name: string value][reserved: u64].

#[inline(always)]
pub fn is_symbol(v: Value) -> bool {
    tag(v) == TAG_SYMBOL
}

#[inline(always)]
pub fn symbol_name(sym: Value) -> Value {
    field(sym, SYMBOL_NAME)
}

// Pairs: [car][cdr].

#[inline(always)]
pub fn is_pair(v: Value) -> bool {
    tag(v) == TAG_PAIR
}

#[inline(always)]
pub fn car(p: Value) -> Value {
    field(p, PAIR_CAR)
}

#[inline(always)]
pub fn cdr(p: Value) -> Value {
    field(p, PAIR_CDR)
}

/// A fresh pair in the runtime arena.
pub fn cons(a: Value, d: Value) -> Value {
    let p = arena::alloc(PAIR_SIZE as usize) as u64 | TAG_PAIR;
    set_field(p, PAIR_CAR, a);
    set_field(p, PAIR_CDR, d);
    p
}

// Vector-like objects: [header: length << 8 | kind][fields: u64 × length].

#[inline(always)]
pub fn is_vector_like(v: Value) -> bool {
    tag(v) == TAG_VECTOR_LIKE
}

#[inline(always)]
pub fn header_kind(v: Value) -> u64 {
    field(v, VECTOR_HEADER) & HEADER_KIND_MASK
}

#[inline(always)]
pub fn header_length(v: Value) -> usize {
    (field(v, VECTOR_HEADER) >> HEADER_KIND_BITS) as usize
}

#[inline(always)]
pub fn header(length: usize, kind: u64) -> u64 {
    ((length as u64) << HEADER_KIND_BITS) | kind
}

/// Field `i` of a vector-like object (element `i` of a vector).
#[inline(always)]
pub fn slot_ref(v: Value, i: usize) -> Value {
    field(v, VECTOR_DATA + 8 * i as u64)
}

#[inline(always)]
pub fn slot_set(v: Value, i: usize, word: Value) {
    set_field(v, VECTOR_DATA + 8 * i as u64, word)
}

/// A fresh vector-like object of `length` fields and this kind, in the runtime arena.
pub fn make_vector_like(length: usize, kind: u64) -> Value {
    let bytes = (length as u64).checked_mul(8).and_then(|b| b.checked_add(VECTOR_DATA)).unwrap_or(u64::MAX);
    let v = arena::alloc(bytes as usize) as u64 | TAG_VECTOR_LIKE;
    set_field(v, VECTOR_HEADER, header(length, kind));
    v
}

#[inline(always)]
pub fn is_kind(v: Value, kind: u64) -> bool {
    is_vector_like(v) && header_kind(v) == kind
}
