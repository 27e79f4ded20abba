import * as fs from "node:fs";
import { randomFillSync } from "node:crypto";
import { GuestFaultError, MemoryLimitError } from "../emulator/errors.js";
import { USER_TOP } from "../emulator/memory.js";
import {
  Perm,
  PAGE_SIZE,
  SYSCALL_RESTART,
  type GuestMachine,
  type SyscallHandler,
} from "../emulator/types.js";
import { hostStdinBlocking, type GuestInput } from "./guest-input.js";
import { resolveGuestPath } from "./sandbox-path.js";
import { SYSCALL_NAMES } from "./syscall-names.js";

export interface KernelOptions {
  /** The host directory that stands for the guest's `/`. */
  sandboxDir: string;
  stdout: (bytes: Uint8Array) => void;
  stderr: (bytes: Uint8Array) => void;
  /** The guest's stdin. Default: the host process's fd 0, read synchronously. */
  stdin?: GuestInput;
  /** The initial program break (the loader sets it). */
  brk?: number;
  limits?: { maxOutputBytes?: number; maxOpenFiles?: number };
}

const E = {
  EPERM: 1,
  ENOENT: 2,
  EIO: 5,
  EBADF: 9,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EEXIST: 17,
  ENOTDIR: 20,
  EISDIR: 21,
  EINVAL: 22,
  EMFILE: 24,
  ENOTTY: 25,
  EFBIG: 27,
  ESPIPE: 29,
  ERANGE: 34,
  ENAMETOOLONG: 36,
  ENOSYS: 38,
  ENOTEMPTY: 39,
  ELOOP: 40,
  ESRCH: 3,
  ENXIO: 6,
} as const;

const AT_FDCWD = -100;
const O_ACCMODE = 3;
const O_CREAT = 0o100;
const O_EXCL = 0o200;
const O_TRUNC = 0o1000;
const O_APPEND = 0o2000;
const O_DIRECTORY = 0o200000;
const O_NOFOLLOW = 0o400000;
const O_NOCTTY = 0o400;
const O_LARGEFILE = 0o100000;
const O_CLOEXEC = 0o2000000;
/** The status flags F_SETFL changes: O_APPEND O_NONBLOCK O_ASYNC O_DIRECT O_NOATIME. */
const SETFL_FLAGS = O_APPEND | 0o4000 | 0o20000 | 0o40000 | 0o1000000;
/** Flags that act at open only: F_GETFL does not report them. */
const OPEN_ONLY = O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC;
const AT_SYMLINK_NOFOLLOW = 0x100;
const AT_REMOVEDIR = 0x200;
const AT_EMPTY_PATH = 0x1000;
const MAP_PRIVATE = 2;
const MAP_TYPE = 0xf;
const PROT_WRITE = 2;
/** PROT_GROWSDOWN, PROT_GROWSUP: accepted by mprotect. */
const PROT_GROWS = 0x0300_0000;
const MREMAP_MAYMOVE = 1;
const MAP_FIXED = 0x10;
const MAP_ANONYMOUS = 0x20;
const MMAP_BASE = 0x7f00_0000_0000;
/** The guest's pid (and tid): getpid answers it. */
const PID = 1000;
const SIG_IGN = 1n;
/** struct sigaction as the kernel reads it: handler, flags, restorer, an 8-byte mask. */
const SIGACTION_SIZE = 32;

interface OpenFile {
  kind: "stdin" | "stdout" | "stderr" | "file" | "dir" | Device;
  fd?: number;
  host?: string;
  guest?: string;
  position: number;
  flags: number;
}

/** Devices the sandbox provides itself (the host's /dev is never reachable). */
type Device = "null" | "zero" | "random";
const DEVICES: Record<string, Device> = {
  "/dev/null": "null",
  "/dev/zero": "zero",
  "/dev/random": "random",
  "/dev/urandom": "random",
};
const STDIO = ["/dev/stdin", "/dev/stdout", "/dev/stderr"];
const isDevice = (kind: OpenFile["kind"]): kind is Device =>
  kind === "null" || kind === "zero" || kind === "random";

const errnoOf = (e: unknown): number => {
  const { code = "", errno } = e as NodeJS.ErrnoException;
  // Node's errno is -errno on Linux: the host's own number for one the table does not name.
  return (E as Record<string, number>)[code] ?? (typeof errno === "number" && errno < 0 ? -errno : E.EACCES);
};

/**
 * Linux x86-64 system calls over a sandbox directory. Guest files are real host files inside
 * the sandbox; every path goes through `resolveGuestPath`.
 */
export class LinuxKernel implements SyscallHandler {
  readonly unknownSyscalls: { number: number; name: string; rip: number }[] = [];
  private readonly files = new Map<number, OpenFile>();
  private cwd = "/";
  private brkStart: number;
  private brkEnd: number;
  private outputBytes = 0;
  /** mmap/brk requests refused (ENOMEM) because of the guest memory cap, and the largest. */
  memoryRefusals = 0;
  largestRefused = 0;
  /** Set when the guest sent itself a signal (abort, raise): the signal number. */
  killedBy: number | undefined;
  /** Address of the syscall instruction that stopped the guest (a signal it sent itself, the output cap). */
  haltedAt: number | undefined;
  /** Set when the output cap stopped the guest. */
  outputLimitHit = false;
  private readonly maxOutput: number;
  private readonly maxOpen: number;
  /** rt_sigaction's struct (handler, flags, restorer, mask) by signal, and the handler alone. */
  private readonly actions = new Map<number, Uint8Array>();
  private readonly handlers = new Map<number, bigint>();
  /** File descriptors with FD_CLOEXEC (kept for F_GETFD: nothing is ever executed). */
  private readonly cloexec = new Set<number>();
  private umask = 0o022;
  /** Nanoseconds the guest has slept: the clocks read that much later. */
  private slept = 0n;
  /** Shared mappings of files: [at, end) maps the host file from `offset`. */
  private readonly shared: { at: number; end: number; host: string; offset: number }[] = [];

  constructor(private readonly options: KernelOptions) {
    this.files.set(0, { kind: "stdin", position: 0, flags: 0 });
    this.files.set(1, { kind: "stdout", position: 0, flags: 1 });
    this.files.set(2, { kind: "stderr", position: 0, flags: 1 });
    this.brkStart = this.brkEnd = options.brk ?? 0x1000_0000;
    this.maxOutput = options.limits?.maxOutputBytes ?? 64 << 20;
    this.maxOpen = options.limits?.maxOpenFiles ?? 256;
  }

