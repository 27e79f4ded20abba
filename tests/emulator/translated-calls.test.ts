/**
 * Translated code (translate.ts: a hot block with the blocks it jumps, branches, falls through and
 * calls into, and those calls' return points, as one function) in recursive and calling code,
 * against the interpreter: final state, step counts at any budget, a fault in a callee with the
 * caller's flags live, call and return events (with the machine's state as observers see it, and
 * with the reused events of an `eventsOnly` observer), self-modifying code that rewrites a callee,
 * a breakpoint, a register write or a halt requested by an observer in the middle of the run.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import type { Machine, MachineOptions } from "../../src/emulator/machine.js";
import { Perm, type MachineObserver, type StopReason } from "../../src/emulator/types.js";
import { translatedSource } from "../../src/emulator/translate.js";
import { DATA, DATA_LEN, setup } from "./helpers.js";

const INTERPRETED: MachineOptions = { translate: false };
/** Every block translated at its first run. */
const EAGER: MachineOptions = { translate: true, translateAfter: 0 };
/** Translated after a few runs (some blocks start in the fast interpreter). */
const WARM: MachineOptions = { translate: true, translateAfter: 3 };
const HOT: MachineOptions = { translate: true };
const ENGINES = [EAGER, WARM, HOT];

function state(m: Machine, stop: StopReason): Record<string, unknown> {
  const regs: string[] = [];
  for (let i = 0; i < 16; i++) regs.push(m.getReg(i).toString(16));
  return {
    stop,
    regs,
    rip: m.rip,
    rflags: m.getFlags(),
    steps: m.steps,
    data: createHash("sha256").update(m.memory.readBytes(DATA, DATA_LEN)).digest("hex"),
    stack: createHash("sha256")
      .update(m.memory.readBytes(0x7ffff000 - 0x10000, 0x10000))
      .digest("hex"),
  };
}

/** Recursive fib with memory traffic, flags live across a call, and a counter in memory. */
const FIB = `
    mov edi, 12
    mov r8, ${DATA}
    call fib
    mov rbx, rax
    int3
fib:
    inc qword ptr [r8]
    cmp rdi, 2
    jb small
    push rbp
    mov rbp, rsp
    push rdi
    lea rdi, [rdi - 1]
    call fib
    mov qword ptr [rbp - 16], rax
    mov rdi, qword ptr [rbp - 8]
    sub rdi, 2
    push rax
    call fib
    pop rcx
    add rax, rcx
    cmp rax, 100
    leave
    setae dl
    ret
small:
    mov rax, rdi
    ret`;

async function runWith(
  source: string,
  options: MachineOptions,
  steps = 10_000_000,
  extra?: (m: Machine) => MachineObserver[],
  perm = Perm.read | Perm.exec,
): Promise<Record<string, unknown>> {
  const { m } = await setup(source, perm, options);
  for (const o of extra?.(m) ?? []) m.addObserver(o);
  return state(m, m.run(steps));
}

void test("recursive translated code ends in the interpreter's state, also at every step budget", async () => {
  const ref = await runWith(FIB, INTERPRETED);
  assert.equal((ref.stop as StopReason).kind, "fault", "ends at int3");
  assert.equal((ref.regs as string[])[3], (144).toString(16), "fib(12) = 144");
  for (const e of ENGINES) assert.deepEqual(await runWith(FIB, e), ref);
  const total = ref.steps as number;
  for (const budget of [1, 7, 50, 51, 52, 333, 1000, 1001, total - 3, total - 1]) {
    const want = await runWith(FIB, INTERPRETED, budget);
    for (const e of ENGINES) assert.deepEqual(await runWith(FIB, e, budget), want, `budget ${budget}`);
  }
});

void test("translated code on pages past the arena (no int32 TLB entry) ends in the interpreter's state", async () => {
  const ref = await runWith(FIB, INTERPRETED);
  // No room at all (every access takes the slow path), room for the code page only, and for all.
  for (const arenaBytes of [0, 4096, 1 << 20]) {
    for (const e of ENGINES) {
      const got = await runWith(FIB, { ...e, arenaBytes });
      assert.deepEqual(got, ref, `arena of ${arenaBytes} bytes`);
    }
  }
  const { m } = await setup(FIB, Perm.read | Perm.exec, { ...EAGER, arenaBytes: 4096 });
  m.run(10_000_000);
  assert.equal(m.memory.arenaPages, 1, "the code page only");
});

