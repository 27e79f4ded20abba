/**
 * The kernel's process calls where the guest cannot be compared with Linux safely (a native
 * kill of another pid, or of the whole process group, reaches real processes; a native execve
 * runs the program): execve is refused, signals reach only this process, sigaction's old action.
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { Machine } from "../../src/emulator/index.js";
import { Perm } from "../../src/emulator/types.js";
import { LinuxKernel } from "../../src/syscalls/index.js";

const EACCES = -13;
const ESRCH = -3;
const EINVAL = -22;
const SIGTERM = 15;
const SIGUSR1 = 10;

function world() {
  const m = new Machine();
  m.memory.map(0x10000, 0x10000, Perm.read | Perm.write);
  const kernel = new LinuxKernel({
    sandboxDir: mkdtempSync(join(tmpdir(), "abi-lab-process-")),
    stdout: () => {},
    stderr: () => {},
  });
  m.syscallHandler = kernel;
  const call = (n: number, ...args: (number | bigint)[]) => {
    m.setRegister("rax", BigInt(n));
    ["rdi", "rsi", "rdx", "r10", "r8", "r9"].forEach((r, i) =>
      m.setRegister(r as "rdi", BigInt.asUintN(64, BigInt(args[i] ?? 0))),
    );
    return Number(BigInt.asIntN(64, kernel.handle(m)));
  };
  return { m, kernel, call, pid: call(39) };
}

test("execve and execveat are refused with EACCES, and the program goes on", () => {
  const w = world();
  w.m.memory.writeBytes(0x10000, new TextEncoder().encode("/bin/sh\0"));
  assert.equal(w.call(59, 0x10000, 0, 0), EACCES);
  assert.equal(w.call(322, -100, 0x10000, 0, 0, 0), EACCES);
  assert.equal(w.kernel.killedBy, undefined);
});

test("kill reaches this process by its pid, its group (0, -pid); any other pid is ESRCH", () => {
  for (const pid of [0, "self", "-self"] as const) {
    const w = world();
    const target = pid === "self" ? w.pid : pid === "-self" ? -w.pid : 0;
    assert.equal(w.call(62, target, 0), 0, `kill(${pid}, 0)`);
    assert.equal(w.kernel.killedBy, undefined);
    assert.equal(w.call(62, target, SIGTERM), 0);
    assert.equal(w.kernel.killedBy, SIGTERM, `kill(${pid}, SIGTERM)`);
  }
  const w = world();
  // -1: every process but this one (and init): there is none in the sandbox.
  for (const pid of [1, w.pid + 1, 12345, -1, -(w.pid + 1)]) {
    assert.equal(w.call(62, pid, SIGTERM), ESRCH, `kill(${pid}, SIGTERM)`);
    assert.equal(w.call(62, pid, 0), ESRCH, `kill(${pid}, 0)`);
  }
  assert.equal(w.call(62, w.pid, 65), EINVAL);
  assert.equal(w.kernel.killedBy, undefined);
});

test("tkill and tgkill reach only this thread", () => {
  const w = world();
  const tid = w.call(186);
  assert.equal(w.call(200, tid + 1, SIGTERM), ESRCH);
  assert.equal(w.call(234, w.pid, tid + 1, SIGTERM), ESRCH);
  assert.equal(w.call(234, w.pid + 1, tid, SIGTERM), ESRCH);
  assert.equal(w.kernel.killedBy, undefined);
  assert.equal(w.call(234, w.pid, tid, SIGUSR1), 0);
  assert.equal(w.kernel.killedBy, SIGUSR1);
  const t = world();
  assert.equal(t.call(200, tid, SIGTERM), 0);
  assert.equal(t.kernel.killedBy, SIGTERM);
});

test("rt_sigaction keeps the action: the old one is written back, SIG_IGN discards the signal", () => {
  const w = world();
  const act = 0x11000;
  const old = 0x12000;
  w.m.memory.writeBytes(old, new Uint8Array(32).fill(0xaa));
  w.m.memory.write64(act, 1n); // SIG_IGN
  w.m.memory.write64(act + 8, 0x0400_0000n); // SA_RESTORER
  w.m.memory.write64(act + 16, 0x401000n);
  w.m.memory.write64(act + 24, 0n);
  assert.equal(w.call(13, SIGTERM, act, old, 8), 0);
  assert.deepEqual([...w.m.memory.readBytes(old, 32)], new Array<number>(32).fill(0), "SIG_DFL before");
  assert.equal(w.call(62, w.pid, SIGTERM), 0);
  assert.equal(w.kernel.killedBy, undefined, "ignored");
  assert.equal(w.call(13, SIGTERM, 0, old, 8), 0);
  assert.deepEqual(w.m.memory.readBytes(old, 32), w.m.memory.readBytes(act, 32));
  w.m.memory.write64(act, 0x401234n); // a handler: it cannot run, the signal ends the program
  assert.equal(w.call(13, SIGTERM, act, 0, 8), 0);
  assert.equal(w.call(62, w.pid, SIGTERM), 0);
  assert.equal(w.kernel.killedBy, SIGTERM);
  const k = world();
  assert.equal(k.call(13, 9, act, 0, 8), EINVAL, "SIGKILL cannot be caught or ignored");
  assert.equal(k.call(13, 19, act, 0, 8), EINVAL, "nor SIGSTOP");
  assert.equal(k.call(13, 9, 0, old, 8), 0, "but its action can be read");
  assert.equal(k.call(13, 65, 0, old, 8), EINVAL);
  assert.equal(k.call(13, SIGTERM, 0x9999_0000, 0, 8), -14, "EFAULT");
});