  setBrk(address: number): void {
    this.brkStart = this.brkEnd = address;
  }

  nameOf(n: number): string {
    return SYSCALL_NAMES[n] ?? `syscall_${n}`;
  }

  handle(m: GuestMachine): bigint {
    const n = Number(m.getRegister("rax"));
    const a = [
      m.getRegister("rdi"),
      m.getRegister("rsi"),
      m.getRegister("rdx"),
      m.getRegister("r10"),
      m.getRegister("r8"),
      m.getRegister("r9"),
    ];
    const i = (k: number) => Number(BigInt.asIntN(64, a[k]));
    const u = (k: number) => Number(a[k]);
    try {
      return BigInt(this.dispatch(m, n, i, u));
    } catch (e) {
      // A bad guest pointer is the guest's problem: EFAULT, as Linux answers.
      if (e instanceof Fault || e instanceof GuestFaultError) return BigInt(-E.EFAULT);
      // A host file operation that failed (ENOSPC, EIO...): its errno, as Linux would answer.
      if (typeof (e as NodeJS.ErrnoException).code === "string" && (e as NodeJS.ErrnoException).errno)
        return BigInt(-errnoOf(e));
      throw e;
    }
  }

  private dispatch(m: GuestMachine, n: number, i: (k: number) => number, u: (k: number) => number): number {
    switch (n) {
      case 0:
        return this.read(m, i(0), u(1), u(2));
      case 1:
        return this.write(m, i(0), u(1), u(2));
      case 2:
        return this.openat(m, AT_FDCWD, u(0), i(1), i(2));
      case 3:
        return this.close(i(0));
      case 4:
      case 6:
        return this.stat(m, AT_FDCWD, u(0), u(1), n === 6 ? AT_SYMLINK_NOFOLLOW : 0);
      case 5:
        return this.fstat(m, i(0), u(1));
      case 8:
        return this.lseek(i(0), i(1), i(2));
      case 9:
        return this.mmap(m, u(0), u(1), i(2), i(3), i(4), i(5));
      case 25:
        return this.mremap(m, u(0), u(1), u(2), i(3));
      case 10:
        return this.mprotect(m, u(0), u(1), i(2));
      case 11:
        return this.munmap(m, u(0), u(1));
      case 12:
        return this.brk(m, u(0));
      case 13:
        return this.sigaction(m, i(0), u(1), u(2));
      case 14:
      case 131:
        return 0; // rt_sigprocmask, sigaltstack: no signals are delivered
      case 16:
        return -E.ENOTTY; // ioctl: no terminals in the sandbox
      case 17:
        return this.pread(m, i(0), u(1), u(2), i(3));
      case 18:
        return this.pwrite(m, i(0), u(1), u(2), i(3));
      case 19:
        return this.readv(m, i(0), u(1), i(2));
      case 20:
        return this.writev(m, i(0), u(1), i(2));
      case 21:
        return this.faccessat(m, AT_FDCWD, u(0), i(1));
      case 39:
      case 186:
        return PID; // getpid, gettid
      case 110:
        return 1; // getppid
      case 102:
      case 104:
      case 107:
      case 108:
        return 1000; // getuid getgid geteuid getegid
      case 60:
      case 231:
        this.syncShared(m, 0, USER_TOP);
        m.exit(i(0) & 0xff);
        return 0;
      case 63:
        return this.uname(m, u(0));
      case 72:
        return this.fcntl(i(0), i(1), i(2));
      case 79:
        return this.getcwd(m, u(0), u(1));
      case 80:
        return this.chdir(m, u(0));
      case 82:
        return this.renameat(m, AT_FDCWD, u(0), AT_FDCWD, u(1));
      case 83:
        return this.mkdirat(m, AT_FDCWD, u(0), u(1));
      case 84:
        return this.unlinkat(m, AT_FDCWD, u(0), AT_REMOVEDIR);
      case 87:
        return this.unlinkat(m, AT_FDCWD, u(0), 0);
      case 85:
        return this.openat(m, AT_FDCWD, u(0), 0o1101 /* O_WRONLY | O_CREAT | O_TRUNC */, i(1));
      case 86:
      case 88:
      case 133:
      case 259:
      case 265:
      case 266:
        // link, symlink, mknod (and their *at forms): a link could name something outside the
        // sandbox, a device node the host's hardware. Refused, as by a file system without them.
        return -E.EPERM;
      case 89:
      case 267:
        return -E.EINVAL; // readlink: no symlinks to report (/proc/self/exe does not exist)
      case 96:
        return this.gettimeofday(m, u(0));
      case 158:
        return this.archPrctl(m, i(0), u(1));
      case 218:
        return PID; // set_tid_address
      case 228:
        return this.clockGettime(m, i(0), u(1));
      case 202:
        return 0; // futex: single-threaded, nothing waits
      case 204:
        return this.schedGetaffinity(m, u(1), u(2));
      case 257:
        return this.openat(m, i(0), u(1), i(2), i(3));
      case 258:
        return this.mkdirat(m, i(0), u(1), u(2));
      case 262:
        return this.stat(m, i(0), u(1), u(2), i(3));
      case 263:
        return this.unlinkat(m, i(0), u(1), i(2));
      case 264:
      case 316:
        return this.renameat(m, i(0), u(1), i(2), u(3));
      case 269:
      case 439:
        return this.faccessat(m, i(0), u(1), i(2));
      case 273:
        return 0; // set_robust_list
      case 302:
        return this.prlimit(m, u(3));
      case 97:
        return this.prlimit(m, u(1));
      case 318:
        return this.getrandom(m, u(0), u(1));
      case 28:
        return 0; // madvise
      case 26:
        return this.msync(m, u(0), u(1));
      case 32:
        return this.dup(i(0), -1);
      case 33:
        return this.dup(i(0), i(1));
      case 292:
        // dup3: O_CLOEXEC the only flag; the same fd twice is an error (dup2 allows it).
        if (i(0) === i(1) || (i(2) & ~O_CLOEXEC) !== 0) return this.files.has(i(0)) ? -E.EINVAL : -E.EBADF;
        return this.dup(i(0), i(1), 0, (i(2) & O_CLOEXEC) !== 0);
      case 24:
        return 0; // sched_yield: nothing else to run
      case 35:
        return this.sleep(m, 1, 0, u(0));
      case 230:
        return this.sleep(m, i(0), i(1), u(2)); // clock_nanosleep
      case 74:
      case 75:
        return this.fsync(i(0));
      case 76:
        return this.truncate(m, u(0), i(1));
      case 77:
        return this.ftruncate(i(0), i(1));
      case 90:
        return this.chmod(m, AT_FDCWD, u(0), u(1));
      case 91:
        return this.fchmod(i(0), u(1));
      case 268:
        return this.chmod(m, i(0), u(1), u(2));
      case 95: {
        const old = this.umask;
        this.umask = i(0) & 0o777;
        return old;
      }
      case 217:
        return this.getdents64(m, i(0), u(1), u(2));
      case 62:
        // kill: this process (pid, its group 0 or -pid); -1 is every other process: none here.
        return this.kill(m, [PID, 0, -PID].includes(i(0)) ? i(1) : undefined, i(1));
      case 200:
        return this.kill(m, i(0) === PID ? i(1) : undefined, i(1)); // tkill
      case 234:
        return this.kill(m, i(0) === PID && i(1) === PID ? i(2) : undefined, i(2)); // tgkill
      case 56:
      case 57:
      case 58:
      case 435:
        // clone, fork, vfork, clone3: one process, one thread. A fork bomb gets EAGAIN forever
        // (as when RLIMIT_NPROC is reached) and ends by its own logic or at a limit.
        return -E.EAGAIN;
      case 59:
      case 322:
        return -E.EACCES; // execve, execveat: nothing to run but this program
      case 334:
        return -E.ENOSYS; // rseq
      default:
        this.unknownSyscalls.push({ number: n, name: this.nameOf(n), rip: m.rip });
        return -E.ENOSYS;
    }
  }

