import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, openSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

/**
 * Our stdin is the guest's stdin (SPEC §2): `abi-lab run` and `abi-lab trace` hand the guest's
 * read(0, ...) what the host's fd 0 holds, read only when the guest reads.
 */
const built = existsSync("dist/src/cli/main.js");
const cli = join(process.cwd(), "bin/abi-lab.js");
const dir = mkdtempSync(join(tmpdir(), "abi-lab-stdin-"));

/** Reads 7 bytes at a time until EOF, writes each chunk back as "[chunk]"; exits with the bytes read, or 100+errno. */
const echo = join(dir, "echo.s");
writeFileSync(
  echo,
  `.intel_syntax noprefix
.globl _start
_start:
  xor r12d, r12d
again:
  xor eax, eax
  xor edi, edi
  lea rsi, [rip + buf + 1]
  mov edx, 7
  syscall
  test rax, rax
  js failed
  jz done
  add r12, rax
  lea rsi, [rip + buf]
  mov byte ptr [rsi], 91
  mov byte ptr [rsi + rax + 1], 93
  lea rdx, [rax + 2]
  mov eax, 1
  mov edi, 1
  syscall
  jmp again
failed:
  neg rax
  lea rdi, [rax + 100]
  mov eax, 60
  syscall
done:
  mov rdi, r12
  mov eax, 60
  syscall
.bss
buf: .zero 16
`,
);

/** Never reads stdin: prints and exits 0. */
const quiet = join(dir, "quiet.s");
writeFileSync(
  quiet,
  `.intel_syntax noprefix
.globl _start
_start:
  mov eax, 1
  mov edi, 1
  lea rsi, [rip + msg]
  mov edx, 3
  syscall
  mov eax, 60
  xor edi, edi
  syscall
.data
msg: .ascii "ok\\n"
`,
);

function run(args: string[], input: string) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", input, cwd: dir });
}

test("run: piped stdin reaches the guest's read(0) byte for byte, then EOF", { skip: !built }, () => {
  const r = run(["run", echo, "--sandbox", join(dir, "sb")], "hello\n3 4\n");
  assert.equal(r.stdout, "[hello\n3][ 4\n]");
  assert.equal(r.status, 10, r.stderr);
});

test("run: empty stdin is EOF at the first read", { skip: !built }, () => {
  const r = run(["run", echo, "--sandbox", join(dir, "sb")], "");
  assert.equal(r.stdout, "");
  assert.equal(r.status, 0, r.stderr);
});

test("trace: stdin is forwarded too, and the read shows in the trace", { skip: !built }, () => {
  const r = run(["trace", echo, "--sandbox", join(dir, "sb")], "abc");
  assert.match(r.stdout, /syscall read\(0x0, 0x[0-9a-f]+, 0x7\) = 3/);
  assert.match(r.stdout, /stdout\| \[abc\]/);
  assert.match(r.stdout, /exit 3 /);
});

test("a stdin that cannot be read fails the guest's read with the host's errno", { skip: !built }, () => {
  // stdin opened on a directory: read(2) fails with EISDIR (21) natively.
  const r = spawnSync(process.execPath, [cli, "run", echo, "--sandbox", join(dir, "sb")], {
    stdio: [openSync(dir, "r"), "pipe", "pipe"],
    encoding: "utf8",
  });
  assert.equal(r.status, 121, r.stderr);
});

test(
  "a guest that never reads does not wait for a stdin that never ends",
  { skip: !built, timeout: 20_000 },
  async () => {
    const child = spawn(process.execPath, [cli, "run", quiet, "--sandbox", join(dir, "sb")], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (b: Buffer) => (out += b.toString()));
    const status = await new Promise<number | null>((resolve) => child.on("close", resolve));
    assert.equal(out, "ok\n");
    assert.equal(status, 0);
  },
);

test(
  "a slow writer: the guest's read waits for the next bytes (a conversation over the pipe)",
  { skip: !built, timeout: 20_000 },
  async () => {
    const child = spawn(process.execPath, [cli, "run", echo, "--sandbox", join(dir, "sb")], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (b: Buffer) => {
      out += b.toString();
      // Answer only once the guest has echoed the first chunk: it is blocked in its next read.
      if (out === "[ab]") child.stdin.end("cd");
    });
    const closed = new Promise<number | null>((resolve) => child.on("close", resolve));
    child.stdin.write("ab");
    assert.equal(await closed, 4);
    assert.equal(out, "[ab][cd]");
  },
);
