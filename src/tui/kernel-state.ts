/**
 * Saving and restoring the sandboxed kernel's state for reverse-stepping: the descriptor table
 * (with file positions), the working directory, the program break and the output counter.
 * `LinuxKernel` keeps these private; they are read through a structural cast checked at run time.
 *
 * Host descriptors need care: a guest `close` closes the host file, and the host may hand the same
 * number to another file later. On restore, an open file whose host descriptor is no longer the one
 * this kernel holds for that path is reopened; host descriptors nothing refers to any more are closed.
 */
import * as fs from "node:fs";
import type { KernelState } from "./history.js";

interface OpenFile {
  kind: string;
  fd?: number;
  host?: string;
  guest?: string;
  position: number;
  flags: number;
}

interface KernelPrivates {
  files: Map<number, OpenFile>;
  cwd: string;
  brkStart: number;
  brkEnd: number;
  outputBytes: number;
}

interface Saved {
  files: [number, OpenFile][];
  cwd: string;
  brkStart: number;
  brkEnd: number;
  outputBytes: number;
}

function privates(kernel: unknown): KernelPrivates | undefined {
  const k = kernel as Partial<KernelPrivates> | undefined;
  return k && k.files instanceof Map && typeof k.cwd === "string" && typeof k.brkEnd === "number"
    ? (k as KernelPrivates)
    : undefined;
}

/** A KernelState for a LinuxKernel, or undefined if its layout is not the expected one. */
export function kernelStateOf(kernel: unknown): KernelState | undefined {
  const k = privates(kernel);
  if (!k) return undefined;
  return {
    save(): Saved {
      return {
        files: [...k.files].map(([n, f]) => [n, { ...f }]),
        cwd: k.cwd,
        brkStart: k.brkStart,
        brkEnd: k.brkEnd,
        outputBytes: k.outputBytes,
      };
    },
    restore(state: unknown): void {
      const s = state as Saved;
      const live = new Map<number, string | undefined>();
      for (const f of k.files.values()) if (f.fd !== undefined) live.set(f.fd, f.host);
      const restored = new Map<number, OpenFile>();
      const reopened = new Map<number, number>();
      for (const [n, saved] of s.files) {
        const f = { ...saved };
        if (f.kind === "file" && f.fd !== undefined) {
          if (!(live.has(f.fd) && live.get(f.fd) === f.host)) {
            const again = reopened.get(f.fd) ?? reopen(f);
            if (again !== undefined) reopened.set(saved.fd!, again);
            f.fd = again;
          }
        }
        restored.set(n, f);
      }
      const used = new Set([...restored.values()].map((f) => f.fd));
      for (const fd of live.keys()) {
        if (!used.has(fd)) {
          try {
            fs.closeSync(fd);
          } catch {
            // already closed
          }
        }
      }
      k.files.clear();
      for (const [n, f] of restored) k.files.set(n, f);
      k.cwd = s.cwd;
      k.brkStart = s.brkStart;
      k.brkEnd = s.brkEnd;
      k.outputBytes = s.outputBytes;
    },
  };
}

function reopen(f: OpenFile): number | undefined {
  if (!f.host) return undefined;
  const access = [fs.constants.O_RDONLY, fs.constants.O_WRONLY, fs.constants.O_RDWR][f.flags & 3];
  try {
    return fs.openSync(f.host, (access ?? fs.constants.O_RDONLY) | fs.constants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
}