  /**
   * kill/tkill/tgkill of this process (`signal`) or of another (undefined: none exists, ESRCH). A
   * signal set to SIG_IGN or ignored by default is discarded; any other ends the process (handlers
   * never run).
   */
  private kill(m: GuestMachine, signal: number | undefined, asked: number): number {
    if (asked < 0 || asked > 64) return -E.EINVAL;
    if (signal === undefined) return -E.ESRCH;
    if (signal === 0) return 0;
    if (this.handlers.get(signal) === SIG_IGN) return 0;
    // SIGCHLD, SIGURG, SIGWINCH are ignored by default; SIGCONT continues.
    if ([17, 18, 23, 28].includes(signal)) return 0;
    this.syncShared(m, 0, USER_TOP);
    this.killedBy = signal;
    this.haltedAt = m.rip - SYSCALL_LENGTH;
    m.halt(`the program sent itself signal ${signal}`);
    return 0;
  }

  /** rt_sigaction: the handlers are kept (for SIG_IGN and for the old action), never run. */
  private sigaction(m: GuestMachine, signal: number, act: number, old: number): number {
    if (signal < 1 || signal > 64 || (act !== 0 && (signal === 9 || signal === 19))) return -E.EINVAL;
    const previous = this.actions.get(signal) ?? new Uint8Array(SIGACTION_SIZE);
    const next = act !== 0 ? this.bytes(m, act, SIGACTION_SIZE).slice() : undefined;
    if (old !== 0) this.put(m, old, previous);
    if (next) {
      this.actions.set(signal, next);
      this.handlers.set(signal, new DataView(next.buffer).getBigUint64(0, true));
    }
    return 0;
  }

  // ------------------------------------------------------------------ memory helpers

  private bytes(m: GuestMachine, address: number, length: number): Uint8Array {
    if (length === 0) return new Uint8Array(0);
    if (!m.memory.isMapped(address, length)) throw new Fault();
    return m.memory.readBytes(address, length);
  }

  private put(m: GuestMachine, address: number, data: Uint8Array): void {
    if (data.length === 0) return;
    if (!m.memory.isMapped(address, data.length)) throw new Fault();
    m.memory.writeBytes(address, data);
  }

  private path(m: GuestMachine, address: number): Uint8Array | number {
    if (!m.memory.isMapped(address, 1)) return -E.EFAULT;
    const s = m.memory.readCString(address, 4097);
    if (s.length > 4096) return -E.ENAMETOOLONG;
    return s;
  }

  private resolve(
    m: GuestMachine,
    dirfd: number,
    address: number,
    followLast = true,
  ): { host: string; guest: string } | number {
    const p = this.path(m, address);
    if (typeof p === "number") return p;
    let base = this.cwd;
    if (p[0] !== 0x2f && dirfd !== AT_FDCWD) {
      const dir = this.files.get(dirfd);
      if (!dir) return -E.EBADF;
      if (dir.kind !== "dir" || !dir.guest) return -E.ENOTDIR;
      base = dir.guest;
    }
    if (p.length === 1 && p[0] === 0x2e && base !== this.cwd)
      return { host: this.files.get(dirfd)!.host!, guest: base };
    const r = resolveGuestPath(this.options.sandboxDir, base, p, followLast);
    return r.ok ? { host: r.host, guest: r.guest } : -r.errno;
  }

  // ------------------------------------------------------------------ files

  private newFd(file: OpenFile): number {
    if (this.files.size >= this.maxOpen) return -E.EMFILE;
    let fd = 0;
    while (this.files.has(fd)) fd++;
    this.files.set(fd, file);
    if (file.flags & O_CLOEXEC) this.cloexec.add(fd);
    return fd;
  }