void test("call and return events from translated code: same events, same machine state and shadow stack seen", async () => {
  const logs: string[][] = [];
  const stacks: string[] = [];
  const reused: string[][] = [];
  for (const options of [INTERPRETED, ...ENGINES]) {
    const log: string[] = [];
    const snapshots: string[] = [];
    const events: string[] = [];
    let depth = 0;
    await runWith(FIB, options, 10_000_000, (m) => {
      // The reference runs the precise loop, where observers see exact step counts.
      const precise: MachineObserver[] = options === INTERPRETED ? [{ onInstruction: () => undefined }] : [];
      // An observer that looks at its events only gets them in reused objects.
      const eventsOnly: MachineObserver = {
        eventsOnly: true,
        onCall: (e) => events.push(`call ${e.rip} ${e.target} ${e.returnAddress} ${e.rsp}`),
        onReturn: (e) => events.push(`ret ${e.rip} ${e.target} ${e.rsp}`),
      };
      return [
        ...precise,
        eventsOnly,
        {
          onCall: (e) => {
            log.push(`call ${e.rip} ${e.target} ${e.rsp} rdi=${m.getReg(7)} rax=${m.getReg(0)} @${m.steps}`);
            assert.equal(m.shadow.size, depth + 1, "the call's frame is on the shadow stack");
            if (++depth === 5) snapshots.push(JSON.stringify(m.shadow.list));
          },
          onReturn: (e) => {
            log.push(`ret ${e.rip} ${e.target} ${e.rsp} rax=${m.getReg(0)} fl=${m.getFlags()} @${m.steps}`);
            depth--;
            assert.equal(m.shadow.size, depth, "the frame returned to is popped");
          },
        },
      ];
    });
    logs.push(log);
    stacks.push(snapshots.join("\n"));
    reused.push(events);
  }
  assert.equal(logs[0].length, 2 * 465, "fib(12) makes 465 calls");
  // Steps seen by observers are exact when translated at once (blocks started in the fast
  // interpreter report the block's start): compare the others without them.
  assert.deepEqual(logs[1], logs[0]);
  const noSteps = (log: string[]): string[] => log.map((l) => l.replace(/ @\d+$/, ""));
  for (const l of logs.slice(2)) assert.deepEqual(noSteps(l), noSteps(logs[0]));
  for (const s of stacks) assert.equal(s, stacks[0], "the shadow call stack");
  assert.match(stacks[0], /"returnAddress":/);
  for (const e of reused) assert.deepEqual(e, reused[0], "events in reused objects");
  assert.equal(reused[0].length, 2 * 465);
});

void test("an observer that writes registers or halts in the middle of translated code is obeyed", async () => {
  const scramble = (m: Machine): MachineObserver[] => [
    {
      onReturn: () => {
        m.setReg(2, 0x1234n); // rdx: caller-saved, as a grader scrambles it
        m.setReg(11, BigInt(m.steps)); // r11
      },
    },
  ];
  const ref = await runWith(FIB, INTERPRETED, 10_000_000, (m) => [
    { onInstruction: () => undefined },
    ...scramble(m),
  ]);
  for (const e of ENGINES.slice(0, 1)) assert.deepEqual(await runWith(FIB, e, 10_000_000, scramble), ref);
  const halting = (m: Machine): MachineObserver[] => {
    let calls = 0;
    return [{ onCall: () => void (++calls === 100 && m.halt("enough")) }];
  };
  const want = await runWith(FIB, INTERPRETED, 10_000_000, halting);
  assert.equal((want.stop as StopReason).kind, "halted");
  for (const e of ENGINES) assert.deepEqual(await runWith(FIB, e, 10_000_000, halting), want);
});

void test("a breakpoint set by an observer at a translated return point stops there", async () => {
  const brk = (m: Machine): MachineObserver[] => {
    let calls = 0;
    return [
      {
        onCall: (e) => {
          // The second call site's return point (after `call fib` / `pop rcx`).
          if (++calls === 40) m.addBreakpoint(e.returnAddress);
        },
      },
    ];
  };
  const want = await runWith(FIB, INTERPRETED, 10_000_000, brk);
  assert.equal((want.stop as StopReason).kind, "breakpoint");
  for (const e of ENGINES) assert.deepEqual(await runWith(FIB, e, 10_000_000, brk), want);
});

void test("a fault in a translated callee is precise, with the caller's flags", async () => {
  // The callee writes down a buffer that runs out mid-recursion; flags of the caller's cmp are
  // live into the callee's first instructions (the flag locals must reach the fault's state).
  const source = `
    mov r8, ${DATA + DATA_LEN - 0x400}
    mov ecx, 1000
again:
    cmp ecx, 7
    call f
    dec ecx
    jnz again
    int3
f:
    mov qword ptr [r8], rcx
    lea r8, [r8 + 8]
    ret`;
  const want = await runWith(source, INTERPRETED);
  assert.equal((want.stop as StopReason).kind, "fault");
  for (const e of ENGINES) assert.deepEqual(await runWith(source, e), want);
});

