import assert from "node:assert/strict";
import {
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
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

/** A sandbox next to a canary directory that nothing may touch. */
function world() {
  const root = mkdtempSync(join(tmpdir(), "abi-lab-sandbox-"));
  const sandbox = join(root, "box");
  const outside = join(root, "outside");
  mkdirSync(sandbox);
  mkdirSync(outside);
  writeFileSync(join(outside, "secret.txt"), "secret");
  const m = new Machine();
  m.memory.map(0x10000, 0x10000, Perm.read | Perm.write);
  const kernel = new LinuxKernel({ sandboxDir: sandbox, stdout: () => {}, stderr: () => {} });
  m.syscallHandler = kernel;
  let at = 0x10000;
  const str = (s: string) => {
    const bytes = new TextEncoder().encode(s + "\0");
    m.memory.writeBytes(at, bytes);
    const p = at;
    at += bytes.length + 8;
    return p;
  };
  const call = (n: number, ...args: (number | bigint)[]) => {
    m.setRegister("rax", BigInt(n));
    ["rdi", "rsi", "rdx", "r10", "r8", "r9"].forEach((r, i) =>
      m.setRegister(r as "rdi", BigInt.asUintN(64, BigInt(args[i] ?? 0))),
    );
    return Number(BigInt.asIntN(64, kernel.handle(m)));
  };
  const O_WRONLY = 1,
    O_CREAT = 0o100,
    O_TRUNC = 0o1000;
  const open = (path: string, flags = 0) => call(257, -100, str(path), flags, 0o644);
  const read = (fd: number) => {
    const n = call(0, fd, 0x18000, 100);
    return n > 0 ? new TextDecoder().decode(m.memory.readBytes(0x18000, n)) : n;
  };
  const write = (fd: number, s: string) => {
    m.memory.writeBytes(0x18000, new TextEncoder().encode(s));
    return call(1, fd, 0x18000, s.length);
  };
  const untouched = () => {
    assert.equal(readFileSync(join(outside, "secret.txt"), "utf8"), "secret");
    assert.ok(!existsSync(join(outside, "new.txt")));
    assert.ok(!existsSync(join(root, "new.txt")));
  };
  return {
    root,
    sandbox,
    outside,
    m,
    kernel,
    call,
    str,
    open,
    read,
    write,
    untouched,
    O_WRONLY,
    O_CREAT,
    O_TRUNC,
  };
}

test("files inside the sandbox: create, write, read back, lseek, fstat, close", () => {
  const w = world();
  assert.equal(w.call(83, w.str("/tmp"), 0o755), 0);
  const fd = w.open("/tmp/a.txt", w.O_WRONLY | w.O_CREAT | w.O_TRUNC);
  assert.ok(fd >= 3);
  assert.equal(w.write(fd, "hello"), 5);
  assert.equal(w.call(3, fd), 0);
  assert.equal(readFileSync(join(w.sandbox, "tmp/a.txt"), "utf8"), "hello");
  const r = w.open("/tmp/a.txt");
  assert.equal(w.read(r), "hello");
  assert.equal(w.call(8, r, 1, 0), 1);
  assert.equal(w.read(r), "ello");
  assert.equal(w.call(5, r, 0x19000), 0);
  assert.equal(Number(w.m.memory.read64(0x19000 + 48)), 5);
  assert.equal(w.call(3, r), 0);
  assert.equal(w.call(3, r), -9);
});

test("escapes with .. and absolute paths stay inside", () => {
  const w = world();
  for (const p of [
    "../outside/secret.txt",
    "/../../outside/secret.txt",
    "../../../../../../etc/passwd",
    `${w.outside}/secret.txt`,
  ])
    assert.equal(w.open(p), -2, p);
  const fd = w.open("/../../new.txt", w.O_WRONLY | w.O_CREAT);
  assert.ok(fd >= 0);
  assert.ok(existsSync(join(w.sandbox, "new.txt")), "created at the guest root, inside the sandbox");
  w.untouched();
});

test("symlinks planted inside are resolved in guest space", () => {
  const w = world();
  symlinkSync(join(w.outside, "secret.txt"), join(w.sandbox, "abs-link"));
  symlinkSync("../outside/secret.txt", join(w.sandbox, "rel-link"));
  symlinkSync("..", join(w.sandbox, "up"));
  symlinkSync(w.outside, join(w.sandbox, "dir-link"));
  symlinkSync("loop2", join(w.sandbox, "loop1"));
  symlinkSync("loop1", join(w.sandbox, "loop2"));
  assert.equal(w.open("/abs-link"), -2);
  assert.equal(w.open("rel-link"), -2);
  assert.equal(w.open("/up/outside/secret.txt"), -2);
  assert.equal(w.open("/dir-link/secret.txt"), -2);
  assert.ok(
    w.open("/dir-link/new.txt", w.O_WRONLY | w.O_CREAT) < 0 || !existsSync(join(w.outside, "new.txt")),
  );
  assert.equal(w.open("/loop1"), -40);
  w.untouched();
});

test("a hard link planted inside is never written through", () => {
  const w = world();
  linkSync(join(w.outside, "secret.txt"), join(w.sandbox, "hard"));
  assert.equal(w.open("/hard", w.O_WRONLY | w.O_TRUNC), -13);
  // Nor are its mode or length changed, by name or through a read-only descriptor.
  const mode = statSync(join(w.outside, "secret.txt")).mode;
  assert.equal(w.call(90, w.str("/hard"), 0o777), -1, "chmod: EPERM");
  assert.equal(w.call(268, -100, w.str("/hard"), 0o777), -1, "fchmodat: EPERM");
  assert.equal(w.call(91, w.open("/hard"), 0o777), -1, "fchmod: EPERM");
  assert.equal(w.call(76, w.str("/hard"), 0), -13, "truncate: EACCES");
  assert.equal(statSync(join(w.outside, "secret.txt")).mode, mode);
  w.untouched();
});

test("very long paths and unterminated strings are refused", () => {
  const w = world();
  assert.equal(w.open("/" + "a".repeat(5000)), -36);
  assert.equal(w.open("/" + "b".repeat(300)), -36);
  w.m.memory.writeBytes(0x1f000, new Uint8Array(0x1000).fill(0x41));
  assert.equal(w.call(257, -100, 0x1f000, 0, 0), -14 /* EFAULT: runs off mapped memory */);
  w.untouched();
});

test("unknown syscalls return -ENOSYS and are recorded", () => {
  const w = world();
  assert.equal(w.call(999), -38);
  assert.equal(w.call(165 /* mount */), -38);
  assert.deepEqual(
    w.kernel.unknownSyscalls.map((s) => s.name),
    ["syscall_999", "mount"],
  );
});