  private openat(m: GuestMachine, dirfd: number, pathAddress: number, flags: number, mode: number): number {
    const r = this.resolve(m, dirfd, pathAddress, (flags & O_NOFOLLOW) === 0);
    if (typeof r === "number") return r;
    const device = DEVICES[r.guest];
    if (device) return this.newFd({ kind: device, position: 0, flags });
    const stdio = STDIO.indexOf(r.guest);
    if (stdio >= 0)
      return this.files.has(stdio) ? this.dup(stdio, -1, 0, (flags & O_CLOEXEC) !== 0) : -E.ENOENT;
    let st: fs.Stats | undefined;
    try {
      st = fs.lstatSync(r.host);
    } catch {
      st = undefined;
    }
    if (st?.isSymbolicLink()) return -E.ELOOP;
    if (st?.isDirectory()) {
      if ((flags & O_ACCMODE) !== 0) return -E.EISDIR;
      return this.newFd({ kind: "dir", host: r.host, guest: r.guest, position: 0, flags });
    }
    // A name ending in "/" must be a directory (and cannot be created as a file).
    const p = this.path(m, pathAddress);
    const slash = typeof p !== "number" && p.length > 0 && p[p.length - 1] === 0x2f;
    if (slash && !st && flags & O_CREAT) return -E.EISDIR;
    if (flags & O_DIRECTORY || slash) return st ? -E.ENOTDIR : -E.ENOENT;
    const writing = (flags & O_ACCMODE) !== 0 || (flags & O_TRUNC) !== 0;
    // A hard link planted in the sandbox could point at a file outside it: never write through one.
    if (st && writing && st.nlink > 1) return -E.EACCES;
    if (st && !st.isFile() && !st.isDirectory()) return -E.EACCES;
    let hostFlags =
      [fs.constants.O_RDONLY, fs.constants.O_WRONLY, fs.constants.O_RDWR][flags & O_ACCMODE] ??
      fs.constants.O_RDONLY;
    if (flags & O_CREAT) hostFlags |= fs.constants.O_CREAT;
    if (flags & O_EXCL) hostFlags |= fs.constants.O_EXCL;
    if (flags & O_TRUNC) hostFlags |= fs.constants.O_TRUNC;
    hostFlags |= fs.constants.O_NOFOLLOW;
    try {
      const fd = fs.openSync(r.host, hostFlags, mode & 0o777 & ~this.umask);
      const n = this.newFd({ kind: "file", fd, host: r.host, guest: r.guest, position: 0, flags });
      if (n < 0) fs.closeSync(fd);
      return n;
    } catch (e) {
      return -errnoOf(e);
    }
  }

  private close(fd: number): number {
    const f = this.files.get(fd);
    if (!f) return -E.EBADF;
    this.files.delete(fd);
    this.cloexec.delete(fd);
    if (f.kind === "file" && f.fd !== undefined && ![...this.files.values()].some((o) => o.fd === f.fd))
      fs.closeSync(f.fd);
    return 0;
  }

  private read(m: GuestMachine, fd: number, buf: number, count: number): number {
    const f = this.files.get(fd);
    if (!f) return -E.EBADF;
    if ((f.flags & O_ACCMODE) === 1) return -E.EBADF;
    count = Math.min(count, 1 << 20);
    if (f.kind === "null") return 0;
    if (f.kind === "zero" || f.kind === "random") {
      const data = new Uint8Array(count);
      if (f.kind === "random") randomFillSync(data);
      this.put(m, buf, data);
      return count;
    }
    if (f.kind === "dir") return -E.EISDIR;
    if (f.kind === "stdin") {
      if (count === 0) return 0; // even with nothing to read yet, as Linux answers
      let data: Uint8Array | null | undefined;
      try {
        data = (this.options.stdin ?? hostStdinBlocking).read(count);
      } catch (e) {
        return -errnoOf(e);
      }
      // Nothing there yet: the machine stops at this syscall and runs it again once there is.
      if (data === undefined) return RESTART;
      if (!data) return 0;
      this.put(m, buf, data);
      return data.length;
    }
    if (f.kind !== "file") return -E.EBADF;
    const data = new Uint8Array(count);
    const got = fs.readSync(f.fd!, data, 0, count, f.position);
    this.put(m, buf, data.subarray(0, got));
    f.position += got;
    return got;
  }

  private write(m: GuestMachine, fd: number, buf: number, count: number): number {
    const f = this.files.get(fd);
    if (!f) return -E.EBADF;
    if ((f.flags & O_ACCMODE) === 0 && (f.kind === "file" || f.kind === "dir" || isDevice(f.kind)))
      return -E.EBADF;
    const data = this.bytes(m, buf, count);
    if (isDevice(f.kind)) return count;
    if (!this.countOutput(m, count)) return -E.EFBIG;
    if (f.kind === "stdout") this.options.stdout(data);
    else if (f.kind === "stderr") this.options.stderr(data);
    else if (f.kind === "file") {
      // O_APPEND is the guest's flag (F_SETFL changes it): each write goes to the current end.
      const position = f.flags & O_APPEND ? fs.fstatSync(f.fd!).size : f.position;
      const n = fs.writeSync(f.fd!, data, 0, data.length, position);
      f.position = position + n;
      return n;
    } else return -E.EBADF;
    return count;
  }

  /** Count bytes written (terminal and files); past the output cap the guest is stopped. */
  private countOutput(m: GuestMachine, count: number): boolean {
    if (this.outputBytes + count > this.maxOutput) {
      this.outputLimitHit = true;
      this.haltedAt = m.rip - SYSCALL_LENGTH;
      m.halt(`the output limit of ${formatBytes(this.maxOutput)} was reached`);
      return false;
    }
    this.outputBytes += count;
    return true;
  }

  /** pread/pwrite: a negative offset is checked first; a device ignores the offset; stdio is a pipe or tty. */
  private pread(m: GuestMachine, fd: number, buf: number, count: number, offset: number): number {
    if (offset < 0) return -E.EINVAL;
    const f = this.files.get(fd);
    if (f && (isDevice(f.kind) || f.kind === "dir")) return this.read(m, fd, buf, count);
    if (!f || f.kind !== "file") return f ? -E.ESPIPE : -E.EBADF;
    const data = new Uint8Array(Math.min(count, 1 << 20));
    const got = fs.readSync(f.fd!, data, 0, data.length, offset);
    this.put(m, buf, data.subarray(0, got));
    return got;
  }

  private pwrite(m: GuestMachine, fd: number, buf: number, count: number, offset: number): number {
    if (offset < 0) return -E.EINVAL;
    const f = this.files.get(fd);
    if (f && (isDevice(f.kind) || f.kind === "dir")) return this.write(m, fd, buf, count);
    if (!f || f.kind !== "file") return f ? -E.ESPIPE : -E.EBADF;
    if ((f.flags & O_ACCMODE) === 0) return -E.EBADF;
    const data = this.bytes(m, buf, count);
    if (!this.countOutput(m, count)) return -E.EFBIG;
    // With O_APPEND, Linux's pwrite appends whatever the offset (see BUGS in pwrite(2)).
    return fs.writeSync(f.fd!, data, 0, count, f.flags & O_APPEND ? fs.fstatSync(f.fd!).size : offset);
  }

