//! Printing values with R7RS `write` and `display`, in the forms Chez Scheme 9.5 prints them
//! (checked against `scheme --script`). Everything is formatted by hand: no `core::fmt`.
//!
//! | value | write | display |
//! |---|---|---|
//! | fixnum | `-42` (all 61 bits) | same |
//! | boolean | `#t` `#f` | same |
//! | char | `#\a` `#\λ`; names `#\nul #\alarm #\backspace #\tab #\newline #\vtab #\page #\return #\esc #\space #\delete`; other control chars, U+0085 and U+2028 as `#\x1F` (upper-case hex) | the char itself, UTF-8 |
//! | string | `"a\"b\\c"`, escapes `\a \b \t \n \v \f \r`; other control chars, DEL, U+0085, U+2028 as `\x7F;` | the characters, UTF-8 |
//! | symbol | `abc`; characters that would not read back as a symbol escaped as `\x20;` (`|` `#` `(` ... anywhere, a leading digit, `@`, or `+ - .` outside `+ - ... ->x`); the empty symbol `||` | the name |
//! | empty list | `()` | same |
//! | pair | `(1 2 3)`, `(1 . 2)`, `(quote x)` (no abbreviations, as Chez prints by default) | same, elements displayed |
//! | vector | `#(1 2)`, `#()` | same |
//! | cycles | datum labels for every shared pair/vector: `#0=(1 2 . #0#)` | same (Chez would loop) |
//! | closure | `#<procedure>` (Chez adds the name) | same |
//! | port | `#<output port /tmp/x>`, `#<input port stdin>`, `#<output port stdout>`, `#<output port stderr>` | same |
//! | unspecified | `#<void>` (not printed at all as the program's result) | same |
//! | eof object | `#<eof>` (Chez prints `#!eof`) | same |
//! | unbound | `#<unbound>` | same |
//! | other vector-like kinds | `#<object kind N>` | same |
//! | malformed word | `#<invalid 0x...>` | same |
//!
//! A string or char that holds a surrogate or a value past U+10FFFF is written as a hex
//! escape and displayed as U+FFFD.

use crate::layout::*;
use crate::port;
use crate::shared::{self, Labels};
use crate::utf8;
use crate::value::*;
use crate::Value;

// Raw output to a port slot.

#[inline]
pub fn put(slot: usize, bytes: &[u8]) {
    port::put(slot, bytes.as_ptr(), bytes.len());
}

#[inline]
pub fn put_byte(slot: usize, b: u8) {
    port::put_byte(slot, b);
}

/// One code point as UTF-8 (U+FFFD for a non-scalar value).
pub fn put_code_point(slot: usize, c: u64) {
    if c < 0x80 {
        put_byte(slot, c as u8);
    } else {
        let mut bytes = [0u8; 4];
        let n = utf8::encode(c, &mut bytes);
        port::put(slot, bytes.as_ptr(), n);
    }
}

/// A signed decimal integer.
pub fn put_decimal(slot: usize, n: i64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut magnitude = n.unsigned_abs();
    loop {
        at -= 1;
        // SAFETY: at most 20 digits for a u64, so `at` stays in bounds.
        unsafe { *digits.get_unchecked_mut(at) = b'0' + (magnitude % 10) as u8 };
        magnitude /= 10;
        if magnitude == 0 {
            break;
        }
    }
    if n < 0 {
        put_byte(slot, b'-');
    }
    port::put(slot, unsafe { digits.as_ptr().add(at) }, digits.len() - at);
}

/// Upper-case hexadecimal, no prefix.
pub fn put_hex(slot: usize, mut n: u64) {
    let mut digits = [0u8; 16];
    let mut at = digits.len();
    loop {
        at -= 1;
        let d = (n & 0xf) as u8;
        // SAFETY: at most 16 digits for a u64, so `at` stays in bounds.
        unsafe { *digits.get_unchecked_mut(at) = if d < 10 { b'0' + d } else { b'A' + d - 10 } };
        n >>= 4;
        if n == 0 {
            break;
        }
    }
    port::put(slot, unsafe { digits.as_ptr().add(at) }, digits.len() - at);
}

