//! Ports: a Scheme port is a vector-like object of kind `port` (fields fd, path, direction,
//! slot, from `layout.rs`); its `slot` field indexes a static table of port states, each with
//! a 4 KiB buffer.
//!
//! Output is buffered and written when the buffer is full, when the port is flushed or
//! closed, before the program exits (normally or with an error), and, for stderr only, after
//! each runtime call that wrote a newline. Reading from stdin first flushes stdout and stderr,
//! so that prompts appear. Input is decoded as UTF-8 (an invalid byte reads as U+FFFD).
//!
//! Slots 0, 1 and 2 hold the standard ports (stdin, stdout, stderr; path #f); files opened by
//! the program use slots 3 to 63. Closing a port frees its slot; a closed port is recognised
//! because its slot no longer holds it. Closing a standard port does not close fd 0, 1 or 2,
//! so error messages can always be written.

use crate::error;
use crate::global::Global;
use crate::layout::*;
use crate::mem::copy_bytes;
use crate::sys;
use crate::utf8;
use crate::value::*;
use crate::Value;

pub const MAX_PORTS: usize = 64;
pub const PORT_BUFFER_SIZE: usize = 4096;
pub const STDIN_SLOT: usize = 0;
pub const STDOUT_SLOT: usize = 1;
pub const STDERR_SLOT: usize = 2;
const FIRST_FILE_SLOT: usize = 3;
/// Longest path (in UTF-8 bytes) that open-output-file and open-input-file accept.
const PATH_MAX: usize = 4096;

pub struct Slot {
    open: bool,
    output: bool,
    /// Flush after a runtime call that wrote a newline (stderr).
    line_buffered: bool,
    saw_newline: bool,
    /// peek-char saw the end of the input: the next read-char returns eof without reading.
    eof_pending: bool,
    fd: i32,
    /// The Scheme port object that owns this slot.
    object: Value,
    /// Output: bytes waiting in `buf`. Input: bytes read into `buf`.
    len: usize,
    /// Input: the next byte of `buf` to decode.
    pos: usize,
    buf: [u8; PORT_BUFFER_SIZE],
}

impl Slot {
    const CLOSED: Slot = Slot {
        open: false,
        output: false,
        line_buffered: false,
        saw_newline: false,
        eof_pending: false,
        fd: 0,
        object: 0,
        len: 0,
        pos: 0,
        buf: [0; PORT_BUFFER_SIZE],
    };
}

static SLOTS: Global<[Slot; MAX_PORTS]> = Global::new([Slot::CLOSED; MAX_PORTS]);
static READY: Global<bool> = Global::new(false);

#[inline(always)]
fn slot(i: usize) -> &'static mut Slot {
    // SAFETY: single-threaded; `i < MAX_PORTS` is checked by every caller that takes it from
    // a Scheme value, and callers do not keep two references to one slot.
    unsafe { &mut *(SLOTS.ptr() as *mut Slot).add(i) }
}

/// Creates the standard ports, once.
pub fn init() {
    let ready = unsafe { READY.get() };
    if *ready {
        return;
    }
    *ready = true;
    start(STDIN_SLOT, 0, FALSE, false);
    start(STDOUT_SLOT, 1, FALSE, true);
    start(STDERR_SLOT, 2, FALSE, true);
    slot(STDERR_SLOT).line_buffered = true;
}

/// Makes slot `i` an open port on `fd` and builds its Scheme object.
fn start(i: usize, fd: i32, path: Value, output: bool) -> Value {
    let object = make_vector_like(PORT_FIELDS as usize, KIND_PORT);
    slot_set(object, PORT_FIELD_FD as usize, fixnum(fd as i64));
    slot_set(object, PORT_FIELD_PATH as usize, path);
    let direction = if output { PORT_DIRECTION_OUTPUT } else { PORT_DIRECTION_INPUT };
    slot_set(object, PORT_FIELD_DIRECTION as usize, fixnum(direction as i64));
    slot_set(object, PORT_FIELD_SLOT as usize, fixnum(i as i64));
    let s = slot(i);
    s.open = true;
    s.output = output;
    s.line_buffered = false;
    s.saw_newline = false;
    s.eof_pending = false;
    s.fd = fd;
    s.object = object;
    s.len = 0;
    s.pos = 0;
    object
}

