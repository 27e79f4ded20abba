/** Building real objects with gcc and ar at test time, and running linked images natively. */
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeExecutable, type Image, type InputFile } from "../../src/linker/index.js";

export const hasGcc =
  spawnSync("gcc", ["--version"]).status === 0 && spawnSync("ar", ["--version"]).status === 0;
export const isLinuxX64 = process.platform === "linux" && process.arch === "x64";
export const canBuild = hasGcc && isLinuxX64;
export const skipUnlessBuild = canBuild ? false : "needs gcc and ar on Linux x86-64";

/** Flags for freestanding code: no libc, no stack protector, no unwind tables needed. */
export const FREESTANDING = ["-O2", "-ffreestanding", "-fno-stack-protector", "-fno-builtin", "-nostdlib"];

/** A raw-syscall helper usable from C in every test program. */
export const SYSCALL_C = String.raw`
static inline long sys3(long n, long a, long b, long c) {
  long r;
  __asm__ volatile ("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
  return r;
}
`;

/** Temporary directories, removed when the test process exits. */
const made: string[] = [];
process.on("exit", () => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
}

export class Workdir {
  readonly dir = tempDir("abi-lab-linker-");

  path(name: string): string {
    return join(this.dir, name);
  }

  write(name: string, text: string): string {
    writeFileSync(this.path(name), text);
    return this.path(name);
  }

  /** `gcc -c` a C or assembly source (by extension) into NAME.o. */
  compile(name: string, source: string, flags: string[] = ["-fno-pic"]): InputFile {
    const src = this.write(name, source);
    const out = this.path(name.replace(/\.\w+$/, ".o"));
    execFileSync("gcc", ["-c", ...FREESTANDING, ...flags, "-o", out, src]);
    return { path: out.slice(this.dir.length + 1), bytes: new Uint8Array(readFileSync(out)) };
  }

  /** `ar rcs NAME members...`. */
  archive(name: string, members: InputFile[], arFlags = "rcs"): InputFile {
    const out = this.path(name);
    execFileSync("ar", [arFlags, out, ...members.map((m) => this.path(m.path))]);
    return { path: name, bytes: new Uint8Array(readFileSync(out)) };
  }
}

/** Writes the image as an executable, runs it, returns stdout and the exit status. */
export function runNative(image: Image, stdin = ""): { stdout: string; status: number | null; path: string } {
  const dir = tempDir("abi-lab-run-");
  const exe = join(dir, "prog");
  writeFileSync(exe, writeExecutable(image));
  chmodSync(exe, 0o755);
  const r = spawnSync(exe, [], { encoding: "utf8", input: stdin, timeout: 10_000 });
  return { stdout: r.stdout, status: r.status, path: exe };
}
