/**
 * `abi-lab run` and `abi-lab trace` with a stdin that stays open and says nothing (a terminal
 * nobody types in, a pipe whose writer waits): the guest blocks in its read, and Ctrl-C and
 * --timeout still stop it, with what it wrote before kept. Large piped input still arrives whole.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

const built = existsSync("dist/src/cli/main.js");
const cli = join(process.cwd(), "bin/abi-lab.js");
const dir = mkdtempSync(join(tmpdir(), "abi-lab-waiting-"));

/** Writes "ready\n", then copies stdin to stdout 64 KiB at a time until EOF; exits 0. */
const cat = join(dir, "cat.s");
writeFileSync(
  cat,
  `.intel_syntax noprefix
.globl _start
_start:
  mov eax, 1
  mov edi, 1
  lea rsi, [rip + ready]
  mov edx, 6
  syscall
again:
  xor eax, eax
  xor edi, edi
  lea rsi, [rip + buf]
  mov edx, 65536
  syscall
  test rax, rax
  jle done
  mov rdx, rax
  mov eax, 1
  mov edi, 1
  lea rsi, [rip + buf]
  syscall
  jmp again
done:
  mov rdi, rax
  neg rdi
  mov eax, 60
  syscall
.data
ready: .ascii "ready\\n"
.bss
buf: .zero 65536
`,
);

/** Runs the CLI with a stdin pipe that the test holds open; `act` gets the child once "ready" is out. */
async function withOpenStdin(args: string[], act: (child: ReturnType<typeof spawn>) => void) {
  const t0 = Date.now();
  const child = spawn(process.execPath, [cli, ...args, "--sandbox", join(dir, "box")], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let acted = false;
  child.stdout.on("data", (b: Buffer) => {
    stdout += b.toString();
    if (!acted && stdout.includes("ready")) {
      acted = true;
      // Let the guest reach its read and block there.
      setTimeout(() => act(child), 300);
    }
  });
  child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
  const status = await new Promise<number | null>((resolve) => child.on("close", resolve));
  child.stdin.destroy();
  return { status, stdout, stderr, ms: Date.now() - t0 };
}

for (const command of ["run", "trace"]) {
  void test(
    `${command}: Ctrl-C while the guest waits for stdin: 130, where it waited, earlier output kept`,
    { skip: !built && "build first", timeout: 30_000 },
    async () => {
      const r = await withOpenStdin([command, cat], (child) => child.kill("SIGINT"));
      assert.equal(r.status, 130, r.stderr);
      assert.match(r.stdout, /ready/);
      const report = command === "run" ? r.stderr : r.stdout;
      assert.match(report, /interrupted \(Ctrl-C\) after [\d,]+ instructions/);
      assert.match(report, /cat\.s:14: syscall/);
    },
  );

  void test(
    `${command}: --timeout while the guest waits for stdin: 124`,
    { skip: !built && "build first", timeout: 30_000 },
    async () => {
      const r = await withOpenStdin([command, cat, "--timeout", "1"], () => {});
      assert.equal(r.status, 124, r.stderr);
      const report = command === "run" ? r.stderr : r.stdout;
      assert.match(report, /by the time limit \(1 s\)/);
      assert.match(report, /this limit is set with --timeout SECONDS/);
      assert.ok(r.ms < 15_000, `took ${r.ms} ms`);
    },
  );
}

void test(
  "run: 8 MiB through a pipe arrive whole and in order, then EOF",
  { skip: !built && "build first", timeout: 60_000 },
  async () => {
    const data = randomBytes(8 << 20);
    const child = spawn(process.execPath, [cli, "run", cat, "--sandbox", join(dir, "box")], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    const chunks: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => chunks.push(b));
    let stderr = "";
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    // Written in pieces with pauses, so that the guest also finds the pipe empty now and then.
    for (let at = 0; at < data.length; at += 1 << 20) {
      child.stdin.write(data.subarray(at, at + (1 << 20)));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    child.stdin.end();
    const status = await new Promise<number | null>((resolve) => child.on("close", resolve));
    assert.equal(status, 0, stderr);
    const out = Buffer.concat(chunks);
    assert.equal(out.subarray(0, 6).toString(), "ready\n");
    assert.ok(out.subarray(6).equals(data), "the bytes differ");
  },
);

void test(
  "run: a file as stdin is read whole (synchronously: its reads never wait)",
  { skip: !built && "build first", timeout: 30_000 },
  () => {
    const data = randomBytes(300_000);
    const file = join(dir, "input.bin");
    writeFileSync(file, data);
    const r = spawnSync(process.execPath, [cli, "run", cat, "--sandbox", join(dir, "box")], {
      stdio: [openSync(file, "r"), "pipe", "pipe"],
      maxBuffer: 1 << 24,
    });
    assert.equal(r.status, 0, r.stderr.toString());
    assert.ok(r.stdout.subarray(6).equals(data), "the bytes differ");
  },
);

void test(
  "trace: its output limit is run's (1 GiB), and --max-output sets it",
  { skip: !built && "build first", timeout: 60_000 },
  async () => {
    // 65 MiB into a sandbox file: past the kernel's own default (64 MiB), far from run's.
    const writer = join(dir, "writer.s");
    writeFileSync(
      writer,
      `.intel_syntax noprefix
.globl _start
_start:
  mov eax, 2
  lea rdi, [rip + name]
  mov esi, 0x41
  mov edx, 0x1a4
  syscall
  mov r12, rax
  mov r13d, 65
again:
  mov eax, 1
  mov rdi, r12
  lea rsi, [rip + buf]
  mov edx, 1048576
  syscall
  dec r13d
  jnz again
  xor edi, edi
  mov eax, 60
  syscall
.data
name: .asciz "/out"
.bss
buf: .zero 1048576
`,
    );
    const box = mkdtempSync(join(dir, "big-"));
    const trace = (...flags: string[]) =>
      new Promise<{ status: number | null; stdout: string }>((resolve) => {
        const child = spawn(process.execPath, [cli, "trace", writer, "--sandbox", box, ...flags], {
          stdio: ["ignore", "pipe", "pipe"],
        });
        let stdout = "";
        child.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
        child.on("close", (status) => resolve({ status, stdout }));
      });
    const whole = await trace();
    assert.equal(whole.status, 0, whole.stdout.slice(-2000));
    assert.equal(readFileSync(join(box, "out")).length, 65 << 20);
    const capped = await trace("--max-output", "2M");
    assert.equal(capped.status, 124);
    assert.match(capped.stdout, /the output limit of 2 MiB was reached/);
    assert.match(capped.stdout, /this limit is set with --max-output SIZE/);
  },
);