// Values.

/// Prints `v` to output slot `slot` in `write` form (`write` true) or `display` form.
pub fn print(slot: usize, v: Value, write: bool) {
    let labels = shared::find(v);
    let mut p = Printer { slot, write, labels };
    p.value(v);
    if let Some(labels) = p.labels {
        labels.release();
    }
}

struct Printer {
    slot: usize,
    write: bool,
    labels: Option<Labels>,
}

impl Printer {
    /// Prints `#n#` for a labelled object printed before (true), or `#n=` before its first
    /// appearance (false).
    fn label(&mut self, v: Value) -> bool {
        let Some(labels) = self.labels.as_mut() else { return false };
        let Some((n, printed)) = labels.label(v) else { return false };
        put_byte(self.slot, b'#');
        put_decimal(self.slot, n as i64);
        put_byte(self.slot, if printed { b'#' } else { b'=' });
        printed
    }

    fn value(&mut self, v: Value) {
        let slot = self.slot;
        match tag(v) {
            TAG_FIXNUM => put_decimal(slot, fixnum_value(v)),
            TAG_BOOLEAN => match v {
                TRUE => put(slot, b"#t"),
                FALSE => put(slot, b"#f"),
                _ => invalid(slot, v),
            },
            TAG_CHAR => {
                if self.write {
                    write_char(slot, char_code(v));
                } else {
                    put_code_point(slot, char_code(v));
                }
            }
            TAG_PAIR => {
                if !self.label(v) {
                    self.list(v);
                }
            }
            TAG_IMMEDIATE => match v {
                NIL => put(slot, b"()"),
                UNSPECIFIED => put(slot, b"#<void>"),
                EOF => put(slot, b"#<eof>"),
                UNBOUND => put(slot, b"#<unbound>"),
                _ => invalid(slot, v),
            },
            TAG_STRING => {
                if self.write {
                    write_string(slot, v);
                } else {
                    display_string(slot, v);
                }
            }
            TAG_SYMBOL => {
                let name = symbol_name(v);
                if !is_string(name) {
                    invalid(slot, v);
                } else if self.write {
                    write_symbol(slot, name);
                } else {
                    display_string(slot, name);
                }
            }
            _ => self.vector_like(v),
        }
    }

    fn list(&mut self, v: Value) {
        let slot = self.slot;
        put_byte(slot, b'(');
        self.value(car(v));
        let mut rest = cdr(v);
        loop {
            if is_pair(rest) {
                if self.labels.as_mut().is_some_and(|l| l.label_needed(rest)) {
                    put(slot, b" . ");
                    self.value(rest);
                    break;
                }
                put_byte(slot, b' ');
                self.value(car(rest));
                rest = cdr(rest);
            } else {
                if rest != NIL {
                    put(slot, b" . ");
                    self.value(rest);
                }
                break;
            }
        }
        put_byte(slot, b')');
    }

    fn vector_like(&mut self, v: Value) {
        let slot = self.slot;
        match header_kind(v) {
            KIND_VECTOR => {
                if self.label(v) {
                    return;
                }
                put(slot, b"#(");
                for i in 0..header_length(v) {
                    if i > 0 {
                        put_byte(slot, b' ');
                    }
                    self.value(slot_ref(v, i));
                }
                put_byte(slot, b')');
            }
            KIND_CLOSURE => put(slot, b"#<procedure>"),
            KIND_PORT => write_port(slot, v),
            kind => {
                put(slot, b"#<object kind ");
                put_decimal(slot, kind as i64);
                put_byte(slot, b'>');
            }
        }
    }
}

fn invalid(slot: usize, v: Value) {
    put(slot, b"#<invalid 0x");
    put_hex(slot, v);
    put_byte(slot, b'>');
}

/// Is `c` printed as a hex escape in strings, char literals and symbols?
/// (Control characters, DEL, NEL, LINE SEPARATOR, and anything that is not a scalar value.)
fn needs_hex(c: u64) -> bool {
    c < 0x20 || c == 0x7f || c == 0x85 || c == 0x2028 || !utf8::is_scalar(c)
}

