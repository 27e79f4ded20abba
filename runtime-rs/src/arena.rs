//! The runtime arena: a bump allocator for the objects runtime-rs creates itself (ports,
//! strings, symbols, the symbol table, UTF-8 copies for C callees). It is a separate mapping
//! from the Scheme heap, which belongs to the compiled code (its pointer lives in r12).
//! Nothing is ever freed; when the arena is full the program stops with "heap exhausted".

use crate::global::Global;
use crate::sys;

/// Size of the runtime arena. Anonymous mappings are lazy, so unused space costs nothing.
pub const ARENA_SIZE: usize = 32 << 20;

struct Arena {
    next: usize,
    end: usize,
}

static ARENA: Global<Arena> = Global::new(Arena { next: 0, end: 0 });

/// Maps the arena if that has not happened yet (runtime functions can be called from an
/// `.s` program that has its own `_start`).
pub fn init() {
    let a = unsafe { ARENA.get() };
    if a.end != 0 {
        return;
    }
    match sys::mmap_anonymous(ARENA_SIZE) {
        Some(p) => {
            a.next = p as usize;
            a.end = p as usize + ARENA_SIZE;
        }
        None => crate::error::fatal(b"Error: cannot map the runtime arena"),
    }
}

/// `bytes` bytes, 8-byte aligned, from the arena; stops the program when the arena is full.
pub fn alloc(bytes: usize) -> *mut u8 {
    init();
    let a = unsafe { ARENA.get() };
    let size = match bytes.checked_add(7) {
        Some(b) => b & !7,
        None => crate::error::heap_exhausted(b" (runtime arena)"),
    };
    if size > a.end - a.next {
        crate::error::heap_exhausted(b" (runtime arena)");
    }
    let p = a.next;
    a.next += size;
    p as *mut u8
}

/// Bytes still free in the arena.
pub fn available() -> usize {
    init();
    let a = unsafe { ARENA.get() };
    a.end - a.next
}

/// The current allocation point, to give back temporary allocations with `release`.
pub fn mark() -> usize {
    init();
    unsafe { ARENA.get() }.next
}

/// Frees everything allocated since `mark` (only for scratch space nobody keeps).
pub fn release(mark: usize) {
    let a = unsafe { ARENA.get() };
    if mark != 0 && mark <= a.next {
        a.next = mark;
    }
}
