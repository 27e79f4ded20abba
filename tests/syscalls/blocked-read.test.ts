/**
 * A read of stdin with nothing there yet (a pipe or terminal that stays open) stops the machine at
 * the `syscall`, and a sliced run waits for the input with the event loop free: Ctrl-C and the
 * time limit still stop it, and once input comes the read runs again, as if it had waited.
 */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { MachineObserver, SyscallEvent } from "../../src/emulator/types.js";
import { loadProgram } from "../../src/pipeline/load-program.js";
import { runProgramSliced, type SlicedRunOptions } from "../../src/pipeline/run-program.js";
import type { GuestInput } from "../../src/syscalls/guest-input.js";

const dir = mkdtempSync(join(tmpdir(), "abi-lab-blocked-"));

/** Copies stdin to stdout one byte per read(2); exits with the number of bytes. */
const COPY = `.intel_syntax noprefix
.globl _start
_start:
  xor ebx, ebx
again:
  xor eax, eax
  xor edi, edi
  lea rsi, [rip + buf]
  mov edx, 1
  syscall
  test rax, rax
  jle done
  inc ebx
  mov eax, 1
  mov edi, 1
  lea rsi, [rip + buf]
  mov edx, 1
  syscall
  jmp again
done:
  mov edi, ebx
  mov eax, 60
  syscall
.bss
buf: .zero 8
`;

/** Each read has nothing the first time it is asked (the guest's read blocks), then one byte. */
class Trickle implements GuestInput {
  waits = 0;
  private ready = false;
  private at = 0;
  constructor(private readonly bytes: Uint8Array) {}
  read(): Uint8Array | null | undefined {
    if (!this.ready) return undefined;
    this.ready = false;
    return this.at < this.bytes.length ? this.bytes.subarray(this.at, ++this.at) : null;
  }
  readable(): Promise<void> {
    this.waits++;
    return new Promise((resolve) =>
      setTimeout(() => {
        this.ready = true;
        resolve();
      }, 0),
    );
  }
}

/** Input that never comes. */
const silent: GuestInput = { read: () => undefined, readable: () => new Promise(() => {}) };

async function copy(stdin: GuestInput, options: Partial<SlicedRunOptions> = {}) {
  const file = join(dir, "copy.s");
  writeFileSync(file, COPY);
  const out: number[] = [];
  const reads: SyscallEvent[] = [];
  const observer: MachineObserver = { onSyscall: (e) => void (e.number === 0 && reads.push(e)) };
  const r = await runProgramSliced(await loadProgram(file), {
    sandboxDir: mkdtempSync(join(dir, "box-")),
    stdout: (b) => out.push(...b),
    stderr: () => {},
    stdin,
    observers: [observer],
    ...options,
  });
  return { ...r, out: Buffer.from(out).toString(), reads };
}

const text = "a conversation over a pipe, one byte at a time: enough reads for translated code";

for (const mode of ["blocks", "one instruction at a time"]) {
  void test(`a read that blocks runs again once input comes (${mode})`, async () => {
    const input = new Trickle(new TextEncoder().encode(text));
    const r = await copy(input, mode === "blocks" ? {} : { observers: [{ onInstruction: () => {} }] });
    assert.equal(r.out, text);
    assert.equal(r.exitCode, text.length);
    assert.equal(input.waits, text.length + 1);
    if (mode === "blocks") {
      // The syscall event is seen once per completed read, never for a blocked attempt.
      assert.equal(r.reads.length, text.length + 1);
      assert.ok(r.reads.slice(0, -1).every((e) => e.result === 1n));
      assert.equal(r.reads.at(-1)!.result, 0n);
    }
  });
}

void test("Ctrl-C while the guest waits for input: 130, the report points at the read", async () => {
  const interrupt = new AbortController();
  setTimeout(() => interrupt.abort(), 50);
  const r = await copy(silent, { interrupt: interrupt.signal });
  assert.equal(r.exitCode, 130);
  assert.equal(r.stop.kind, "blocked");
  assert.match(r.report!, /interrupted \(Ctrl-C\) after \d+ instructions/);
  assert.match(r.report!, /at: +.*copy\.s:10: syscall/);
  assert.equal(r.reads.length, 0);
});

void test("the time limit while the guest waits for input: 124", async () => {
  const t0 = Date.now();
  const r = await copy(silent, { timeoutMs: 100 });
  assert.equal(r.exitCode, 124);
  assert.equal(r.limit, "time");
  assert.match(r.report!, /stopped after \d+ instructions by the time limit \(0\.1 s\)/);
  assert.ok(Date.now() - t0 < 5000);
});

void test("a read of 0 bytes does not wait, even with nothing to read", async () => {
  const file = join(dir, "zero.s");
  writeFileSync(
    file,
    ".intel_syntax noprefix\n.globl _start\n_start:\n  xor eax, eax\n  xor edi, edi\n  lea rsi, [rip + buf]\n" +
      "  xor edx, edx\n  syscall\n  lea rdi, [rax + 7]\n  mov eax, 60\n  syscall\n.bss\nbuf: .zero 8\n",
  );
  const r = await runProgramSliced(await loadProgram(file), {
    sandboxDir: mkdtempSync(join(dir, "box-")),
    stdout: () => {},
    stderr: () => {},
    stdin: silent,
    timeoutMs: 2000,
  });
  assert.equal(r.exitCode, 7);
});