  private iovecs(m: GuestMachine, iov: number, count: number): [number, number][] {
    const out: [number, number][] = [];
    for (let k = 0; k < Math.min(count, 1024); k++) {
      const base = this.bytes(m, iov + 16 * k, 16);
      const v = new DataView(base.buffer, base.byteOffset, 16);
      out.push([Number(v.getBigUint64(0, true)), Number(v.getBigUint64(8, true))]);
    }
    return out;
  }

  private readv(m: GuestMachine, fd: number, iov: number, count: number): number {
    let total = 0;
    for (const [base, len] of this.iovecs(m, iov, count)) {
      const n = this.read(m, fd, base, len);
      if (n < 0) return total || n;
      total += n;
      if (n < len) break;
    }
    return total;
  }

  private writev(m: GuestMachine, fd: number, iov: number, count: number): number {
    let total = 0;
    for (const [base, len] of this.iovecs(m, iov, count)) {
      const n = this.write(m, fd, base, len);
      if (n < 0) return total || n;
      total += n;
    }
    return total;
  }

  private lseek(fd: number, offset: number, whence: number): number {
    const f = this.files.get(fd);
    if (!f) return -E.EBADF;
    if (f.kind === "dir") {
      // A directory's position counts its entries (getdents64): rewinddir and seekdir move it.
      if (whence !== 0 || offset < 0) return -E.EINVAL;
      f.position = offset;
      return offset;
    }
    if (f.kind !== "file") return -E.ESPIPE;
    const size = fs.fstatSync(f.fd!).size;
    const next =
      whence === 0 ? offset : whence === 1 ? f.position + offset : whence === 2 ? size + offset : -1;
    if (next < 0 || whence > 2) return -E.EINVAL;
    f.position = next;
    return next;
  }

  private statBuffer(st: fs.Stats | undefined, kind: OpenFile["kind"]): Uint8Array {
    const b = new DataView(new ArrayBuffer(144));
    const mode = st ? st.mode : isDevice(kind) ? 0o20666 : 0o20620; // character devices
    b.setBigUint64(0, BigInt(st?.dev ?? 5), true);
    b.setBigUint64(8, BigInt(st?.ino ?? 1), true);
    b.setBigUint64(16, BigInt(st?.nlink ?? 1), true);
    b.setUint32(24, mode, true);
    b.setUint32(28, 1000, true);
    b.setUint32(32, 1000, true);
    b.setBigInt64(48, BigInt(st?.size ?? 0), true);
    b.setBigInt64(56, 4096n, true);
    b.setBigInt64(64, BigInt(st?.blocks ?? 0), true);
    const t = (ms: number, at: number) => {
      b.setBigInt64(at, BigInt(Math.floor(ms / 1000)), true);
      b.setBigInt64(at + 8, BigInt(Math.floor((ms % 1000) * 1e6)), true);
    };
    t(st?.atimeMs ?? 0, 72);
    t(st?.mtimeMs ?? 0, 88);
    t(st?.ctimeMs ?? 0, 104);
    return new Uint8Array(b.buffer);
  }

  private fstat(m: GuestMachine, fd: number, buf: number): number {
    const f = this.files.get(fd);
    if (!f) return -E.EBADF;
    const st = f.kind === "file" ? fs.fstatSync(f.fd!) : f.kind === "dir" ? fs.statSync(f.host!) : undefined;
    this.put(m, buf, this.statBuffer(st, f.kind));
    return 0;
  }

  private stat(m: GuestMachine, dirfd: number, pathAddress: number, buf: number, flags: number): number {
    if (flags & AT_EMPTY_PATH) {
      const p = this.path(m, pathAddress);
      if (typeof p !== "number" && p.length === 0) return this.fstat(m, dirfd, buf);
    }
    const r = this.resolve(m, dirfd, pathAddress, (flags & AT_SYMLINK_NOFOLLOW) === 0);
    if (typeof r === "number") return r;
    const device = DEVICES[r.guest];
    if (device) {
      this.put(m, buf, this.statBuffer(undefined, device));
      return 0;
    }
    // /dev/stdin, /dev/stdout, /dev/stderr name descriptors 0 1 2 (ENOENT once closed).
    const stdio = STDIO.indexOf(r.guest);
    if (stdio >= 0) return this.files.has(stdio) ? this.fstat(m, stdio, buf) : -E.ENOENT;
    try {
      this.put(m, buf, this.statBuffer(fs.lstatSync(r.host), "file"));
      return 0;
    } catch (e) {
      return -errnoOf(e);
    }
  }

  /** access, faccessat: F_OK or R_OK W_OK X_OK, answered by the host for the sandbox's files. */
  private faccessat(m: GuestMachine, dirfd: number, pathAddress: number, mode: number): number {
    if (mode & ~7) return -E.EINVAL;
    const r = this.resolve(m, dirfd, pathAddress);
    if (typeof r === "number") return r;
    if (DEVICES[r.guest]) return mode & 1 ? -E.EACCES : 0;
    const stdio = STDIO.indexOf(r.guest);
    if (stdio >= 0) return !this.files.has(stdio) ? -E.ENOENT : mode & 1 ? -E.EACCES : 0;
    fs.accessSync(r.host, mode);
    return 0;
  }

  private mkdirat(m: GuestMachine, dirfd: number, pathAddress: number, mode: number): number {
    const r = this.resolve(m, dirfd, pathAddress, false);
    if (typeof r === "number") return r;
    try {
      fs.mkdirSync(r.host, { mode: mode & 0o777 & ~this.umask });
      return 0;
    } catch (e) {
      return -errnoOf(e);
    }
  }

  private unlinkat(m: GuestMachine, dirfd: number, pathAddress: number, flags: number): number {
    const r = this.resolve(m, dirfd, pathAddress, false);
    if (typeof r === "number") return r;
    if (r.guest === "/") return -E.EACCES;
    try {
      if (flags & AT_REMOVEDIR) fs.rmdirSync(r.host);
      else {
        if (fs.lstatSync(r.host).isDirectory()) return -E.EISDIR;
        fs.unlinkSync(r.host);
      }
      return 0;
    } catch (e) {
      return -errnoOf(e);
    }
  }

  private renameat(
    m: GuestMachine,
    olddir: number,
    oldAddress: number,
    newdir: number,
    newAddress: number,
  ): number {
    const a = this.resolve(m, olddir, oldAddress, false);
    if (typeof a === "number") return a;
    const b = this.resolve(m, newdir, newAddress, false);
    if (typeof b === "number") return b;
    try {
      fs.renameSync(a.host, b.host);
      return 0;
    } catch (e) {
      return -errnoOf(e);
    }
  }

