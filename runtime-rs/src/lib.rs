//! runtime-rs: the runtime of abi-lab's tiny Scheme.
//!
//! `#![no_std]`, no libc: the kernel is reached through the `syscall` instruction only
//! (`sys.rs`), so the same code runs natively and in abi-lab's emulator. It provides `_start`
//! (`start.rs`), printing of every value (`print.rs`), ports (`port.rs`, `io.rs`), strings and
//! symbols (`strings.rs`), error reporting for safe primitives (`error.rs`), and plain C
//! functions for foreign-procedure demos (`ffi.rs`).
//!
//! Every exported function is `#[no_mangle] pub extern "C"`, a System V AMD64 function.
//! Arguments and results typed `Value` are tagged Scheme values (see `layout.rs`, generated
//! from `src/values/layout.ts`); anything else is a plain C type.

#![no_std]
#![no_main]

mod arena;
mod error;
mod ffi;
mod global;
mod io;
pub mod layout;
mod mem;
mod port;
mod print;
mod shared;
mod start;
mod strings;
mod sys;
mod utf8;
mod value;

/// A tagged Scheme value: one 64-bit word whose low 3 bits are the tag (see `layout.rs`).
pub type Value = u64;

/// A Rust panic (a bug in runtime-rs) ends the program like a Scheme error, without
/// formatting the panic message (that would pull in `core::fmt`).
#[panic_handler]
fn panic(_info: &core::panic::PanicInfo) -> ! {
    error::fatal(b"Error: internal error in runtime-rs")
}
