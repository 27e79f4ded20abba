/**
 * The sandbox against a hostile guest: every path syscall, given paths that try to leave the
 * sandbox (.., absolute host paths, planted symlinks, links it would make itself, /proc, device
 * files, huge and odd names), must answer an errno or act inside the sandbox. A canary directory
 * next to the sandbox must stay exactly as it was.
 */
import assert from "node:assert/strict";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { Machine } from "../../src/emulator/index.js";
import { Perm } from "../../src/emulator/types.js";
import { LinuxKernel } from "../../src/syscalls/index.js";

const O_RDONLY = 0;
const O_WRONLY = 1;
const O_RDWR = 2;
const O_CREAT = 0o100;
const O_TRUNC = 0o1000;
const AT_FDCWD = -100;

function world() {
  const root = mkdtempSync(join(tmpdir(), "abi-lab-hostile-"));
  const sandbox = join(root, "box");
  const outside = join(root, "outside");
  mkdirSync(sandbox);
  mkdirSync(outside);
  writeFileSync(join(outside, "canary.txt"), "canary");
  symlinkSync(join(outside, "canary.txt"), join(sandbox, "planted-abs"));
  symlinkSync("../outside/canary.txt", join(sandbox, "planted-rel"));
  symlinkSync(outside, join(sandbox, "planted-dir"));
  const snapshot = () =>
    readdirSync(root, { recursive: true, encoding: "utf8" })
      .filter((p) => p.startsWith("outside"))
      .map((p) => `${p}:${statSync(join(root, p)).mtimeMs}:${statSync(join(root, p)).size}`)
      .sort()
      .join("\n");
  const before = snapshot();
  const m = new Machine();
  m.memory.map(0x10000, 0x20000, Perm.read | Perm.write);
  const kernel = new LinuxKernel({ sandboxDir: sandbox, stdout: () => {}, stderr: () => {} });
  m.syscallHandler = kernel;
  let at = 0x10000;
  const bytes = (b: Uint8Array) => {
    m.memory.writeBytes(at, b);
    const p = at;
    at += b.length + 8;
    return p;
  };
  const str = (s: string) => bytes(new Uint8Array([...Buffer.from(s, "latin1"), 0]));
  const call = (n: number, ...args: (number | bigint)[]) => {
    m.setRegister("rax", BigInt(n));
    ["rdi", "rsi", "rdx", "r10", "r8", "r9"].forEach((r, i) =>
      m.setRegister(r as "rdi", BigInt.asUintN(64, BigInt(args[i] ?? 0))),
    );
    return Number(BigInt.asIntN(64, kernel.handle(m)));
  };
  const open = (path: string, flags = O_RDONLY) => call(257, AT_FDCWD, str(path), flags, 0o644);
  const readAll = (fd: number, max = 64) => {
    const n = call(0, fd, 0x28000, max);
    return n >= 0 ? m.memory.readBytes(0x28000, n) : n;
  };
  const untouched = () => {
    assert.equal(readFileSync(join(outside, "canary.txt"), "utf8"), "canary");
    assert.equal(snapshot(), before, "nothing outside the sandbox changed");
  };
  return { root, sandbox, outside, m, kernel, call, str, bytes, open, readAll, untouched };
}

/** Paths that name the canary from inside the sandbox in every way we know. */
const ESCAPES = (outside: string) => [
  "../outside/canary.txt",
  "/../outside/canary.txt",
  "/../../../../../../../../" + outside.slice(1) + "/canary.txt",
  outside + "/canary.txt",
  "/planted-abs",
  "planted-rel",
  "/planted-dir/canary.txt",
  "/planted-dir/../outside/canary.txt",
  "/proc/self/root" + outside + "/canary.txt",
  "/proc/self/cwd/../outside/canary.txt",
];

