import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { createElement } from "react";
import { cleanup, render } from "ink-testing-library";
import { StepperApp } from "../../src/tui/ui/stepper-app.js";
import type { StepSession } from "../../src/tui/session.js";
import { session } from "./helpers.js";

after(() => cleanup());

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;
const plain = (s: string | undefined) => (s ?? "").replace(ANSI, "");

/** Terminal columns of a line: wide characters (emoji, CJK) count two. */
function columns(line: string): number {
  let n = 0;
  for (const ch of line) {
    const c = ch.codePointAt(0)!;
    n += c >= 0x1f300 || (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf) ? 2 : 1;
  }
  return n;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function open(s: StepSession, cols: number, rows: number, onQuit?: () => void) {
  const app = render(createElement(StepperApp, { session: s, columns: cols, rows, onQuit }));
  const frame = () => plain(app.lastFrame());
  /** Sends a key and waits until the frame satisfies `until` (or a timeout). */
  const press = async (key: string, until?: (f: string) => boolean) => {
    const before = frame();
    app.stdin.write(key);
    for (let i = 0; i < 200; i++) {
      await sleep(5);
      const f = frame();
      if (until ? until(f) : f !== before) return f;
    }
    return frame();
  };
  return { app, frame, press };
}

function assertFits(f: string, cols: number, rows: number) {
  const lines = f.split("\n");
  assert.equal(lines.length, rows, `the frame has ${lines.length} lines:\n${f}`);
  for (const l of lines) assert.ok(columns(l) <= cols, `line wider than ${cols}: ${JSON.stringify(l)}`);
}

test("80×24: every panel is there and the frame fits", async () => {
  const s = await session("examples/hello.scm", { breakpoints: ["writeln"] });
  const { frame, app } = open(s, 80, 24);
  await sleep(20);
  const f = frame();
  assertFits(f, 80, 24);
  for (const title of [
    "abi-lab step examples/hello.scm",
    "source",
    "disassembly",
    "registers",
    "stack at rsp=",
  ])
    assert.ok(f.includes(title), `missing ${title}:\n${f}`);
  for (const title of [" call ", "output", "syscalls"]) assert.ok(f.includes(title), `missing ${title}`);
  assert.match(f, /▶401000 {2}xor ebp, ebp/);
  assert.match(f, /rip 401000/);
  assert.match(f, /rsp\s+7fffffff/);
  app.unmount();
});

test("c runs to the breakpoint: the call panel shows writeln, both arguments decoded, the alignment", async () => {
  const s = await session("examples/hello.scm", { breakpoints: ["writeln"] });
  const { press, app } = open(s, 100, 30);
  await sleep(20);
  const f = await press("c", (x) => x.includes("breakpoint at writeln"));
  assertFits(f, 100, 30);
  assert.match(f, /call writeln · System V AMD64/);
  assert.match(f, /writeln\(data: Value, port: Value\) -> Value/);
  assert.match(f, /rdi\s+data "Hello !!con 👋" {2}0x[0-9a-f]+/);
  assert.match(f, /rsi\s+port #<output port "\/tmp\/inc\/io\.txt"> {2}0x[0-9a-f]+/);
  assert.match(f, /rsp%16 = 0 at the call ✓ aligned/);
  assert.match(f, /System V wants rsp%16 == 0/);
  assert.match(f, /●▶[0-9a-f]+ {2}push rbp/); // breakpoint and current line
  assert.match(f, /═\s+\+0\s+[0-9a-f]+ ret → scheme_entry/); // the return address, a frame edge
  assert.match(f, /openat\(-100, /); // the syscall log
  app.unmount();
});

test("--no-align: c to writeln shows the misaligned call and the checker's violation in the header and status", async () => {
  const { loadProgram } = await import("../../src/pipeline/load-program.js");
  const { openSession } = await import("../../src/tui/open-session.js");
  const p = await loadProgram("examples/hello.scm", { align: false });
  const s = openSession(p, {
    sandboxDir: mkdtempSync(join(tmpdir(), "abi-lab-step-test-")),
    breakpoints: ["rt_open_output_file"],
  });
  const { press, app } = open(s, 120, 30);
  await sleep(20);
  const f = await press("c", (x) => x.includes("breakpoint at rt_open_output_file"));
  assertFits(f, 120, 30);
  assert.match(f, /✗ 1 convention violation/);
  assert.match(f, /breakpoint at rt_open_output_file · ✗ stack-alignment at scheme_entry\+0x[0-9a-f]+/);
  assert.match(f, /rsp%16 = 8 at the call ✗ MISALIGNED/);
  const back = await press("r", (x) => x.includes("reversed 1 instruction"));
  assert.doesNotMatch(back, /convention violation/);
  app.unmount();
});

test("s steps (changed registers marked with their old value), Enter repeats, r goes back", async () => {
  const s = await session("examples/hello.scm");
  const { press, frame, app } = open(s, 80, 24);
  await sleep(20);
  const start = frame();
  let f = await press("s", (x) => x.includes("step 1 "));
  assert.match(f, /step: at _start\+0x2/);
  assert.match(f, /rip 401002 {2}cf PF ZF sf df of/); // xor ebp, ebp: ZF and PF set
  f = await press("\r", (x) => x.includes("step 2 "));
  assert.match(f, /\*rdi {2}7fffffff/); // mov rdi, rsp
  assert.match(f, /was: rdi 0/);
  f = await press("\r", (x) => x.includes("step 3 "));
  assert.doesNotMatch(f, /\*rdi/); // and rsp, -16 (rsp was aligned already)
  f = await press("r", (x) => x.includes("step 2 "));
  f = await press("r", (x) => x.includes("step 1 "));
  assert.match(f, /reversed 1 instruction/);
  f = await press("r", (x) => x.includes("step 0 "));
  // back at the start: the same screen apart from the status line and the changed marks
  const body = (x: string) =>
    x
      .split("\n")
      .slice(0, 12)
      .join("\n")
      .replace(/\*/g, " ")
      .replace(/was:.*$/m, "");
  assert.equal(body(f), body(start));
  assert.equal(s.machine.steps, 0);
  app.unmount();
});

test("F7 steps, F9 continues, F2 toggles a breakpoint at rip, n steps over a call", async () => {
  const s = await session("examples/hello.scm");
  const { press, app } = open(s, 100, 30);
  await sleep(20);
  let f = await press("\x1b[18~", (x) => x.includes("step 1 "));
  assert.match(f, /_start\+0x2/);
  f = await press("\x1bOQ", (x) => x.includes("breakpoint set"));
  assert.match(f, /●▶401002/);
  assert.deepEqual([...s.machine.breakpoints], [0x401002]);
  f = await press("b", (x) => x.includes("removed"));
  assert.equal(s.machine.breakpoints.size, 0);
  // to the call rt_main, then n over it: the program runs to its exit
  while (!s.view.nameOf(s.machine.rip).startsWith("_start+0x9")) s.run("step");
  f = await press("s", (x) => x.includes("rt_main"));
  f = await press("r", (x) => x.includes("next instruction: call rt_main"));
  f = await press("n", (x) => x.includes("exited"));
  assert.match(f, /the program exited with code 0/);
  f = await press("\x1b[20~", (x) => x.includes("has exited"));
  assert.match(f, /r steps back/);
  app.unmount();
});

test("? shows the help, x shows the XMM registers, q quits", async () => {
  const s = await session("examples/hello.scm");
  let quit = false;
  const { press, app } = open(s, 80, 24, () => (quit = true));
  await sleep(20);
  let f = await press("?", (x) => x.includes("abi-lab step: keys"));
  assert.match(f, /r\s+reverse step/);
  assert.match(f, /F7/);
  f = await press(" ", (x) => !x.includes("abi-lab step: keys"));
  assert.match(f, /registers/);
  f = await press("x", (x) => x.includes("xmm registers"));
  assert.match(f, /xmm0\s+0{32}/);
  f = await press("x", (x) => !x.includes("xmm registers"));
  await press("q", () => quit);
  assert.equal(quit, true);
  app.unmount();
});

test("a .s program shows its assembly source with the current line", async () => {
  const dir = mkdtempSync(join(tmpdir(), "abi-lab-step-s-"));
  const file = join(dir, "prog.s");
  writeFileSync(
    file,
    [
      ".intel_syntax noprefix",
      ".globl _start",
      "_start:",
      "    mov edi, 7",
      "    call twice",
      "    mov edi, eax",
      "    mov eax, 60",
      "    syscall",
      "twice:",
      "    lea eax, [rdi + rdi]",
      "    ret",
      "",
    ].join("\n"),
  );
  const s = await session(file);
  const { press, frame, app } = open(s, 80, 24);
  await sleep(20);
  assert.match(frame(), /▶4 {5}mov edi, 7/);
  let f = await press("s", (x) => x.includes("step 1 "));
  assert.match(f, /▶5 {5}call twice/);
  assert.match(f, /next instruction: call twice/);
  f = await press("s", (x) => x.includes("step 2 "));
  f = await press("s", (x) => x.includes("step 3 "));
  assert.match(f, /about to return from twice/);
  assert.match(f, /rax = 0xe {3}/);
  f = await press("s", (x) => x.includes("step 4 "));
  assert.match(f, /returned from twice/);
  assert.match(f, /kept ✓ rbx rbp r12 r13 r14 r15 rsp/);
  f = await press("c", (x) => x.includes("exited"));
  assert.match(f, /exited with code 14/);
  app.unmount();
});
