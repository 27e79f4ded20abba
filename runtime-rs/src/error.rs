//! Errors: each flushes every output port (so everything the program printed so far is kept),
//! writes one line to stderr and exits with status 1.
//!
//! Messages:
//! - `Error in car: expected a pair, got 1` (rt_type_error, and the runtime's own checks)
//! - `Error in who: message irritant ...` (rt_error; irritants are written, R7RS style)
//! - `Error in f: expected 2 arguments, got 1` (rt_arity_error)
//! - `Error: attempt to apply non-procedure 5` (rt_not_procedure)
//! - `Error: heap exhausted` (rt_heap_exhausted)

use crate::global::Global;
use crate::layout::*;
use crate::port;
use crate::print::{self, put, put_byte, put_decimal};
use crate::sys;
use crate::value::*;
use crate::Value;

static REPORTING: Global<bool> = Global::new(false);

/// Starts an error message: flushes the program's output and returns the stderr slot.
fn begin() -> usize {
    let reporting = unsafe { REPORTING.get() };
    if *reporting {
        // An error while reporting an error: give up on the message.
        sys::exit(1);
    }
    *reporting = true;
    port::init();
    port::flush_all();
    port::error_slot()
}

/// Ends the message with a newline and exits with status 1.
fn end(slot: usize) -> ! {
    put_byte(slot, b'\n');
    port::flush(slot);
    sys::exit(1)
}

/// `Error in who: ` (or `Error: ` when `who` is empty).
fn prefix(slot: usize, who: &[u8]) {
    if who.is_empty() {
        put(slot, b"Error: ");
    } else {
        put(slot, b"Error in ");
        put(slot, who);
        put(slot, b": ");
    }
}

/// A fixed message, for when nothing else can be done.
pub fn fatal(message: &[u8]) -> ! {
    port::flush_all();
    sys::write_all(2, message.as_ptr(), message.len());
    sys::write_all(2, b"\n".as_ptr(), 1);
    sys::exit(1)
}

/// `Error: heap exhausted`, with `detail` after it.
pub fn heap_exhausted(detail: &[u8]) -> ! {
    let slot = begin();
    put(slot, b"Error: heap exhausted");
    put(slot, detail);
    end(slot)
}

/// `Error in who: expected EXPECTED, got VALUE`.
pub fn type_error(who: &[u8], expected: &[u8], value: Value) -> ! {
    let slot = begin();
    prefix(slot, who);
    put(slot, b"expected ");
    put(slot, expected);
    put(slot, b", got ");
    print::print(slot, value, true);
    end(slot)
}

/// `Error in who: MESSAGE VALUE`.
pub fn message_error(who: &[u8], message: &[u8], value: Value) -> ! {
    let slot = begin();
    prefix(slot, who);
    put(slot, message);
    put_byte(slot, b' ');
    print::print(slot, value, true);
    end(slot)
}

/// `Error in who: cannot open VALUE: REASON` for a failed system call with this errno.
pub fn os_error(who: &[u8], path: Value, errno: isize) -> ! {
    let slot = begin();
    prefix(slot, who);
    put(slot, b"cannot open ");
    print::print(slot, path, true);
    put(slot, b": ");
    put(slot, errno_text(errno));
    end(slot)
}

/// `Error in who: index I is not in [LOW, HIGH] for VALUE`-style range errors.
pub fn range_error(who: &[u8], what: &[u8], index: Value, value: Value) -> ! {
    let slot = begin();
    prefix(slot, who);
    put(slot, what);
    put_byte(slot, b' ');
    print::print(slot, index, true);
    put(slot, b" is out of range for ");
    print::print(slot, value, true);
    end(slot)
}

fn errno_text(errno: isize) -> &'static [u8] {
    match errno {
        1 => b"operation not permitted",
        2 => b"no such file or directory",
        5 => b"input/output error",
        9 => b"bad file descriptor",
        12 => b"out of memory",
        13 => b"permission denied",
        17 => b"file exists",
        20 => b"not a directory",
        21 => b"is a directory",
        22 => b"invalid argument",
        23 | 24 => b"too many open files",
        26 => b"text file busy",
        27 => b"file too large",
        28 => b"no space left on device",
        30 => b"read-only file system",
        36 => b"file name too long",
        38 => b"function not implemented",
        40 => b"too many levels of symbolic links",
        _ => b"system error",
    }
}

