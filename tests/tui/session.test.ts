import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { AbiChecker } from "../../src/abi/checker.js";
import { programView } from "../../src/pipeline/program-view.js";
import { runProgram } from "../../src/pipeline/run-program.js";
import { CallTracker } from "../../src/tui/call-tracker.js";
import { callView } from "../../src/tui/view/call-view.js";
import { fullState, program, session } from "./helpers.js";

const HELLO = "examples/hello.scm";
const FOREIGN = "examples/foreign.scm";

test("step executes one instruction; next steps over a call; finish returns to the caller", async () => {
  const s = await session(HELLO);
  const m = s.machine;
  assert.equal(s.view.nameOf(m.rip), "_start");
  s.run("step");
  assert.equal(m.steps, 1);
  // to the call rt_main in _start
  while (!s.view.nameOf(m.rip).startsWith("_start+0x9")) s.run("step");
  assert.equal(callView(s)?.phase, "before-call");
  assert.equal(callView(s)?.callee, "rt_main");
  const depth = s.tracker.depth;
  // next over rt_main runs the whole program: it never returns (exit_group)
  const stop = s.run("next");
  assert.equal(stop.kind, "exit");
  assert.equal(m.exited, 0);
  assert.equal(s.tracker.depth >= depth, true);

  const t = await session(HELLO, { breakpoints: ["writeln"] });
  assert.equal(t.run("continue").kind, "breakpoint");
  assert.equal(t.view.nameOf(t.machine.rip), "writeln");
  const inside = t.tracker.depth;
  for (let i = 0; i < 5; i++) t.run("step");
  const fin = t.run("finish");
  assert.equal(fin.kind, "return", fin.message);
  assert.equal(t.tracker.depth, inside - 1);
  assert.match(t.view.nameOf(t.machine.rip), /^scheme_entry\+0x/);
  const panel = callView(t)!;
  assert.equal(panel.phase, "returned");
  assert.equal(panel.callee, "writeln");
  assert.deepEqual(
    panel.ret!.saved.map((x) => `${x.name}${x.ok ? "✓" : "✗"}`),
    ["rbx✓", "rbp✓", "r12✓", "r13✓", "r14✓", "r15✓", "rsp✓"],
  );
});

test("next over a call inside the program stops right after it, at the same depth", async () => {
  const s = await session(HELLO, { breakpoints: ["scheme_entry"] });
  s.run("continue");
  const m = s.machine;
  let guard = 0;
  while (callView(s)?.phase !== "before-call" && guard++ < 100) s.run("step");
  const view = callView(s)!;
  assert.equal(view.callee, "rt_open_output_file");
  const depth = s.tracker.depth;
  const rip = m.rip;
  const stop = s.run("next");
  assert.equal(stop.kind, "return", stop.message);
  assert.equal(s.tracker.depth, depth);
  assert.equal(m.rip, rip + 5); // the instruction after the 5-byte call
  const after = callView(s)!;
  assert.equal(after.phase, "returned");
  assert.match(after.ret!.rax.decoded, /output port/);
});

