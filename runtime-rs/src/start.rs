//! The process entry: `_start` → `rt_main` → `scheme_entry`, then print the result and exit.

use crate::arena;
use crate::global::Global;
use crate::layout::*;
use crate::port;
use crate::print;
use crate::sys;
use crate::value::*;
use crate::Value;

/// Size of the Scheme heap handed to `scheme_entry`.
pub const HEAP_SIZE: usize = 64 << 20;

extern "C" {
    /// The compiled program (the paper's name). System V: heap start in rdi, heap end in rsi;
    /// returns a Scheme value in rax.
    fn scheme_entry(heap: *mut u8, heap_end: *mut u8) -> Value;
}

// The kernel starts a static executable at `_start` with rsp pointing at argc, then argv
// (NULL-terminated), then envp (NULL-terminated), then the auxiliary vector. rsp is 16-byte
// aligned there; `call` then pushes the return address, so rt_main starts with rsp ≡ 8
// (mod 16), as System V requires. rbp = 0 marks the outermost frame for backtraces.
core::arch::global_asm!(
    ".globl _start",
    ".type _start, @function",
    "_start:",
    "    xor ebp, ebp",
    "    mov rdi, rsp",
    "    and rsp, -16",
    "    call rt_main",
    "    ud2",
    ".size _start, . - _start",
);

struct Process {
    argc: usize,
    argv: *const *const u8,
    envp: *const *const u8,
}

static PROCESS: Global<Process> =
    Global::new(Process { argc: 0, argv: core::ptr::null(), envp: core::ptr::null() });

/// Called by `_start` with the initial stack pointer: keeps argc, argv and envp, maps the
/// Scheme heap and the runtime arena, sets up the standard ports, runs `scheme_entry`, writes
/// its value (unless unspecified) and a newline to stdout, flushes every port, exits 0.
#[no_mangle]
pub unsafe extern "C" fn rt_main(sp: *const u64) -> ! {
    let process = PROCESS.get();
    process.argc = *sp as usize;
    process.argv = sp.add(1) as *const *const u8;
    process.envp = sp.add(2 + process.argc) as *const *const u8;

    let Some(heap) = sys::mmap_anonymous(HEAP_SIZE) else {
        crate::error::fatal(b"Error: cannot map the Scheme heap");
    };
    arena::init();
    port::init();

    let result = scheme_entry(heap, heap.add(HEAP_SIZE));

    if result != UNSPECIFIED {
        let out = rt_result_port();
        if let Some(slot) = out {
            print::print(slot, result, true);
            print::put_byte(slot, b'\n');
        }
    }
    port::flush_all();
    sys::exit(0)
}

/// For embedding (abi-lab's library API and grader call single functions without `_start`):
/// sets up the runtime arena and the standard ports. Safe to call more than once.
#[no_mangle]
pub extern "C" fn rt_init() -> Value {
    arena::init();
    port::init();
    UNSPECIFIED
}

/// For embedding: writes out every port's buffered output.
#[no_mangle]
pub extern "C" fn rt_flush_all() -> Value {
    port::flush_all();
    UNSPECIFIED
}

/// The open stdout slot, if the program did not close it.
fn rt_result_port() -> Option<usize> {
    let stdout = port::standard(port::STDOUT_SLOT);
    if port::is_open(stdout) {
        Some(port::STDOUT_SLOT)
    } else {
        None
    }
}

/// `(exit code)`: flushes every port and ends the program. A fixnum is the exit status (its
/// low 8 bits); #t and the unspecified value (`(exit)`) mean 0, #f and anything else 1.
#[no_mangle]
pub extern "C" fn rt_exit(code: Value) -> ! {
    port::init();
    port::flush_all();
    let status = if is_fixnum(code) {
        fixnum_value(code) as i32
    } else if code == TRUE || code == UNSPECIFIED {
        0
    } else {
        1
    };
    sys::exit(status)
}

/// `(command-line)`: the program's arguments as a list of strings (argv[0] first), built in
/// the runtime arena. Arguments are decoded from UTF-8.
#[no_mangle]
pub extern "C" fn rt_command_line() -> Value {
    let process = unsafe { PROCESS.get() };
    let mut list = NIL;
    let mut i = process.argc;
    while i > 0 {
        i -= 1;
        let arg = unsafe { *process.argv.add(i) };
        let n = unsafe { crate::mem::strlen(arg) };
        let s = string_from_utf8(unsafe { core::slice::from_raw_parts(arg, n) });
        list = cons(s, list);
    }
    list
}

/// The environment as `envp` (NULL-terminated array of "NAME=value" C strings), for C callees.
#[no_mangle]
pub extern "C" fn rt_environ() -> *const *const u8 {
    unsafe { PROCESS.get() }.envp
}
