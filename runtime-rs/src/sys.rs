//! The kernel, through the `syscall` instruction only (x86-64 Linux numbers and flags).
//!
//! Every system call the runtime makes is here, so that the list of syscalls an emulator must
//! provide for runtime-rs is this file: read, write, openat, close, mmap, mkdir, exit_group.

use core::arch::asm;

pub const SYS_READ: usize = 0;
pub const SYS_WRITE: usize = 1;
pub const SYS_CLOSE: usize = 3;
pub const SYS_MMAP: usize = 9;
pub const SYS_MKDIR: usize = 83;
pub const SYS_EXIT_GROUP: usize = 231;
pub const SYS_OPENAT: usize = 257;

pub const AT_FDCWD: isize = -100;
pub const O_RDONLY: usize = 0;
pub const O_WRONLY: usize = 0o1;
pub const O_CREAT: usize = 0o100;
pub const O_TRUNC: usize = 0o1000;
pub const O_CLOEXEC: usize = 0o2000000;

pub const PROT_READ: usize = 1;
pub const PROT_WRITE: usize = 2;
pub const MAP_PRIVATE: usize = 0x02;
pub const MAP_ANONYMOUS: usize = 0x20;

pub const EINTR: isize = 4;

#[inline(always)]
unsafe fn syscall1(n: usize, a1: usize) -> isize {
    let ret: isize;
    asm!("syscall", inlateout("rax") n as isize => ret, in("rdi") a1,
         lateout("rcx") _, lateout("r11") _, options(nostack));
    ret
}

#[inline(always)]
unsafe fn syscall2(n: usize, a1: usize, a2: usize) -> isize {
    let ret: isize;
    asm!("syscall", inlateout("rax") n as isize => ret, in("rdi") a1, in("rsi") a2,
         lateout("rcx") _, lateout("r11") _, options(nostack));
    ret
}

#[inline(always)]
unsafe fn syscall3(n: usize, a1: usize, a2: usize, a3: usize) -> isize {
    let ret: isize;
    asm!("syscall", inlateout("rax") n as isize => ret, in("rdi") a1, in("rsi") a2, in("rdx") a3,
         lateout("rcx") _, lateout("r11") _, options(nostack));
    ret
}

#[inline(always)]
unsafe fn syscall4(n: usize, a1: usize, a2: usize, a3: usize, a4: usize) -> isize {
    let ret: isize;
    asm!("syscall", inlateout("rax") n as isize => ret, in("rdi") a1, in("rsi") a2, in("rdx") a3,
         in("r10") a4, lateout("rcx") _, lateout("r11") _, options(nostack));
    ret
}

#[inline(always)]
unsafe fn syscall6(n: usize, a1: usize, a2: usize, a3: usize, a4: usize, a5: usize, a6: usize) -> isize {
    let ret: isize;
    asm!("syscall", inlateout("rax") n as isize => ret, in("rdi") a1, in("rsi") a2, in("rdx") a3,
         in("r10") a4, in("r8") a5, in("r9") a6, lateout("rcx") _, lateout("r11") _, options(nostack));
    ret
}

/// `read(2)`: bytes read, 0 at end of file, or -errno.
pub fn read(fd: i32, buf: *mut u8, len: usize) -> isize {
    unsafe { syscall3(SYS_READ, fd as usize, buf as usize, len) }
}

/// `write(2)`: bytes written or -errno.
pub fn write(fd: i32, buf: *const u8, len: usize) -> isize {
    unsafe { syscall3(SYS_WRITE, fd as usize, buf as usize, len) }
}

/// Writes all `len` bytes, retrying after short writes and EINTR: the byte count or -errno.
pub fn write_all(fd: i32, buf: *const u8, len: usize) -> isize {
    let mut done = 0usize;
    while done < len {
        let n = write(fd, unsafe { buf.add(done) }, len - done);
        if n == -EINTR {
            continue;
        }
        if n <= 0 {
            return if n == 0 { done as isize } else { n };
        }
        done += n as usize;
    }
    done as isize
}

/// `openat(AT_FDCWD, path, flags, mode)`: a file descriptor or -errno. `path` ends with NUL.
pub fn open(path: *const u8, flags: usize, mode: usize) -> isize {
    unsafe { syscall4(SYS_OPENAT, AT_FDCWD as usize, path as usize, flags | O_CLOEXEC, mode) }
}

pub fn close(fd: i32) -> isize {
    unsafe { syscall1(SYS_CLOSE, fd as usize) }
}

/// `mkdir(2)`: 0 or -errno. `path` ends with NUL.
pub fn mkdir(path: *const u8, mode: usize) -> isize {
    unsafe { syscall2(SYS_MKDIR, path as usize, mode) }
}

/// Anonymous private read/write memory: its address, or None.
pub fn mmap_anonymous(len: usize) -> Option<*mut u8> {
    let flags = MAP_PRIVATE | MAP_ANONYMOUS;
    let r = unsafe { syscall6(SYS_MMAP, 0, len, PROT_READ | PROT_WRITE, flags, usize::MAX, 0) };
    if (-4095..0).contains(&r) {
        None
    } else {
        Some(r as *mut u8)
    }
}

/// `exit_group(2)`: ends the process with the low 8 bits of `status`.
pub fn exit(status: i32) -> ! {
    unsafe {
        asm!("syscall", in("rax") SYS_EXIT_GROUP, in("rdi") status as isize as usize,
             options(noreturn, nostack));
    }
}