test("continue stops at breakpoints; the call panel shows writeln's decoded arguments and alignment", async () => {
  const s = await session(HELLO, { breakpoints: ["writeln"] });
  const stop = s.run("continue");
  assert.equal(stop.kind, "breakpoint");
  const v = callView(s)!;
  assert.equal(v.phase, "in-call");
  assert.equal(v.callee, "writeln");
  assert.equal(v.signature, "writeln(data: Value, port: Value) -> Value");
  assert.equal(v.args[0].where, "rdi");
  assert.equal(v.args[0].decoded, '"Hello !!con 👋"');
  assert.equal(v.args[1].where, "rsi");
  assert.match(v.args[1].decoded, /^#<output port "\/tmp\/inc\/io\.txt">$/);
  assert.equal(v.alignment.ok, true);
  assert.equal(v.alignment.mod, 0);
  // toggling the breakpoint off lets continue run to the exit
  s.run("break");
  assert.equal(s.machine.breakpoints.size, 0);
  assert.equal(s.run("continue").kind, "exit");
  assert.equal(readFileSync(join(s.files.sandboxDir, "tmp/inc/io.txt"), "utf8"), "Hello !!con 👋\n");
});

test("--no-align: the call panel reports the misaligned call", async () => {
  const { loadProgram } = await import("../../src/pipeline/load-program.js");
  const { openSession } = await import("../../src/tui/open-session.js");
  const { mkdtempSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const p = await loadProgram(HELLO, { align: false });
  const s = openSession(p, {
    sandboxDir: mkdtempSync(join(tmpdir(), "abi-lab-step-test-")),
    breakpoints: ["rt_open_output_file"],
  });
  const stop = s.run("continue");
  const v = callView(s)!;
  assert.equal(v.callee, "rt_open_output_file");
  assert.equal(v.alignment.ok, false);
  assert.equal(v.alignment.mod, 8);
  assert.match(v.alignment.why, /movaps/);
  // The checker runs in the stepper too: the command that made the call reports the violation.
  assert.equal(stop.violation, true);
  assert.match(
    stop.message,
    /✗ stack-alignment at scheme_entry\+0x[0-9a-f]+: call to rt_open_output_file with rsp = 0x[0-9a-f]+8/,
  );
  assert.equal(s.checker.violations.length, 1);
  assert.equal(s.checker.violations[0].callee, "rt_open_output_file");
  // Reverse takes the checker back with the machine; stepping forward again finds it again.
  s.run("reverse");
  assert.equal(s.checker.violations.length, 0);
  assert.equal(s.run("step").violation, true);
  assert.equal(s.checker.violations.length, 1);
});

test("an aligned program runs to its exit in the stepper with zero convention violations", async () => {
  const s = await session(FOREIGN);
  const stop = s.run("continue");
  assert.equal(stop.kind, "exit");
  assert.equal(stop.violation, undefined);
  assert.equal(s.checker.violations.length, 0);
});

test("N steps forward then N back restores registers, memory, output, files and kernel exactly", async () => {
  const s = await session(FOREIGN);
  const initial = fullState(s);
  const N = 3000;
  const states = new Map<number, ReturnType<typeof fullState>>();
  for (let i = 0; i < N; i++) {
    if (i % 1000 === 500) states.set(i, fullState(s));
    if (s.run("step").kind === "exit") break;
  }
  const done = s.machine.steps;
  assert.equal(done, N);
  assert.notDeepEqual(fullState(s), initial);
  for (let i = N; i > 0; i--) {
    assert.equal(s.run("reverse").kind, "reverse");
    if (states.has(i - 1)) assert.deepEqual(fullState(s), states.get(i - 1), `state after ${i - 1} steps`);
  }
  assert.deepEqual(fullState(s), initial);
  assert.equal(s.run("reverse").kind, "history-start");
});

test("reverse across continue, next and the exit: replays to the exact earlier states", async () => {
  const s = await session(FOREIGN, { preciseLead: 100, replayTail: 300 });
  const initial = fullState(s);
  // The states at a few step counts, by single steps (each machine has its own AT_RANDOM bytes,
  // so the same session is used), then back to the start.
  const marks = [1, 777, 5000, 9000];
  const expected = new Map<number, ReturnType<typeof fullState>>();
  for (let k = 1; k <= 9000; k++) {
    s.run("step");
    if (marks.includes(k)) expected.set(k, fullState(s));
  }
  while (s.run("reverse").kind === "reverse");
  assert.deepEqual(fullState(s), initial);
  assert.equal(s.run("continue").kind, "exit");
  const total = s.machine.steps;
  assert.ok(total > 9000, `foreign.scm runs ${total} instructions`);
  assert.match(s.output.map((c) => c.text).join(""), /translation layer/);
  const outputAtExit = fullState(s).output;
  // Back one instruction from the exit: the exit is undone.
  s.run("reverse");
  assert.equal(s.machine.exited, null);
  assert.equal(s.machine.steps, total - 1);
  assert.equal(fullState(s).output, outputAtExit); // exit_group wrote nothing
  // and all the way back, checking the recorded states on the way
  while (s.machine.steps > 0) {
    const before = s.machine.steps;
    assert.equal(s.run("reverse").kind, "reverse");
    assert.equal(s.machine.steps, before - 1);
    const exp = expected.get(s.machine.steps);
    if (exp) assert.deepEqual(fullState(s), exp, `state at step ${s.machine.steps}`);
  }
  assert.deepEqual(fullState(s), initial);
  // Sandbox files written by the run are gone again.
  assert.deepEqual(fullState(s).sandbox, initial.sandbox);
});

test("reverse undoes sandbox file writes and the kernel's file offsets; a replay writes them again", async () => {
  const s = await session(HELLO);
  const file = () => join(s.files.sandboxDir, "tmp/inc/io.txt");
  assert.equal(s.run("continue").kind, "exit");
  assert.equal(readFileSync(file(), "utf8"), "Hello !!con 👋\n");
  // back to before the write syscall
  let guard = 0;
  while (readFileSync(file(), "utf8") !== "" && guard++ < 5000) s.run("reverse");
  assert.equal(readFileSync(file(), "utf8"), "");
  assert.equal(s.machine.exited, null);
  assert.equal(s.run("continue").kind, "exit");
  assert.equal(readFileSync(file(), "utf8"), "Hello !!con 👋\n");
  while (s.run("reverse").kind === "reverse");
  assert.equal(existsSync(file()), false);
  assert.equal(existsSync(join(s.files.sandboxDir, "tmp")), false);
});

test("at least 10 000 instructions can be reversed one by one after single steps", async () => {
  const s = await session("bench/programs/fib30.scm", { historySteps: 10_000 });
  const before = fullState(s);
  for (let i = 0; i < 12_000; i++) s.run("step");
  assert.ok(s.history.depth >= 12_000);
  for (let i = 0; i < 12_000; i++) assert.equal(s.run("reverse").kind, "reverse");
  assert.deepEqual(fullState(s), before);
});

test("continue over a million instructions takes about as long as run", async () => {
  const p = await program("bench/programs/fib30.scm");
  const { mkdtempSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const budget = 3_000_000;
  const box = mkdtempSync(join(tmpdir(), "abi-lab-step-test-"));
  // The run carries the observers the stepper attaches at every call and return (call tracker and
  // convention checker): since the emulator translates hot blocks, they cost more than the
  // instructions in between, and the comparison is about what the stepper adds (a precise loop
  // would show here).
  const view = programView(p);
  const t0 = performance.now();
  const r = runProgram(p, {
    sandboxDir: box,
    maxSteps: budget,
    stdout: () => {},
    stderr: () => {},
    attach: (m) => [
      new CallTracker(m),
      new AbiChecker(m, {
        conventionOf: (t, site) => view.conventionOf(t, site),
        nameOf: (a) => view.nameOf(a),
      }).callsOnly(),
    ],
  });
  const runMs = performance.now() - t0;
  assert.equal(r.steps, budget);
  const s = await session("bench/programs/fib30.scm", { runBudget: budget });
  const t1 = performance.now();
  const stop = s.run("continue");
  const stepMs = performance.now() - t1;
  assert.equal(stop.kind, "limit");
  assert.equal(s.machine.steps, budget);
  // Print the numbers for the record; the bound is loose (CI machines are noisy).
  console.log(
    `run: ${runMs.toFixed(0)} ms, stepper continue: ${stepMs.toFixed(0)} ms for ${budget} instructions`,
  );
  assert.ok(stepMs < runMs * 2.5 + 300, `continue ${stepMs} ms vs run ${runMs} ms`);
  // and reversing one instruction across it is exact
  const t2 = performance.now();
  s.run("reverse");
  console.log(`reverse across the continue: ${(performance.now() - t2).toFixed(0)} ms`);
  assert.equal(s.machine.steps, budget - 1);
});

test("a static C program (musl): the stack panel reads no Scheme values and finds no saved rbp that was not pushed", async (t) => {
  const { execFileSync, spawnSync } = await import("node:child_process");
  const { mkdtempSync, writeFileSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { stackView } = await import("../../src/tui/view/stack-view.js");
  if (spawnSync("musl-gcc", ["--version"]).status !== 0)
    return t.skip("musl-gcc is not installed (.ci/run installs musl-tools)");
  const dir = mkdtempSync(join(tmpdir(), "abi-lab-step-c-"));
  writeFileSync(
    join(dir, "p.c"),
    '#include <stdio.h>\nint main(int argc, char **argv) { long s = 0; for (int i = 0; i < argc; i++) s += argv[i][0]; printf("%ld\\n", s); return 0; }\n',
  );
  execFileSync("musl-gcc", [
    "-O2",
    "-static",
    "-fno-omit-frame-pointer",
    "-o",
    join(dir, "p"),
    join(dir, "p.c"),
  ]);
  const s = await session(join(dir, "p"), { breakpoints: ["main"] });
  assert.equal(s.run("continue").kind, "breakpoint");
  s.run("step");
  const slots = stackView(s, 12);
  for (const slot of slots) assert.doesNotMatch(slot.meaning, /fixnum|#f|#t|"/, slot.meaning);
  const ret = slots.findIndex((x) => x.frameEdge);
  assert.ok(ret >= 0);
  // main's first push is its caller's rbp only when main starts with push rbp
  const first = s.machine.memory.readBytes(s.resolve("main"), 1)[0];
  if (ret > 0) assert.equal(/saved rbp/.test(slots[ret - 1].meaning), first === 0x55);
  assert.equal(s.run("continue").kind, "exit");
});
