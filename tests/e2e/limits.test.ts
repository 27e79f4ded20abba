/**
 * Hostile programs stop cleanly, each with its exit status and a report of where it stopped:
 * an infinite loop (steps, time, Ctrl-C), a 10 GB write, a memory bomb, a fork bomb, a
 * descriptor leak, abort(). Small caps keep every case fast.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { secondsOption, sizeOption } from "../../src/cli/args.js";
import { loadProgram } from "../../src/pipeline/load-program.js";
import { runProgramSliced, type SlicedRunOptions } from "../../src/pipeline/run-program.js";

const dir = mkdtempSync(join(tmpdir(), "abi-lab-limits-"));
const built = existsSync("dist/src/cli/main.js");

function abiLab(args: string[]) {
  const r = spawnSync(process.execPath, ["bin/abi-lab.js", ...args], { encoding: "utf8", input: "" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const start = (body: string, data = "") =>
  `.intel_syntax noprefix\n.globl _start\n_start:\n${body}\n.data\n${data}\n`;

async function run(name: string, source: string, options: Partial<SlicedRunOptions> = {}) {
  const file = join(dir, name);
  writeFileSync(file, source);
  let stdout = 0;
  const r = await runProgramSliced(await loadProgram(file), {
    sandboxDir: mkdtempSync(join(dir, "box-")),
    stdout: (b) => (stdout += b.length),
    stderr: () => {},
    stdin: { read: () => null },
    maxSteps: 50_000_000,
    ...options,
  });
  return { ...r, stdout };
}

const LOOP = start("spin:\n  call f\n  jmp spin\nf:\n  ret");

void test("an infinite loop stops at --max-steps: 124, where it was", async () => {
  const r = await run("loop.s", LOOP, { maxSteps: 3_000_000 });
  assert.equal(r.exitCode, 124);
  assert.match(r.report!, /stopped after 3,000,000 instructions \(the instruction limit\)/);
  assert.equal(r.limit, "steps");
  assert.match(r.report!, /rip: +0x[0-9a-f]+ +in (f|spin)/);
  assert.match(r.report!, /loop\.s:\d+/);
  assert.match(r.report!, /backtrace/);
});

void test("an infinite loop stops at --timeout: 124", async () => {
  const t0 = Date.now();
  const r = await run("loop.s", LOOP, { maxSteps: Infinity, timeoutMs: 300 });
  assert.equal(r.exitCode, 124);
  assert.match(r.report!, /by the time limit \(0\.3 s\)/);
  assert.equal(r.limit, "time");
  assert.ok(Date.now() - t0 < 5000);
});

void test("an interrupt (Ctrl-C) stops the run where it is: 130", async () => {
  const interrupt = new AbortController();
  setTimeout(() => interrupt.abort(), 100);
  const r = await run("loop.s", LOOP, { maxSteps: Infinity, interrupt: interrupt.signal });
  assert.equal(r.exitCode, 130);
  assert.match(r.report!, /interrupted \(Ctrl-C\) after [\d,]+ instructions/);
  assert.match(r.report!, /backtrace/);
});

void test("a 10 GB write stops at the output cap: 124, everything before it delivered", async () => {
  const r = await run(
    "write.s",
    start(
      "  mov r12, 10240\nagain:\n  mov eax, 1\n  mov edi, 1\n  lea rsi, [rip + buf]\n  mov edx, 1048576\n" +
        "  syscall\n  dec r12\n  jnz again\n  mov eax, 60\n  xor edi, edi\n  syscall",
      "buf: .zero 1048576",
    ),
    { maxOutput: 4 << 20 },
  );
  assert.equal(r.exitCode, 124);
  assert.equal(r.stdout, 4 << 20);
  assert.match(r.report!, /the output limit of 4 MiB was reached\n/);
  assert.equal(r.limit, "output");
});

void test("a memory bomb is refused memory (ENOMEM) and its death is blamed on the cap: 124", async () => {
  // mmap 1 MiB at a time and touch it, until mmap fails; then use the error as a pointer.
  const r = await run(
    "membomb.s",
    start(
      "more:\n  mov eax, 9\n  xor edi, edi\n  mov esi, 1048576\n  mov edx, 3\n  mov r10d, 0x22\n" +
        "  mov r8, -1\n  xor r9d, r9d\n  syscall\n  mov byte ptr [rax], 1\n  jmp more",
    ),
    { memoryLimit: 32 << 20 },
  );
  assert.equal(r.exitCode, 124);
  assert.match(r.report!, /killed by SIGSEGV/);
  assert.match(
    r.report!,
    /the guest memory limit \(32 MiB\) refused 1 request for memory \(the largest: 1 MiB\); the program died after that/,
  );
  assert.equal(r.limit, "memory");
});

void test("a program that recovers from a refused allocation keeps its own exit status, with a note", async () => {
  // mmap 64 MiB under a 32 MiB cap; on failure exit 3 (its own choice), else 0.
  const r = await run(
    "recovers.s",
    start(
      "  mov eax, 9\n  xor edi, edi\n  mov esi, 67108864\n  mov edx, 3\n  mov r10d, 0x22\n" +
        "  mov r8, -1\n  xor r9d, r9d\n  syscall\n  xor edi, edi\n  test rax, rax\n  jns ok\n  mov edi, 3\n" +
        "ok:\n  mov eax, 60\n  syscall",
    ),
    { memoryLimit: 32 << 20 },
  );
  assert.equal(r.exitCode, 3);
  assert.match(
    r.report!,
    /the guest memory limit \(32 MiB\) refused 1 request for memory \(the largest: 64 MiB\); the program exited with status 3 after that/,
  );
});

void test("reports from the library name the limit, not a command-line flag", async () => {
  const reports = [
    (await run("loop.s", LOOP, { maxSteps: 100_000 })).report,
    (await run("loop.s", LOOP, { maxSteps: Infinity, timeoutMs: 50 })).report,
    (
      await run(
        "write1k.s",
        start(
          "  mov eax, 1\n  mov edi, 1\n  lea rsi, [rip + buf]\n  mov edx, 4096\n  syscall\n  ud2",
          "buf: .zero 4096",
        ),
        { maxOutput: 1024 },
      )
    ).report,
  ];
  for (const report of reports) {
    assert.match(report!, /limit/);
    assert.doesNotMatch(report!, /--[a-z]/);
  }
});

void test("a fork bomb: fork, vfork and clone fail with EAGAIN, and the program goes on alone", async () => {
  // Counts failed forks (rax = -11) and exits with the count.
  const r = await run(
    "forkbomb.s",
    start(
      "  xor ebx, ebx\n  mov r12d, 50\nagain:\n  mov eax, 57\n  syscall\n  cmp rax, -11\n  jne bad\n" +
        "  mov eax, 58\n  syscall\n  cmp rax, -11\n  jne bad\n  mov eax, 56\n  mov edi, 0x11\n  syscall\n" +
        "  cmp rax, -11\n  jne bad\n  inc ebx\n  dec r12d\n  jnz again\n  mov edi, ebx\n  mov eax, 60\n  syscall\n" +
        "bad:\n  mov edi, 255\n  mov eax, 60\n  syscall",
    ),
  );
  assert.equal(r.exitCode, 50);
});

void test("a descriptor leak ends in EMFILE", async () => {
  // open("/f", O_RDONLY|O_CREAT) until it fails; exit with the error number.
  const r = await run(
    "fdleak.s",
    start(
      "again:\n  mov eax, 2\n  lea rdi, [rip + name]\n  mov esi, 0x40\n  mov edx, 0x1a4\n  syscall\n" +
        "  test rax, rax\n  jns again\n  neg rax\n  mov edi, eax\n  mov eax, 60\n  syscall",
      'name: .asciz "/f"',
    ),
    { maxOpenFiles: 64 },
  );
  assert.equal(r.exitCode, 24 /* EMFILE */);
});