// The error entry points called by compiled code.

/// The length of a NUL-terminated C string (0 for a null pointer).
fn cstr(s: *const u8) -> &'static [u8] {
    if s.is_null() {
        return b"";
    }
    unsafe { core::slice::from_raw_parts(s, crate::mem::strlen(s)) }
}

/// A type error in a safe primitive: `Error in car: expected a pair, got 1`. `who` and
/// `expected` are NUL-terminated C strings.
#[no_mangle]
pub extern "C" fn rt_type_error(who: *const u8, expected: *const u8, value: Value) -> ! {
    type_error(cstr(who), cstr(expected), value)
}

/// R7RS-ish `error`. `who` is a symbol (`Error in who: message irritant ...`), #f (`Error:
/// message irritant ...`) or, R7RS style, the message string itself, with `message` then the
/// first irritant. `message` is displayed if it is a string, written otherwise, and left out
/// if it is the unspecified value (an `(error x)` with one argument). `irritants` is a list
/// of values, each written after a space.
#[no_mangle]
pub extern "C" fn rt_error(who: Value, message: Value, irritants: Value) -> ! {
    let slot = begin();
    let mut first = message;
    let mut rest = irritants;
    if is_symbol(who) && is_string(symbol_name(who)) {
        put(slot, b"Error in ");
        print::display_string(slot, symbol_name(who));
    } else if who == FALSE || who == UNSPECIFIED {
        put(slot, b"Error");
    } else {
        // (error "message" irritant ...): `who` is the message.
        put(slot, b"Error");
        rest = if message == UNSPECIFIED { irritants } else { cons(message, irritants) };
        first = who;
    }
    let mut separator: &[u8] = b": ";
    if first != UNSPECIFIED {
        put(slot, separator);
        separator = b" ";
        print::print(slot, first, !is_string(first));
    }
    while is_pair(rest) {
        put(slot, separator);
        separator = b" ";
        print::print(slot, car(rest), true);
        rest = cdr(rest);
    }
    if rest != NIL {
        put(slot, separator);
        print::print(slot, rest, true);
    }
    end(slot)
}

/// A procedure called with the wrong number of arguments. `who` is its name (a string or
/// symbol; #f if anonymous); `expected` is a fixnum n (exactly n) or -(n+1) (at least n);
/// `got` is the fixnum count it got.
#[no_mangle]
pub extern "C" fn rt_arity_error(who: Value, expected: Value, got: Value) -> ! {
    let slot = begin();
    if is_string(who) {
        put(slot, b"Error in ");
        print::display_string(slot, who);
        put(slot, b": ");
    } else if is_symbol(who) && is_string(symbol_name(who)) {
        put(slot, b"Error in ");
        print::display_string(slot, symbol_name(who));
        put(slot, b": ");
    } else {
        put(slot, b"Error: ");
    }
    let mut n = fixnum_value(expected);
    put(slot, b"expected ");
    if n < 0 {
        put(slot, b"at least ");
        n = -(n + 1);
    }
    put_decimal(slot, n);
    put(slot, if n == 1 { b" argument, got " } else { b" arguments, got " });
    put_decimal(slot, fixnum_value(got));
    end(slot)
}

/// A call of something that is not a procedure: `Error: attempt to apply non-procedure 5`.
#[no_mangle]
pub extern "C" fn rt_not_procedure(value: Value) -> ! {
    let slot = begin();
    put(slot, b"Error: attempt to apply non-procedure ");
    print::print(slot, value, true);
    end(slot)
}

/// The Scheme heap is full: `Error: heap exhausted`.
#[no_mangle]
pub extern "C" fn rt_heap_exhausted() -> ! {
    heap_exhausted(b"")
}