  private getcwd(m: GuestMachine, buf: number, size: number): number {
    const bytes = new TextEncoder().encode(this.cwd + "\0");
    if (bytes.length > size) return -E.ERANGE;
    this.put(m, buf, bytes);
    return bytes.length;
  }

  private chdir(m: GuestMachine, pathAddress: number): number {
    const r = this.resolve(m, AT_FDCWD, pathAddress);
    if (typeof r === "number") return r;
    try {
      if (!fs.statSync(r.host).isDirectory()) return -E.ENOTDIR;
    } catch (e) {
      return -errnoOf(e);
    }
    this.cwd = r.guest;
    return 0;
  }

  private fcntl(fd: number, cmd: number, arg: number): number {
    const f = this.files.get(fd);
    if (!f) return -E.EBADF;
    switch (cmd) {
      case 0:
      case 1030:
        return this.dup(fd, -1, arg, cmd === 1030);
      case 1:
        return this.cloexec.has(fd) ? 1 : 0;
      case 2:
        if (arg & 1) this.cloexec.add(fd);
        else this.cloexec.delete(fd);
        return 0;
      case 3:
        return (
          (f.flags & ~OPEN_ONLY) |
          (f.kind === "stdin" || f.kind === "stdout" || f.kind === "stderr" ? 0 : O_LARGEFILE)
        );
      case 4:
        f.flags = (f.flags & ~SETFL_FLAGS) | (arg & SETFL_FLAGS);
        return 0;
      default:
        return -E.EINVAL;
    }
  }

  /** The new descriptor shares the open file (its offset and status flags), as on Linux. */
  private dup(fd: number, to: number, min = 0, cloexec = false): number {
    const f = this.files.get(fd);
    if (!f) return -E.EBADF;
    if (to >= this.maxOpen || min >= this.maxOpen) return -E.EBADF;
    if (to < 0 && this.files.size >= this.maxOpen) return -E.EMFILE;
    let n = to;
    if (to >= 0) {
      if (to === fd) return to;
      if (this.files.has(to)) this.close(to);
    } else {
      n = min;
      while (this.files.has(n)) n++;
    }
    this.files.set(n, f);
    if (cloexec) this.cloexec.add(n);
    return n;
  }

  private fsync(fd: number): number {
    const f = this.files.get(fd);
    if (!f) return -E.EBADF;
    return f.kind === "file" || f.kind === "dir" ? 0 : -E.EINVAL;
  }

  private ftruncate(fd: number, length: number): number {
    const f = this.files.get(fd);
    if (!f) return -E.EBADF;
    if (f.kind !== "file" || (f.flags & O_ACCMODE) === 0 || length < 0) return -E.EINVAL;
    fs.ftruncateSync(f.fd!, length);
    return 0;
  }

  private truncate(m: GuestMachine, pathAddress: number, length: number): number {
    if (length < 0) return -E.EINVAL;
    const r = this.resolve(m, AT_FDCWD, pathAddress);
    if (typeof r === "number") return r;
    if (DEVICES[r.guest]) return -E.EINVAL;
    const st = fs.statSync(r.host);
    if (st.isDirectory()) return -E.EISDIR;
    if (!st.isFile() || st.nlink > 1) return -E.EACCES;
    fs.truncateSync(r.host, length);
    return 0;
  }

  /** chmod, fchmodat: permission bits only (no set-id bits in the sandbox). */
  private chmod(m: GuestMachine, dirfd: number, pathAddress: number, mode: number): number {
    const r = this.resolve(m, dirfd, pathAddress);
    if (typeof r === "number") return r;
    if (DEVICES[r.guest]) return -E.EPERM;
    // A hard link planted in the sandbox could point at a file outside it (see openat).
    const st = fs.statSync(r.host);
    if (!st.isDirectory() && st.nlink > 1) return -E.EPERM;
    fs.chmodSync(r.host, mode & 0o777);
    return 0;
  }

  private fchmod(fd: number, mode: number): number {
    const f = this.files.get(fd);
    if (!f) return -E.EBADF;
    if (f.kind !== "file" && f.kind !== "dir") return -E.EPERM;
    if (f.kind === "file" && fs.fstatSync(f.fd!).nlink > 1) return -E.EPERM;
    if (f.kind === "file") fs.fchmodSync(f.fd!, mode & 0o777);
    else fs.chmodSync(f.host!, mode & 0o777);
    return 0;
  }

  /**
   * nanosleep, clock_nanosleep (TIMER_ABSTIME: until a time of `clock`): the sandbox never waits;
   * the time asked for is added to what the clocks read instead, so that the guest sees it pass.
   */
  private sleep(m: GuestMachine, clock: number, flags: number, request: number): number {
    const t = this.bytes(m, request, 16);
    const v = new DataView(t.buffer, t.byteOffset, 16);
    const sec = v.getBigInt64(0, true);
    const nsec = v.getBigInt64(8, true);
    if (sec < 0n || nsec < 0n || nsec >= 1_000_000_000n || (clock !== 0 && clock !== 1 && clock !== 7))
      return -E.EINVAL;
    const asked = sec * 1_000_000_000n + nsec;
    const wait = flags & 1 ? asked - this.now(clock) : asked;
    if (wait > 0n) this.slept += wait;
    return 0;
  }

  /** What `clock` reads, in nanoseconds: the host's time, plus the time slept (CPU-time clocks: without). */
  private now(clock: number): bigint {
    const host = clock === 0 || clock === 5 ? BigInt(Date.now()) * 1_000_000n : process.hrtime.bigint();
    return clock === 2 || clock === 3 ? host : host + this.slept;
  }

