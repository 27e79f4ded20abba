/**
 * The guest's files in the sandbox, as far as reverse-stepping needs them: which descriptors name
 * which files (from the syscalls' arguments and results), which files the guest wrote, and, before
 * a syscall that may change a file, its previous contents so that the change can be undone.
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { join, normalize, posix } from "node:path";
import type { GuestMachine, SyscallEvent } from "../emulator/types.js";

/** What must be put back to undo a change to the sandbox. */
export type FileUndo =
  | { kind: "file"; hostPath: string; content: Buffer | null }
  | { kind: "dir"; hostPath: string; existed: boolean };

/** Immutable: fd → guest path, and the guest paths written so far (in order). */
export interface FileState {
  readonly fds: ReadonlyMap<number, string>;
  readonly written: readonly string[];
}

const O_ACCMODE = 3;
const O_CREAT = 0o100;
const O_TRUNC = 0o1000;
const AT_FDCWD = -100;
/** Files bigger than this are not saved for undo (teaching programs write a few lines). */
const MAX_SAVED_FILE = 16 << 20;

const SYS = {
  write: 1,
  open: 2,
  close: 3,
  pwrite64: 18,
  writev: 20,
  dup: 32,
  dup2: 33,
  truncate: 76,
  ftruncate: 77,
  rename: 82,
  mkdir: 83,
  creat: 85,
  unlink: 87,
  openat: 257,
  mkdirat: 258,
  unlinkat: 263,
  renameat: 264,
  dup3: 292,
  pwritev: 296,
  renameat2: 316,
};

export class SandboxFiles {
  state: FileState = { fds: new Map(), written: [] };

  constructor(readonly sandboxDir: string) {}

  /** The host path of a guest path (the sandbox stands for `/`; the guest's cwd is `/`). */
  hostPath(guestPath: string): string {
    const p = normalize(posix.resolve("/", guestPath));
    return join(this.sandboxDir, p);
  }

  /** Before a syscall executes: the undo entries for what it may change. */
  beforeSyscall(machine: GuestMachine): FileUndo[] {
    const n = Number(machine.getRegister("rax"));
    const arg = (i: number) => machine.getRegister((["rdi", "rsi", "rdx", "r10", "r8", "r9"] as const)[i]);
    const str = (v: bigint) => readPath(machine, v);
    const fdPath = (v: bigint) => this.state.fds.get(Number(BigInt.asIntN(64, v)));
    const paths: (string | undefined)[] = [];
    const dirs: (string | undefined)[] = [];
    switch (n) {
      case SYS.write:
      case SYS.pwrite64:
      case SYS.writev:
      case SYS.pwritev:
      case SYS.ftruncate:
        paths.push(fdPath(arg(0)));
        break;
      case SYS.open:
        if (Number(arg(1)) & (O_CREAT | O_TRUNC)) paths.push(str(arg(0)));
        break;
      case SYS.creat:
      case SYS.truncate:
      case SYS.unlink:
        paths.push(str(arg(0)));
        break;
      case SYS.openat:
        if (Number(arg(2)) & (O_CREAT | O_TRUNC)) paths.push(atPath(arg(0), str(arg(1))));
        break;
      case SYS.unlinkat:
        paths.push(atPath(arg(0), str(arg(1))));
        break;
      case SYS.rename:
        paths.push(str(arg(0)), str(arg(1)));
        break;
      case SYS.renameat:
      case SYS.renameat2:
        paths.push(atPath(arg(0), str(arg(1))), atPath(arg(2), str(arg(3))));
        break;
      case SYS.mkdir:
        dirs.push(str(arg(0)));
        break;
      case SYS.mkdirat:
        dirs.push(atPath(arg(0), str(arg(1))));
        break;
      default:
        return [];
    }
    const out: FileUndo[] = [];
    for (const p of paths) if (p !== undefined) out.push(this.saveFile(this.hostPath(p)));
    for (const d of dirs)
      if (d !== undefined)
        out.push({ kind: "dir", hostPath: this.hostPath(d), existed: existsSync(this.hostPath(d)) });
    return out.filter((u) => u.kind === "dir" || u.content !== undefined);
  }

  private saveFile(hostPath: string): FileUndo {
    try {
      const st = statSync(hostPath);
      if (!st.isFile() || st.size > MAX_SAVED_FILE) return { kind: "file", hostPath, content: null };
      return { kind: "file", hostPath, content: readFileSync(hostPath) };
    } catch {
      return { kind: "file", hostPath, content: null };
    }
  }

  /** After a syscall: follow descriptors and note written files. */
  onSyscall(e: SyscallEvent, machine: GuestMachine): void {
    const result = Number(BigInt.asIntN(64, e.result));
    if (result < 0) return;
    const a = e.args;
    const s = this.state;
    let path: string | undefined;
    let flags = 0;
    switch (e.number) {
      case SYS.open:
        path = readPath(machine, a[0]);
        flags = Number(a[1]);
        break;
      case SYS.creat:
        path = readPath(machine, a[0]);
        flags = 1 | O_CREAT | O_TRUNC;
        break;
      case SYS.openat:
        path = atPath(a[0], readPath(machine, a[1]));
        flags = Number(a[2]);
        break;
      case SYS.close: {
        const fds = new Map(s.fds);
        fds.delete(Number(a[0]));
        this.state = { fds, written: s.written };
        return;
      }
      case SYS.dup:
      case SYS.dup2:
      case SYS.dup3: {
        const from = s.fds.get(Number(a[0]));
        const fds = new Map(s.fds);
        if (from === undefined) fds.delete(result);
        else fds.set(result, from);
        this.state = { fds, written: s.written };
        return;
      }
      default:
        return;
    }
    if (path === undefined) return;
    const guest = posix.resolve("/", path);
    const fds = new Map(s.fds);
    fds.set(result, guest);
    const writes = (flags & O_ACCMODE) !== 0 || (flags & (O_CREAT | O_TRUNC)) !== 0;
    const written = writes && !s.written.includes(guest) ? [...s.written, guest] : s.written;
    this.state = { fds, written };
  }

  /** The current contents of a written guest file (host file), or undefined if gone. */
  contents(guestPath: string, maxBytes = 64 * 1024): string | undefined {
    try {
      const b = readFileSync(this.hostPath(guestPath));
      return b.subarray(Math.max(0, b.length - maxBytes)).toString("utf8");
    } catch {
      return undefined;
    }
  }
}

/** Undo sandbox changes, most recent first. */
export function undoFiles(undos: readonly FileUndo[]): void {
  for (let i = undos.length - 1; i >= 0; i--) {
    const u = undos[i];
    try {
      if (u.kind === "dir") {
        if (!u.existed && existsSync(u.hostPath)) rmdirSync(u.hostPath);
        else if (u.existed && !existsSync(u.hostPath)) mkdirSync(u.hostPath, { recursive: true });
      } else if (u.content === null) {
        if (existsSync(u.hostPath)) unlinkSync(u.hostPath);
      } else writeFileSync(u.hostPath, u.content);
    } catch {
      // best effort: a directory that is not empty any more, a file the user removed...
    }
  }
}

function readPath(machine: GuestMachine, address: bigint): string | undefined {
  try {
    return Buffer.from(machine.memory.readCString(Number(address), 4096)).toString("utf8");
  } catch {
    return undefined;
  }
}

function atPath(dirfd: bigint, path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  // Relative to a directory descriptor other than the cwd: not followed (rare in guests).
  if (!path.startsWith("/") && Number(BigInt.asIntN(64, dirfd)) !== AT_FDCWD) return undefined;
  return path;
}