void test("a translated callee rewritten by its caller runs its new code", async () => {
  // The loop patches the immediate of the callee's first instruction each time round.
  const source = `
    mov ecx, 60
    xor ebx, ebx
    lea rdx, [rip + callee]
again:
    mov byte ptr [rdx + 1], cl
    call callee
    add ebx, esi
    dec ecx
    jnz again
    int3
callee:
    mov esi, 0
    ret`;
  const perm = Perm.read | Perm.write | Perm.exec;
  const want = await runWith(source, INTERPRETED, 10_000_000, undefined, perm);
  assert.equal((want.regs as string[])[3], (1830).toString(16), "ebx = 60 + 59 + ... + 1");
  for (const e of ENGINES) assert.deepEqual(await runWith(source, e, 10_000_000, undefined, perm), want);
});

void test("the recursion is one region: fib's blocks, its return points and the lookup of return addresses", async () => {
  const { m } = await setup(FIB, Perm.read | Perm.exec, WARM);
  let fib = -1;
  m.addObserver({ onCall: (e) => void (fib = e.target) });
  m.run();
  const entry = m.cache.peek(fib);
  assert.ok(entry?.jit, "fib's first block is translated");
  const src = translatedSource(entry, m);
  // fib's first block (through the first recursive call) and the two return points (`small`, not
  // run yet when fib's first block became hot, is a region of its own).
  assert.match(src, /case 2: \{ \/\/ block/);
  assert.match(src, /if \(RPK\[j_\] === u\)/, "a return looks its target up among the return points");
});

void test("a return to a non-canonical or kernel address faults as in the interpreter", async () => {
  for (const target of [
    "0x0000800000000000",
    "0xffff7fffffffffff",
    "0xffff800000000000",
    "0x00007ffffffff000",
  ]) {
    // The return happens in a loop, so that the block holding it is translated before it faults.
    const source = `
    mov ecx, 20
again:
    lea rax, [rip + back]
    dec ecx
    cmovz rax, rdx
    mov rdx, ${target}
    cmovz rax, rdx
    push rax
    ret
back:
    jmp again`;
    const want = await runWith(source, INTERPRETED);
    assert.equal((want.stop as StopReason).kind, "fault", target);
    for (const e of ENGINES) assert.deepEqual(await runWith(source, e), want, `${target}`);
  }
});

void test("an access whose displacement carries into the address's high word reads the right page", async () => {
  // Translated accesses check the TLB on the address's 32-bit words; a displacement that carries
  // out of (or borrows from) the low word must not match the page with the same low word.
  const source = `
    mov rcx, 0x1000
    mov rsi, 0x1fffff000
    mov rbx, 0xfffff800
    mov rdi, 0x100000800
    mov r8d, 30
    xor eax, eax
again:
    add rax, qword ptr [rcx]
    add rax, qword ptr [rsi]
    add rax, qword ptr [rbx + 0x1800]
    add rax, qword ptr [rdi - 0x1000]
    dec r8d
    jnz again
    int3`;
  const pages: [number, bigint][] = [
    [0x1000, 1n], // same low word as 0x1_0000_1000
    [0x1_0000_1000, 1000n], // rbx + 0x1800
    [0x1_ffff_f000, 1_000_000n], // same low word and high word 1 as 0xffff_f000
    [0xffff_f000, 1_000_000_000n], // rdi - 0x1000
  ];
  const run = async (options: MachineOptions): Promise<Record<string, unknown>> => {
    const { m } = await setup(source, Perm.read | Perm.exec, options);
    for (const [address, value] of pages) {
      m.memory.map(address, 0x1000, Perm.read | Perm.write, "test");
      m.memory.write64(address, value);
      m.memory.write64(address + 0x800, value);
    }
    return state(m, m.run(100_000));
  };
  const want = await run(INTERPRETED);
  assert.equal((want.regs as string[])[0], (30n * 1_001_001_001n).toString(16));
  for (const e of ENGINES) assert.deepEqual(await run(e), want);
});

void test("a region that never leaves returns to the run loop every RUN_SLICE steps (V8's regular code takes over from its on-stack-replacement code)", async () => {
  const loop = `
    xor eax, eax
again:
    add rax, 1
    jmp again`;
  const { m } = await setup(loop, Perm.read | Perm.exec, EAGER);
  m.run(1000);
  const b = m.cache.peek(m.rip) ?? m.cache.peek(m.rip - 4);
  assert.ok(b !== undefined && b.jit !== null, "the loop is translated");
  let calls = 0;
  const jit = b.jit;
  b.jit = (limit, entry) => {
    calls++;
    jit(limit, entry);
  };
  m.run(m.steps + 2_000_000);
  assert.ok(calls >= 2_000_000 / 65_536, `${calls} calls for 2,000,000 steps`);
  assert.ok(calls <= 2 * (2_000_000 / 65_536) + 2, `${calls} calls for 2,000,000 steps`);
});