void test("every path syscall, given a path that names the canary, stays inside", () => {
  const w = world();
  const canaryContents = new TextEncoder().encode("canary");
  for (const p of ESCAPES(w.outside)) {
    // Reading: never the canary's contents.
    const fd = w.open(p);
    if (fd >= 0) assert.notDeepEqual(w.readAll(fd), canaryContents, p);
    // Writing, truncating, creating, renaming, removing: refused or inside the sandbox.
    w.open(p, O_WRONLY | O_TRUNC);
    w.open(p, O_RDWR | O_CREAT);
    w.call(85 /* creat */, w.str(p), 0o644);
    w.call(87 /* unlink */, w.str(p));
    w.call(263 /* unlinkat */, AT_FDCWD, w.str(p), 0);
    w.call(84 /* rmdir */, w.str(p));
    w.call(83 /* mkdir */, w.str(p + ".d"), 0o755);
    w.call(82 /* rename */, w.str(p), w.str("/moved"));
    w.call(82 /* rename */, w.str("/moved"), w.str(p));
    w.call(264 /* renameat */, AT_FDCWD, w.str("/nothing"), AT_FDCWD, w.str(p));
    w.call(80 /* chdir */, w.str(p));
    w.call(4 /* stat */, w.str(p), 0x29000);
    w.call(21 /* access */, w.str(p), 0);
    // Links the guest would make: refused.
    assert.equal(w.call(88 /* symlink */, w.str(w.outside), w.str("/mine")), -1, p);
    assert.equal(w.call(266 /* symlinkat */, w.str(p), AT_FDCWD, w.str("/mine2")), -1);
    assert.equal(w.call(86 /* link */, w.str(p), w.str("/hard")), -1);
    assert.equal(w.call(265 /* linkat */, AT_FDCWD, w.str(p), AT_FDCWD, w.str("/hard2"), 0), -1);
    assert.equal(w.call(133 /* mknod */, w.str("/sda"), 0o60644, 0x800), -1);
    w.untouched();
  }
  assert.ok(!existsSync(join(w.sandbox, "mine")) && !existsSync(join(w.sandbox, "hard")));
});

void test("/proc is never the host's: /proc/self/maps and /proc/self/exe are absent", () => {
  const w = world();
  assert.equal(w.open("/proc/self/maps"), -2);
  assert.equal(w.open("/proc/cpuinfo"), -2);
  assert.equal(w.call(89 /* readlink */, w.str("/proc/self/exe"), 0x29000, 256), -22);
  assert.equal(w.call(267 /* readlinkat */, AT_FDCWD, w.str("/proc/self/exe"), 0x29000, 256), -22);
  w.untouched();
});

void test("device files: /dev/null, /dev/zero, /dev/urandom are provided; host devices are not", () => {
  const w = world();
  const zero = w.open("/dev/zero");
  assert.ok(zero >= 0);
  assert.deepEqual(w.readAll(zero, 16), new Uint8Array(16));
  const random = w.open("/dev/urandom");
  const a = w.readAll(random, 32) as Uint8Array;
  const b = w.readAll(random, 32) as Uint8Array;
  assert.equal(a.length, 32);
  assert.notDeepEqual(a, b);
  const nul = w.open("/dev/null", O_WRONLY);
  w.m.memory.writeBytes(0x28000, new Uint8Array(100));
  assert.equal(w.call(1, nul, 0x28000, 100), 100);
  assert.deepEqual(w.readAll(w.open("/dev/null")), new Uint8Array(0));
  // A private mapping of /dev/zero is anonymous memory.
  const addr = w.call(9, 0, 8192, 3, 2 /* MAP_PRIVATE */, zero, 0);
  assert.ok(addr > 0);
  assert.equal(w.m.memory.read64(addr), 0n);
  // Host devices do not exist in the sandbox.
  for (const p of ["/dev/sda", "/dev/mem", "/dev/tty", "/dev/kmsg"]) {
    assert.equal(w.open(p), -2, p);
    assert.equal(w.open(p, O_WRONLY), -2, p);
  }
  w.untouched();
});

void test("very long paths, long names, NUL bytes and non-UTF-8 names", () => {
  const w = world();
  assert.equal(w.open("/" + "d/".repeat(2100)), -36 /* ENAMETOOLONG */);
  assert.equal(w.open("/" + "n".repeat(256), O_WRONLY | O_CREAT), -36);
  // A NUL ends the path, as in C: "inside\0/../../outside" is "inside".
  const withNul = w.bytes(new TextEncoder().encode("/inside.txt\0/../../outside/canary.txt\0"));
  const fd = w.call(257, AT_FDCWD, withNul, O_WRONLY | O_CREAT, 0o644);
  assert.ok(fd >= 0);
  assert.ok(existsSync(join(w.sandbox, "inside.txt")));
  // Bytes that are not UTF-8 are a name like any other, inside the sandbox, found again.
  const odd = w.bytes(new Uint8Array([0x2f, 0xff, 0xfe, 0x80, 0x2e, 0x74, 0]));
  const created = w.call(257, AT_FDCWD, odd, O_WRONLY | O_CREAT, 0o644);
  assert.ok(created >= 0);
  w.m.memory.writeBytes(0x28000, new TextEncoder().encode("odd"));
  assert.equal(w.call(1, created, 0x28000, 3), 3);
  assert.equal(w.call(3, created), 0);
  const again = w.call(257, AT_FDCWD, odd, O_RDONLY, 0);
  assert.deepEqual(w.readAll(again), new TextEncoder().encode("odd"));
  assert.equal(readdirSync(w.sandbox).length, 3 + 2, "the planted links, inside.txt and the odd name");
  w.untouched();
});