  /** getdents64: ".", "..", then the directory's entries; the fd's position counts the entries given. */
  private getdents64(m: GuestMachine, fd: number, buf: number, size: number): number {
    const f = this.files.get(fd);
    if (!f) return -E.EBADF;
    if (f.kind !== "dir") return -E.ENOTDIR;
    const names = [".", "..", ...fs.readdirSync(f.host!)];
    const out: Uint8Array[] = [];
    let used = 0;
    for (; f.position < names.length; f.position++) {
      const name = new TextEncoder().encode(names[f.position]);
      const length = Math.ceil((19 + name.length + 1) / 8) * 8;
      if (used + length > size) break;
      let st: fs.Stats | undefined;
      try {
        st = fs.lstatSync(f.position < 2 ? f.host! : `${f.host!}/${names[f.position]}`);
      } catch {
        st = undefined;
      }
      const d = new DataView(new ArrayBuffer(length));
      d.setBigUint64(0, BigInt(st?.ino ?? 0), true);
      d.setBigInt64(8, BigInt(f.position + 1), true);
      d.setUint16(16, length, true);
      d.setUint8(18, st?.isDirectory() ? 4 : st?.isFile() ? 8 : st?.isSymbolicLink() ? 10 : 0);
      const entry = new Uint8Array(d.buffer);
      entry.set(name, 19);
      out.push(entry);
      used += length;
    }
    if (out.length === 0 && f.position < names.length) return -E.EINVAL;
    let at = buf;
    for (const entry of out) {
      this.put(m, at, entry);
      at += entry.length;
    }
    return used;
  }

  // ------------------------------------------------------------------ memory

  private mmap(
    m: GuestMachine,
    addr: number,
    length: number,
    prot: number,
    flags: number,
    fd: number,
    offset: number,
  ): number {
    const type = flags & MAP_TYPE;
    if (length <= 0 || type < 1 || type > 3) return -E.EINVAL; // MAP_SHARED, MAP_PRIVATE, MAP_SHARED_VALIDATE
    const size = Math.ceil(length / PAGE_SIZE) * PAGE_SIZE;
    // A private mapping of /dev/zero is an anonymous mapping.
    if (!(flags & MAP_ANONYMOUS) && this.files.get(fd)?.kind === "zero") flags |= MAP_ANONYMOUS;
    const file = flags & MAP_ANONYMOUS ? undefined : this.files.get(fd);
    const shared = !(flags & MAP_ANONYMOUS) && type !== MAP_PRIVATE;
    if (!(flags & MAP_ANONYMOUS)) {
      if (!file || file.kind !== "file") return -E.EBADF;
      if (offset < 0 || offset % PAGE_SIZE) return -E.EINVAL;
      // The file must be readable, and writable for a shared mapping that may be written.
      const mode = file.flags & O_ACCMODE;
      if (mode === 1 || (shared && prot & PROT_WRITE && mode !== 2)) return -E.EACCES;
    }
    let at: number;
    if (flags & MAP_FIXED) {
      if (addr % PAGE_SIZE) return -E.EINVAL;
      at = addr;
      if (m.memory.isMapped(at, size)) this.unmap(m, at, size);
    } else {
      at = m.memory.findFree(size, MMAP_BASE - size);
      if (at < 0) at = m.memory.findFree(size, 0x1_0000_0000);
      if (at < 0) return -E.ENOMEM;
    }
    try {
      m.memory.map(at, size, Perm.read | Perm.write, "mmap");
    } catch (e) {
      this.noteRefusal(e, size);
      return -E.ENOMEM;
    }
    if (file) {
      // Only the part of the file that exists is read; the rest of the mapping stays zero.
      const data = new Uint8Array(Math.max(0, Math.min(length, fs.fstatSync(file.fd!).size - offset)));
      const got = fs.readSync(file.fd!, data, 0, data.length, offset);
      m.memory.writeBytes(at, data.subarray(0, got));
    }
    m.memory.protect(at, size, permOf(prot));
    if (shared) this.shared.push({ at, end: at + size, host: file!.host!, offset });
    return at;
  }

  /**
   * Writes the pages of shared file mappings in [from, to) back to their files (the part of each
   * file that exists: a mapping does not make its file longer). Done at msync, munmap and when the
   * program ends: between those, the file and the mapping do not see each other's writes.
   */
  private syncShared(m: GuestMachine, from: number, to: number): void {
    for (const s of this.shared) {
      const start = Math.max(from, s.at);
      const end = Math.min(to, s.end);
      if (start >= end) continue;
      let fd: number | undefined;
      try {
        fd = fs.openSync(s.host, fs.constants.O_WRONLY | fs.constants.O_NOFOLLOW);
        const { size, nlink } = fs.fstatSync(fd);
        if (nlink > 1) continue; // never written through a hard link (see openat)
        for (let page = start; page < end; page += PAGE_SIZE) {
          const at = s.offset + (page - s.at);
          const length = Math.min(PAGE_SIZE, end - page, size - at);
          if (length <= 0) break;
          if (m.memory.isMapped(page, length))
            fs.writeSync(fd, m.memory.readBytes(page, length), 0, length, at);
        }
      } catch {
        // The file is gone or cannot be written: the mapping's writes stay in memory, as a private one's.
      } finally {
        if (fd !== undefined) fs.closeSync(fd);
      }
    }
  }

  private msync(m: GuestMachine, addr: number, length: number): number {
    if (addr % PAGE_SIZE) return -E.EINVAL;
    const size = Math.ceil(length / PAGE_SIZE) * PAGE_SIZE;
    if (size > 0 && !m.memory.isMapped(addr, size)) return -E.ENOMEM;
    this.syncShared(m, addr, addr + size);
    return 0;
  }

  /**
   * mremap of private memory: shrunk in place, grown in place when the pages after it are free,
   * else moved (MREMAP_MAYMOVE) with its contents and protection. MREMAP_FIXED is not supported.
   */
  private mremap(m: GuestMachine, old: number, oldSize: number, newSize: number, flags: number): number {
    const oldLength = Math.ceil(oldSize / PAGE_SIZE) * PAGE_SIZE;
    const length = Math.ceil(newSize / PAGE_SIZE) * PAGE_SIZE;
    if (old % PAGE_SIZE || length === 0 || oldLength === 0 || flags & ~MREMAP_MAYMOVE) return -E.EINVAL;
    if (!m.memory.isMapped(old, oldLength)) return -E.EFAULT;
    if (this.shared.some((s) => s.at < old + oldLength && old < s.end)) return -E.EINVAL;
    if (length <= oldLength) {
      if (length < oldLength) this.unmap(m, old + length, oldLength - length);
      return old;
    }
    const perm = m.memory.permAt(old) ?? Perm.read | Perm.write;
    try {
      if (m.memory.findFree(length - oldLength, old + oldLength) === old + oldLength) {
        m.memory.map(old + oldLength, length - oldLength, perm, "mmap");
        return old;
      }
      if (!(flags & MREMAP_MAYMOVE)) return -E.ENOMEM;
      let at = m.memory.findFree(length, MMAP_BASE - length);
      if (at < 0) at = m.memory.findFree(length, 0x1_0000_0000);
      if (at < 0) return -E.ENOMEM;
      m.memory.map(at, length, Perm.read | Perm.write, "mmap");
      m.memory.writeBytes(at, m.memory.readBytes(old, oldLength));
      m.memory.protect(at, length, perm);
      m.memory.unmap(old, oldLength);
      return at;
    } catch (e) {
      this.noteRefusal(e, length);
      if (e instanceof MemoryLimitError) return -E.ENOMEM;
      throw e;
    }
  }