void test("abort() (a signal the program sends itself) is a signal death: 134, SIGABRT named", async () => {
  const r = await run(
    "abort.s",
    start(
      "  mov eax, 39\n  syscall\n  mov edi, eax\n  mov esi, eax\n  mov edx, 6\n  mov eax, 234\n  syscall\n  ud2",
    ),
  );
  assert.equal(r.exitCode, 134);
  assert.match(r.report!, /killed by SIGABRT \(signal 6\), which it sent itself \(abort\(\)\)/);
  // Where: the syscall that sent it, not the instruction after it.
  assert.match(r.report!, /at: +.*abort\.s:10\b.*syscall/);
});

void test(
  "Ctrl-C on `abi-lab run`: output so far is flushed, where it stopped is reported, exit 130",
  { skip: !built && "run npm run build first" },
  async () => {
    const file = join(dir, "hello-loop.s");
    writeFileSync(
      file,
      start(
        "  mov eax, 1\n  mov edi, 1\n  lea rsi, [rip + msg]\n  mov edx, 6\n  syscall\nspin:\n  jmp spin",
        'msg: .ascii "hello\\n"',
      ),
    );
    const child = spawn(process.execPath, ["bin/abi-lab.js", "run", file, "--sandbox", join(dir, "box")]);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    // Interrupt once the guest has written its line (it is then in the loop).
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (stdout.includes("hello")) {
          clearInterval(poll);
          resolve();
        }
      }, 20);
    });
    child.kill("SIGINT");
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    assert.equal(code, 130, stderr);
    assert.equal(stdout, "hello\n");
    assert.match(stderr, /interrupted \(Ctrl-C\) after [\d,]+ instructions/);
    assert.match(stderr, /rip: +0x[0-9a-f]+ +in spin/);
    assert.match(stderr, /hello-loop\.s:\d+: jmp spin/);
  },
);

