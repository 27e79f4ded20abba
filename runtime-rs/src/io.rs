//! The output and input primitives, as System V functions on tagged values. Each checks its
//! port argument (an open port of the right direction) and returns the unspecified value,
//! a char or the eof object.

use crate::layout::*;
use crate::port;
use crate::print::{self, put_byte};
use crate::value::*;
use crate::Value;

/// The talk's function: `display`s `data` on the output port `port`, then a newline.
#[no_mangle]
pub extern "C" fn writeln(data: Value, port: Value) -> Value {
    let slot = port::check(port, b"writeln", true);
    print::print(slot, data, false);
    put_byte(slot, b'\n');
    port::done(slot);
    UNSPECIFIED
}

/// `(display v port)`.
#[no_mangle]
pub extern "C" fn rt_display(v: Value, port: Value) -> Value {
    let slot = port::check(port, b"display", true);
    print::print(slot, v, false);
    port::done(slot);
    UNSPECIFIED
}

/// `(write v port)`.
#[no_mangle]
pub extern "C" fn rt_write(v: Value, port: Value) -> Value {
    let slot = port::check(port, b"write", true);
    print::print(slot, v, true);
    port::done(slot);
    UNSPECIFIED
}

/// `(newline port)`.
#[no_mangle]
pub extern "C" fn rt_newline(port: Value) -> Value {
    let slot = port::check(port, b"newline", true);
    put_byte(slot, b'\n');
    port::done(slot);
    UNSPECIFIED
}

/// `(write-char c port)`.
#[no_mangle]
pub extern "C" fn rt_write_char(c: Value, port: Value) -> Value {
    if !is_char(c) {
        crate::error::type_error(b"write-char", b"a character", c);
    }
    let slot = port::check(port, b"write-char", true);
    print::put_code_point(slot, char_code(c));
    port::done(slot);
    UNSPECIFIED
}

/// `(open-output-file path)`: creates the missing parent directories (like `mkdir -p`), then
/// opens (creating or truncating, mode 0644) the file for writing.
#[no_mangle]
pub extern "C" fn rt_open_output_file(path: Value) -> Value {
    port::open_file(path, true, b"open-output-file")
}

/// `(open-input-file path)`.
#[no_mangle]
pub extern "C" fn rt_open_input_file(path: Value) -> Value {
    port::open_file(path, false, b"open-input-file")
}

/// `(close-port port)`: flushes an output port and closes it; closing twice does nothing.
#[no_mangle]
pub extern "C" fn rt_close_port(port: Value) -> Value {
    port::close(port, b"close-port");
    UNSPECIFIED
}

/// `(read-char port)`: the next char, decoded from UTF-8, or the eof object.
#[no_mangle]
pub extern "C" fn rt_read_char(port: Value) -> Value {
    let slot = port::check(port, b"read-char", false);
    port::read_char(slot, true)
}

/// `(peek-char port)`: the next char without consuming it, or the eof object.
#[no_mangle]
pub extern "C" fn rt_peek_char(port: Value) -> Value {
    let slot = port::check(port, b"peek-char", false);
    port::read_char(slot, false)
}

/// `(flush-output-port port)`.
#[no_mangle]
pub extern "C" fn rt_flush_output_port(port: Value) -> Value {
    let slot = port::check(port, b"flush-output-port", true);
    port::flush(slot);
    UNSPECIFIED
}

/// `(current-output-port)`: the port on fd 1.
#[no_mangle]
pub extern "C" fn rt_current_output_port() -> Value {
    port::standard(port::STDOUT_SLOT)
}

/// `(current-input-port)`: the port on fd 0.
#[no_mangle]
pub extern "C" fn rt_current_input_port() -> Value {
    port::standard(port::STDIN_SLOT)
}

/// `(current-error-port)`: the port on fd 2.
#[no_mangle]
pub extern "C" fn rt_current_error_port() -> Value {
    port::standard(port::STDERR_SLOT)
}
