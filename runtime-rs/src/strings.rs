//! Strings, symbols and `equal?` for the compiler's runtime calls. New objects live in the
//! runtime arena. Symbols are interned by name in a hash table in the arena, so
//! `string->symbol` of equal strings returns the same (`eq?`) symbol. Symbols the compiler
//! lays out in `.data` can join the table with `rt_intern_symbol`.

use crate::arena;
use crate::error;
use crate::global::Global;
use crate::layout::*;
use crate::mem::{copy_bytes, fill_bytes};
use crate::value::*;
use crate::Value;

/// The longest string the runtime builds (code points).
const MAX_STRING_LENGTH: i64 = 1 << 28;

// The symbol table: open addressing on the name's hash, symbols as values (0 = empty).

struct Table {
    entries: *mut Value,
    capacity: usize,
    count: usize,
}

static SYMBOLS: Global<Table> = Global::new(Table { entries: core::ptr::null_mut(), capacity: 0, count: 0 });

/// FNV-1a over the code points of a string.
fn hash(s: Value) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for i in 0..string_length(s) {
        h ^= string_ref(s, i) as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

fn same_chars(a: Value, b: Value) -> bool {
    let n = string_length(a);
    if n != string_length(b) {
        return false;
    }
    (0..n).all(|i| string_ref(a, i) == string_ref(b, i))
}

fn new_table(capacity: usize) -> *mut Value {
    let entries = arena::alloc(capacity * 8) as *mut Value;
    // Arena space can be reused scratch space: clear it.
    unsafe { fill_bytes(entries as *mut u8, 0, capacity * 8) };
    entries
}

/// The slot for `name` in the table: the symbol with that name, or an empty slot.
fn find(t: &Table, name: Value) -> usize {
    let mut i = hash(name) as usize & (t.capacity - 1);
    loop {
        let sym = unsafe { *t.entries.add(i) };
        if sym == 0 || same_chars(symbol_name(sym), name) {
            return i;
        }
        i = (i + 1) & (t.capacity - 1);
    }
}

/// The interned symbol named `name`, if there is one; otherwise `make()` becomes it.
fn intern(name: Value, make: impl FnOnce() -> Value) -> Value {
    let t = unsafe { SYMBOLS.get() };
    if t.capacity == 0 {
        t.capacity = 256;
        t.entries = new_table(t.capacity);
    }
    let i = find(t, name);
    let existing = unsafe { *t.entries.add(i) };
    if existing != 0 {
        return existing;
    }
    let sym = make();
    unsafe { *t.entries.add(i) = sym };
    t.count += 1;
    if t.count * 2 > t.capacity {
        let old = t.entries;
        let old_capacity = t.capacity;
        t.capacity *= 2;
        t.entries = new_table(t.capacity);
        for k in 0..old_capacity {
            let s = unsafe { *old.add(k) };
            if s != 0 {
                let j = find(t, symbol_name(s));
                unsafe { *t.entries.add(j) = s };
            }
        }
    }
    sym
}

/// `string->symbol`: the symbol named by the string `s`, created (with a copy of the name)
/// the first time.
#[no_mangle]
pub extern "C" fn rt_string_to_symbol(s: Value) -> Value {
    if !is_string(s) {
        error::type_error(b"string->symbol", b"a string", s);
    }
    intern(s, || {
        let name = copy_string(s, 0, string_length(s));
        let p = arena::alloc(SYMBOL_SIZE as usize);
        // The reserved word is zero.
        unsafe { fill_bytes(p, 0, SYMBOL_SIZE as usize) };
        let sym = p as u64 | TAG_SYMBOL;
        set_field(sym, SYMBOL_NAME, name);
        sym
    })
}

/// Adds a symbol object made elsewhere (e.g. in the compiled program's `.data`) to the symbol
/// table: returns the symbol already interned under its name, or `sym` itself, which from then
/// on is what `string->symbol` returns for that name.
#[no_mangle]
pub extern "C" fn rt_intern_symbol(sym: Value) -> Value {
    if !is_symbol(sym) || !is_string(symbol_name(sym)) {
        error::type_error(b"intern-symbol", b"a symbol", sym);
    }
    intern(symbol_name(sym), || sym)
}

/// `symbol->string`: a fresh string with the symbol's name.
#[no_mangle]
pub extern "C" fn rt_symbol_to_string(sym: Value) -> Value {
    if !is_symbol(sym) {
        error::type_error(b"symbol->string", b"a symbol", sym);
    }
    let name = symbol_name(sym);
    copy_string(name, 0, string_length(name))
}

/// `string-append` of two strings: a fresh string.
#[no_mangle]
pub extern "C" fn rt_string_append(a: Value, b: Value) -> Value {
    if !is_string(a) {
        error::type_error(b"string-append", b"a string", a);
    }
    if !is_string(b) {
        error::type_error(b"string-append", b"a string", b);
    }
    let (na, nb) = (string_length(a), string_length(b));
    let s = make_string_uninit(na + nb);
    let size = STRING_CHAR_SIZE as usize;
    unsafe {
        copy_bytes(string_chars(s) as *mut u8, string_chars(a) as *const u8, na * size);
        copy_bytes(string_chars(s).add(na) as *mut u8, string_chars(b) as *const u8, nb * size);
    }
    s
}

/// `make-string`: `k` (a non-negative fixnum) copies of the char `c`; if `c` is the
/// unspecified value (no fill given), the string holds `#\nul`s, as in Chez Scheme.
#[no_mangle]
pub extern "C" fn rt_make_string(k: Value, c: Value) -> Value {
    if !is_fixnum(k) || fixnum_value(k) < 0 || fixnum_value(k) > MAX_STRING_LENGTH {
        error::type_error(b"make-string", b"a valid length", k);
    }
    let fill = if c == UNSPECIFIED {
        0
    } else if is_char(c) {
        char_code(c) as u32
    } else {
        error::type_error(b"make-string", b"a character", c);
    };
    make_string(fixnum_value(k) as usize, fill)
}

/// `substring`: a fresh string with the chars of `s` from `start` (included) to `end`
/// (excluded), fixnums with 0 <= start <= end <= length.
#[no_mangle]
pub extern "C" fn rt_substring(s: Value, start: Value, end: Value) -> Value {
    if !is_string(s) {
        error::type_error(b"substring", b"a string", s);
    }
    let n = string_length(s) as i64;
    if !is_fixnum(end) || fixnum_value(end) < 0 || fixnum_value(end) > n {
        error::range_error(b"substring", b"end index", end, s);
    }
    if !is_fixnum(start) || fixnum_value(start) < 0 || fixnum_value(start) > fixnum_value(end) {
        error::range_error(b"substring", b"start index", start, s);
    }
    let from = fixnum_value(start) as usize;
    copy_string(s, from, fixnum_value(end) as usize - from)
}

/// R7RS `equal?`: pairs, vectors and strings compare by contents (recursively), symbols by
/// name, everything else as `eqv?` (which for these values is `eq?`). Returns #t or #f.
#[no_mangle]
pub extern "C" fn rt_equal(a: Value, b: Value) -> Value {
    boolean(equal(a, b))
}

pub fn equal(mut a: Value, mut b: Value) -> bool {
    loop {
        if a == b {
            return true;
        }
        if tag(a) != tag(b) {
            return false;
        }
        match tag(a) {
            TAG_PAIR => {
                if !equal(car(a), car(b)) {
                    return false;
                }
                a = cdr(a);
                b = cdr(b);
            }
            TAG_STRING => return same_chars(a, b),
            TAG_SYMBOL => return same_chars(symbol_name(a), symbol_name(b)),
            TAG_VECTOR_LIKE => {
                if header_kind(a) != KIND_VECTOR || field(a, VECTOR_HEADER) != field(b, VECTOR_HEADER) {
                    return false;
                }
                let n = header_length(a);
                if n == 0 {
                    return true;
                }
                for i in 0..n - 1 {
                    if !equal(slot_ref(a, i), slot_ref(b, i)) {
                        return false;
                    }
                }
                a = slot_ref(a, n - 1);
                b = slot_ref(b, n - 1);
            }
            _ => return false,
        }
    }
}