void test(
  "limit options: sizes and seconds, mistakes are usage errors (2)",
  { skip: !built && "build first" },
  () => {
    const file = join(dir, "loop2.s");
    writeFileSync(file, LOOP);
    const r = abiLab(["run", file, "--timeout", "0.2", "--sandbox", join(dir, "box2")]);
    assert.equal(r.status, 124, r.stderr);
    assert.match(r.stderr, /by the time limit \(0\.2 s\)/);
    assert.match(r.stderr, /this limit is set with --timeout SECONDS/);
    const e = abiLab(["run", file, "--max-memory", "lots"]);
    assert.equal(e.status, 2);
    assert.match(
      e.stderr,
      /--max-memory expects a size such as 64M, 512M or 2G \(a plain number is MiB\), not "lots"/,
    );
    assert.equal(sizeOption("run", "max-memory", "512", "M"), 512 << 20);
    assert.equal(sizeOption("run", "max-output", "2G", "M"), 2 ** 31);
    assert.equal(sizeOption("run", "max-output", "64KiB", "M"), 64 << 10);
    assert.throws(() => sizeOption("run", "max-output", "12X", "M"), /--max-output expects a size/);
    assert.throws(() => sizeOption("run", "max-output", "0", "M"), /--max-output expects a size/);
    assert.equal(secondsOption("run", "timeout", "0.5"), 0.5);
    assert.throws(() => secondsOption("run", "timeout", "soon"), /--timeout expects seconds/);
    assert.throws(() => secondsOption("run", "timeout", "0"), /--timeout expects seconds/);
  },
);

void test(
  "a program too large for --max-memory is an input error that says which flag sets the limit",
  { skip: !built && "build first" },
  () => {
    const file = join(dir, "huge.s");
    writeFileSync(file, start("  ret", ".bss\n.zero 100000000"));
    for (const command of ["run", "trace"]) {
      const r = abiLab([command, file, "--max-memory", "64M", "--sandbox", join(dir, "box3")]);
      assert.equal(r.status, 2, r.stderr);
      assert.match(
        r.stderr,
        /huge\.s: the program does not fit in the guest memory limit of 64 MiB: its segments and stack need more \(this limit is set with --max-memory SIZE\)/,
      );
    }
  },
);