fn write_char(slot: usize, c: u64) {
    put(slot, b"#\\");
    let name: &[u8] = match c {
        0x00 => b"nul",
        0x07 => b"alarm",
        0x08 => b"backspace",
        0x09 => b"tab",
        0x0a => b"newline",
        0x0b => b"vtab",
        0x0c => b"page",
        0x0d => b"return",
        0x1b => b"esc",
        0x20 => b"space",
        0x7f => b"delete",
        _ => b"",
    };
    if !name.is_empty() {
        put(slot, name);
    } else if needs_hex(c) {
        put_byte(slot, b'x');
        put_hex(slot, c);
    } else {
        put_code_point(slot, c);
    }
}

fn hex_escape(slot: usize, c: u64) {
    put(slot, b"\\x");
    put_hex(slot, c);
    put_byte(slot, b';');
}

fn write_string(slot: usize, s: Value) {
    put_byte(slot, b'"');
    for i in 0..string_length(s) {
        let c = string_ref(s, i) as u64;
        let escape: &[u8] = match c {
            0x07 => b"\\a",
            0x08 => b"\\b",
            0x09 => b"\\t",
            0x0a => b"\\n",
            0x0b => b"\\v",
            0x0c => b"\\f",
            0x0d => b"\\r",
            0x22 => b"\\\"",
            0x5c => b"\\\\",
            _ => b"",
        };
        if !escape.is_empty() {
            put(slot, escape);
        } else if needs_hex(c) {
            hex_escape(slot, c);
        } else {
            put_code_point(slot, c);
        }
    }
    put_byte(slot, b'"');
}

pub fn display_string(slot: usize, s: Value) {
    for i in 0..string_length(s) {
        put_code_point(slot, string_ref(s, i) as u64);
    }
}

/// Characters that end a symbol when read, so must be escaped anywhere in its name.
fn is_delimiter(c: u64) -> bool {
    matches!(
        c as u8,
        b'(' | b')' | b'[' | b']' | b'{' | b'}' | b'"' | b';' | b'\'' | b'`' | b',' | b'|' | b'\\' | b'#'
    ) && c < 0x80
        || c <= 0x20
        || needs_hex(c)
}

fn write_symbol(slot: usize, name: Value) {
    let n = string_length(name);
    if n == 0 {
        put(slot, b"||");
        return;
    }
    let first = string_ref(name, 0) as u64;
    // The peculiar identifiers of R6RS: + - ... and ->anything.
    let peculiar = (n == 1 && (first == b'+' as u64 || first == b'-' as u64))
        || (n == 3 && (0..3).all(|i| string_ref(name, i) == b'.' as u32))
        || (n >= 2 && first == b'-' as u64 && string_ref(name, 1) == b'>' as u32);
    for i in 0..n {
        let c = string_ref(name, i) as u64;
        let escape = is_delimiter(c)
            || (i == 0
                && ((b'0' as u64..=b'9' as u64).contains(&c)
                    || c == b'@' as u64
                    || ((c == b'+' as u64 || c == b'-' as u64 || c == b'.' as u64) && !peculiar)));
        if escape {
            hex_escape(slot, c);
        } else {
            put_code_point(slot, c);
        }
    }
}

fn write_port(slot: usize, p: Value) {
    if !port::is_port(p) {
        put(slot, b"#<port>");
        return;
    }
    put(slot, if port::is_output(p) { b"#<output port " } else { b"#<input port " });
    let path = slot_ref(p, PORT_FIELD_PATH as usize);
    if is_string(path) {
        display_string(slot, path);
    } else {
        let fd = slot_ref(p, PORT_FIELD_FD as usize);
        match fixnum_value(fd) {
            0 => put(slot, b"stdin"),
            1 => put(slot, b"stdout"),
            2 => put(slot, b"stderr"),
            n => {
                put(slot, b"fd ");
                put_decimal(slot, n);
            }
        }
    }
    put_byte(slot, b'>');
}