/// The port object of a standard slot (still returned after it was closed).
pub fn standard(i: usize) -> Value {
    init();
    slot(i).object
}

/// Is `v` a port object (open or closed)?
pub fn is_port(v: Value) -> bool {
    is_kind(v, KIND_PORT) && header_length(v) == PORT_FIELDS as usize
}

pub fn is_output(port: Value) -> bool {
    slot_ref(port, PORT_FIELD_DIRECTION as usize) == fixnum(PORT_DIRECTION_OUTPUT as i64)
}

/// The slot of `port` if it is open.
fn open_slot(port: Value) -> Option<usize> {
    let i = slot_ref(port, PORT_FIELD_SLOT as usize);
    if !is_fixnum(i) || fixnum_value(i) < 0 || fixnum_value(i) >= MAX_PORTS as i64 {
        return None;
    }
    let i = fixnum_value(i) as usize;
    let s = slot(i);
    if s.open && s.object == port {
        Some(i)
    } else {
        None
    }
}

/// The slot of `port`, which must be an open output (or input) port; otherwise the program
/// stops with an error naming `who`.
pub fn check(port: Value, who: &[u8], output: bool) -> usize {
    init();
    let expected: &[u8] = if output { b"an output port" } else { b"an input port" };
    if !is_port(port) || is_output(port) != output {
        error::type_error(who, expected, port);
    }
    match open_slot(port) {
        Some(i) => i,
        None => error::message_error(who, b"not permitted on closed port", port),
    }
}

// Output.

/// Appends `n` bytes to the buffer of output slot `i`, writing the buffer out when full.
pub fn put(i: usize, p: *const u8, n: usize) {
    if n > PORT_BUFFER_SIZE - slot(i).len {
        flush(i);
        if n >= PORT_BUFFER_SIZE {
            sys::write_all(slot(i).fd, p, n);
            return;
        }
    }
    let s = slot(i);
    unsafe { copy_bytes(s.buf.as_mut_ptr().add(s.len), p, n) };
    s.len += n;
    if s.line_buffered && !s.saw_newline {
        s.saw_newline = (0..n).any(|k| unsafe { *p.add(k) } == b'\n');
    }
}

#[inline]
pub fn put_byte(i: usize, b: u8) {
    let s = slot(i);
    if s.len < PORT_BUFFER_SIZE && !s.line_buffered {
        s.buf[s.len] = b;
        s.len += 1;
    } else {
        put(i, &b, 1);
    }
}

/// Writes out what output slot `i` holds. Write errors drop the bytes: there is nowhere to
/// report them.
pub fn flush(i: usize) {
    let s = slot(i);
    if !s.output {
        return;
    }
    if s.open && s.len > 0 {
        sys::write_all(s.fd, s.buf.as_ptr(), s.len);
    }
    s.len = 0;
    s.saw_newline = false;
}

/// Called at the end of each runtime output call: a line-buffered port that got a newline
/// is flushed.
#[inline]
pub fn done(i: usize) {
    if slot(i).saw_newline {
        flush(i);
    }
}

/// Flushes every open output port.
pub fn flush_all() {
    for i in 0..MAX_PORTS {
        if slot(i).open && slot(i).output {
            flush(i);
        }
    }
}

/// Flushes the output ports that write to `fd`, so that bytes written to it directly come
/// after what the program printed before.
pub fn flush_fd(fd: i32) {
    for i in 0..MAX_PORTS {
        if slot(i).open && slot(i).output && slot(i).fd == fd {
            flush(i);
        }
    }
}

/// An output slot on fd 2 for an error message: the stderr slot, reopened if the program
/// closed the standard error port.
pub fn error_slot() -> usize {
    let s = slot(STDERR_SLOT);
    if !(s.open && s.output && s.fd == 2) {
        s.open = true;
        s.output = true;
        s.fd = 2;
        s.len = 0;
    }
    s.line_buffered = false;
    STDERR_SLOT
}

// Input.

