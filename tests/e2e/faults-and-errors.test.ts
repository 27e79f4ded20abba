import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadProgram } from "../../src/pipeline/load-program.js";
import { runProgram } from "../../src/pipeline/run-program.js";

const dir = mkdtempSync(join(tmpdir(), "abi-lab-faults-"));

async function run(name: string, source: string) {
  const file = join(dir, name);
  writeFileSync(file, source);
  let stdout = "";
  let stderr = "";
  const d = new TextDecoder();
  const r = runProgram(await loadProgram(file), {
    sandboxDir: dir,
    stdout: (b) => (stdout += d.decode(b)),
    stderr: (b) => (stderr += d.decode(b)),
    maxSteps: 50_000_000,
  });
  return { ...r, stdout, stderr };
}

const entry = (body: string) => `.intel_syntax noprefix\n.globl scheme_entry\nscheme_entry:\n${body}\n`;

test("a bad pointer: SIGSEGV with the faulting address, the symbol and the source line", async () => {
  const r = await run(
    "bad.s",
    entry("  push rbp\n  mov rbp, rsp\n  mov rax, 0x1234\n  mov rax, qword ptr [rax]\n  pop rbp\n  ret"),
  );
  assert.equal(r.exitCode, 139);
  assert.match(r.report!, /SIGSEGV/);
  assert.match(r.report!, /address: 0x1234/);
  assert.match(r.report!, /scheme_entry\+0x/);
  assert.match(r.report!, /bad\.s:7/);
  assert.match(r.report!, /#1 .*rt_main/);
});

test("division by zero: SIGFPE", async () => {
  const r = await run("div.s", entry("  xor ecx, ecx\n  mov eax, 7\n  cqo\n  idiv rcx\n  ret"));
  assert.equal(r.exitCode, 128 + 8);
  assert.match(r.report!, /SIGFPE/);
});

test("an undefined instruction: SIGILL", async () => {
  const r = await run("ud.s", entry("  ud2"));
  assert.equal(r.exitCode, 128 + 4);
  assert.match(r.report!, /SIGILL/);
});

test("a misaligned movaps: SIGSEGV naming the alignment", async () => {
  const r = await run(
    "movaps.s",
    entry("  movaps xmmword ptr [rsp - 16], xmm0   # rsp is 8 mod 16 at entry\n  ret"),
  );
  assert.equal(r.exitCode, 139);
  assert.match(r.report!, /not 16-byte aligned/);
});

test("output written before a crash is kept", async () => {
  const r = await run("crash.scm", '(display "first line")\n(newline)\n(vector-ref (vector 1 2 3) 10)\n');
  assert.equal(r.stdout, "first line\n");
  assert.match(r.stderr, /vector-ref/);
  assert.match(r.stderr, /10/);
  assert.equal(r.exitCode, 1);
});

test("Scheme run-time errors name the procedure and the bad value", async () => {
  const cases: [string, RegExp][] = [
    ["(car 1)", /Error in car: .*pair.*1/],
    ["(define (f x) x) (f 1 2)", /Error in f: expected 1 argument, got 2/],
    ["((lambda (a . b) a))", /expected at least 1 argument, got 0/],
    ["(5 3)", /non-procedure 5|not a procedure/],
    ["(+ 1 'a)", /Error in \+: .*number.*a/],
    ["(quotient 5 0)", /division by zero/],
    ['(error \'my-proc "something bad:" 42)', /Error in my-proc: something bad: 42/],
    ['(error "plain message" \'x "y")', /Error: plain message x "y"/],
  ];
  for (const [src, expected] of cases) {
    const r = await run("err.scm", src);
    assert.equal(r.exitCode, 1, src);
    assert.match(r.stderr, expected, `${src} → ${r.stderr}`);
  }
});

test("the step limit stops an infinite loop with a clear report", async () => {
  const file = join(dir, "forever.scm");
  writeFileSync(file, "(define (f) (f))\n(f)\n");
  const r = runProgram(await loadProgram(file), {
    sandboxDir: dir,
    stdout: () => {},
    stderr: () => {},
    maxSteps: 100_000,
  });
  assert.equal(r.stop.kind, "step-limit");
  assert.equal(r.exitCode, 124);
  assert.match(r.report!, /stopped after 100,000 instructions \(the instruction limit\)/);
  assert.equal(r.limit, "steps");
});

test("a fault deep in translated recursion: the backtrace lists the recursive calls (the machine's shadow stack)", async () => {
  // rec(n) calls itself 100 deep, hot enough to be translated, then faults.
  const r = await run(
    "deep.s",
    entry(
      [
        "  push rbp",
        "  mov edi, 100",
        "  call rec",
        "  pop rbp",
        "  ret",
        "rec:",
        "  test rdi, rdi",
        "  jz boom",
        "  dec rdi",
        "  call rec",
        "  ret",
        "boom:",
        "  mov qword ptr [8], 1",
        "  ret",
      ].join("\n"),
    ),
  );
  assert.equal(r.exitCode, 139);
  const frames = r.report!.split("\n").filter((l) => /^ {2}#\d+ /.test(l));
  assert.match(frames[0], /#0 .*boom/);
  // 100 recursive calls, scheme_entry's call, rt_main's and _start's: 39 shown, the rest counted.
  for (const l of frames.slice(1, 40)) assert.match(l, /rec\+/);
  assert.match(r.report!, /\.\.\. 64 more frames/);
});