  /** Unmaps [addr, addr + size), writing shared file pages back first. */
  private unmap(m: GuestMachine, addr: number, size: number): void {
    this.syncShared(m, addr, addr + size);
    m.memory.unmap(addr, size);
    for (let k = this.shared.length - 1; k >= 0; k--) {
      const s = this.shared[k];
      if (s.at >= addr && s.end <= addr + size) this.shared.splice(k, 1);
    }
  }

  private mprotect(m: GuestMachine, addr: number, length: number, prot: number): number {
    if (addr % PAGE_SIZE || prot & ~(7 | PROT_GROWS)) return -E.EINVAL;
    const size = Math.ceil(length / PAGE_SIZE) * PAGE_SIZE;
    if (size === 0) return 0;
    if (!m.memory.isMapped(addr, size)) return -E.ENOMEM;
    m.memory.protect(addr, size, permOf(prot));
    return 0;
  }

  private munmap(m: GuestMachine, addr: number, length: number): number {
    const size = Math.ceil(length / PAGE_SIZE) * PAGE_SIZE;
    if (addr % PAGE_SIZE || length <= 0 || addr + size > USER_TOP) return -E.EINVAL;
    this.unmap(m, addr, size);
    return 0;
  }

  /** A mapping refused because of the memory cap is remembered, for the report if the guest dies. */
  private noteRefusal(e: unknown, size: number): void {
    if (!(e instanceof MemoryLimitError)) return;
    this.memoryRefusals++;
    this.largestRefused = Math.max(this.largestRefused, size);
  }

  private brk(m: GuestMachine, want: number): number {
    if (want === 0 || want < this.brkStart) return this.brkEnd;
    const oldTop = Math.ceil(this.brkEnd / PAGE_SIZE) * PAGE_SIZE;
    const newTop = Math.ceil(want / PAGE_SIZE) * PAGE_SIZE;
    if (newTop > oldTop) {
      if (m.memory.findFree(newTop - oldTop, oldTop) !== oldTop) return this.brkEnd;
      try {
        m.memory.map(oldTop, newTop - oldTop, Perm.read | Perm.write, "heap");
      } catch (e) {
        this.noteRefusal(e, newTop - oldTop);
        return this.brkEnd;
      }
    } else if (newTop < oldTop) {
      m.memory.unmap(newTop, oldTop - newTop);
    }
    this.brkEnd = want;
    return want;
  }

  // ------------------------------------------------------------------ system

  private uname(m: GuestMachine, buf: number): number {
    const fields = ["Linux", "abi-lab", "6.1.0", "#1 abi-lab", "x86_64", "(none)"];
    const out = new Uint8Array(65 * 6);
    fields.forEach((f, k) => out.set(new TextEncoder().encode(f), 65 * k));
    this.put(m, buf, out);
    return 0;
  }

  private archPrctl(m: GuestMachine, code: number, addr: number): number {
    if (code === 0x1002) {
      m.fsBase = BigInt(addr);
      return 0;
    }
    if (code === 0x1001) {
      m.gsBase = BigInt(addr);
      return 0;
    }
    if (code === 0x1003 || code === 0x1004) {
      const v = new DataView(new ArrayBuffer(8));
      v.setBigUint64(0, code === 0x1003 ? m.fsBase : m.gsBase, true);
      this.put(m, addr, new Uint8Array(v.buffer));
      return 0;
    }
    return -E.EINVAL;
  }

  private clockGettime(m: GuestMachine, clock: number, buf: number): number {
    const ns = this.now(clock);
    const v = new DataView(new ArrayBuffer(16));
    v.setBigInt64(0, ns / 1_000_000_000n, true);
    v.setBigInt64(8, ns % 1_000_000_000n, true);
    this.put(m, buf, new Uint8Array(v.buffer));
    return 0;
  }

  private gettimeofday(m: GuestMachine, buf: number): number {
    if (buf === 0) return 0;
    const ns = this.now(0);
    const v = new DataView(new ArrayBuffer(16));
    v.setBigInt64(0, ns / 1_000_000_000n, true);
    v.setBigInt64(8, (ns % 1_000_000_000n) / 1000n, true);
    this.put(m, buf, new Uint8Array(v.buffer));
    return 0;
  }

  private getrandom(m: GuestMachine, buf: number, length: number): number {
    const n = Math.min(length, 1 << 16);
    const data = new Uint8Array(n);
    randomFillSync(data);
    this.put(m, buf, data);
    return n;
  }

  private prlimit(m: GuestMachine, old: number): number {
    if (old) {
      const v = new DataView(new ArrayBuffer(16));
      v.setBigUint64(0, 8n << 20n, true);
      v.setBigUint64(8, BigInt.asUintN(64, -1n), true);
      this.put(m, old, new Uint8Array(v.buffer));
    }
    return 0;
  }

  private schedGetaffinity(m: GuestMachine, size: number, mask: number): number {
    if (size < 8) return -E.EINVAL;
    this.put(m, mask, new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0]));
    return 8;
  }
}

class Fault extends Error {}

/** 1073741824 → "1 GiB", 65536 → "64 KiB". */
export function formatBytes(n: number): string {
  for (const [unit, size] of [
    ["GiB", 2 ** 30],
    ["MiB", 2 ** 20],
    ["KiB", 2 ** 10],
  ] as const)
    if (n >= size && n % size === 0) return `${n / size} ${unit}`;
  return `${n} bytes`;
}

function permOf(prot: number): number {
  return (
    (prot & 1 ? Perm.read : 0) |
    (prot & 2 ? Perm.write | Perm.read : 0) |
    (prot & 4 ? Perm.exec | Perm.read : 0)
  );
}

const RESTART = Number(SYSCALL_RESTART);

/** `syscall` is 0F 05: during a syscall rip is already past it. */
const SYSCALL_LENGTH = 2;