/// Reads more bytes into input slot `i`, keeping the undecoded ones: the byte count read,
/// 0 at end of file.
fn refill(i: usize) -> isize {
    if slot(i).fd == 0 {
        flush(STDOUT_SLOT);
        flush(STDERR_SLOT);
    }
    let s = slot(i);
    let keep = s.len - s.pos;
    if s.pos > 0 {
        // Moving towards the start of the buffer: a forward copy is right even if they overlap.
        unsafe { copy_bytes(s.buf.as_mut_ptr(), s.buf.as_ptr().add(s.pos), keep) };
        s.pos = 0;
        s.len = keep;
    }
    loop {
        let n = sys::read(s.fd, unsafe { s.buf.as_mut_ptr().add(s.len) }, PORT_BUFFER_SIZE - s.len);
        if n == -sys::EINTR {
            continue;
        }
        if n > 0 {
            s.len += n as usize;
            return n;
        }
        // End of file, or an error, which reads as the end of file.
        return 0;
    }
}

/// The next char of input slot `i` (the eof object at the end); `consume` false peeks.
pub fn read_char(i: usize, consume: bool) -> Value {
    if slot(i).pos >= slot(i).len {
        if slot(i).eof_pending {
            slot(i).eof_pending = !consume;
            return EOF;
        }
        if refill(i) == 0 {
            slot(i).eof_pending = !consume;
            return EOF;
        }
    }
    // SAFETY: pos < len <= PORT_BUFFER_SIZE here.
    let need = utf8::sequence_length(unsafe { *slot(i).buf.as_ptr().add(slot(i).pos) });
    while need > slot(i).len - slot(i).pos {
        if refill(i) == 0 {
            break;
        }
    }
    let s = slot(i);
    let (code, used) = utf8::decode(unsafe { s.buf.as_ptr().add(s.pos) }, s.len - s.pos);
    if consume {
        s.pos += used;
    }
    character(code)
}

// Opening and closing.

/// Opens the file named by the Scheme string `path`: a new port, or an error naming `who`.
pub fn open_file(path: Value, output: bool, who: &[u8]) -> Value {
    init();
    if !is_string(path) {
        error::type_error(who, b"a string", path);
    }
    let mut buffer = core::mem::MaybeUninit::<[u8; PATH_MAX + 1]>::uninit();
    let name = buffer.as_mut_ptr() as *mut u8;
    let mut n = 0usize;
    for k in 0..string_length(path) {
        let c = string_ref(path, k) as u64;
        let mut bytes = [0u8; 4];
        let used = utf8::encode(c, &mut bytes);
        if c == 0 || n + used > PATH_MAX {
            let why: &[u8] =
                if c == 0 { b"the path contains a NUL character" } else { b"the path is too long" };
            error::message_error(who, why, path);
        }
        // SAFETY: n + used <= PATH_MAX, inside the buffer.
        unsafe { copy_bytes(name.add(n), bytes.as_ptr(), used) };
        n += used;
    }
    // SAFETY: here and below, indexes are at most n <= PATH_MAX.
    unsafe { *name.add(n) = 0 };
    let free = (FIRST_FILE_SLOT..MAX_PORTS).find(|&k| !slot(k).open);
    let Some(i) = free else {
        error::message_error(who, b"too many open ports", path);
    };
    let fd = if output {
        // Like `mkdir -p`: create the missing parent directories; errors show up at open.
        for k in 1..n {
            unsafe {
                if *name.add(k) == b'/' {
                    *name.add(k) = 0;
                    sys::mkdir(name, 0o755);
                    *name.add(k) = b'/';
                }
            }
        }
        sys::open(name, sys::O_WRONLY | sys::O_CREAT | sys::O_TRUNC, 0o644)
    } else {
        sys::open(name, sys::O_RDONLY, 0)
    };
    if fd < 0 {
        error::os_error(who, path, -fd);
    }
    let copy = copy_string(path, 0, string_length(path));
    start(i, fd as i32, copy, output)
}

/// Flushes and closes `port`; closing a closed port does nothing.
pub fn close(port: Value, who: &[u8]) {
    init();
    if !is_port(port) {
        error::type_error(who, b"a port", port);
    }
    let Some(i) = open_slot(port) else { return };
    if slot(i).output {
        flush(i);
    }
    let s = slot(i);
    if s.fd > 2 {
        sys::close(s.fd);
    }
    s.open = false;
}

/// Is `port` an open port?
pub fn is_open(port: Value) -> bool {
    is_port(port) && open_slot(port).is_some()
}
