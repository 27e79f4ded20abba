/**
 * Translated blocks (translate.ts) against the interpreter: the same program run with translation
 * off and with every block translated must end in the same state — stop reason, registers, flags,
 * memory, output, step count — and deliver the same call/return events. Also: faults inside a
 * translated block are precise, self-modifying code invalidates translated blocks, and a step budget
 * stops at the exact instruction.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { compileScheme } from "../../src/compiler/index.js";
import { STACK_TOP, createProcess } from "../../src/loader/index.js";
import { loadProgram } from "../../src/pipeline/load-program.js";
import type { Machine, MachineOptions } from "../../src/emulator/machine.js";
import { Perm, type MachineObserver, type StopReason } from "../../src/emulator/types.js";
import { runElf, type ElfRun } from "./elf-run.js";
import { setup } from "./helpers.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const ARCHIVE = join(ROOT, "runtime-rs/dist/libabi_runtime.a");
const PROGRAMS = join(ROOT, "tests/programs");

const INTERPRETED: MachineOptions = { translate: false };
const TRANSLATED: MachineOptions = { translate: true, translateAfter: 0 };
const HOT: MachineOptions = { translate: true };

/** Everything observable about a finished run. */
function finalState(m: Machine): Record<string, unknown> {
  const regs: string[] = [];
  for (let i = 0; i < 16; i++) regs.push(m.getReg(i).toString(16));
  const h = createHash("sha256");
  for (const region of m.memory.regions()) {
    for (let a = region.start; a < region.end; a += 1 << 20) {
      h.update(m.memory.readBytes(a, Math.min(1 << 20, region.end - a)));
    }
  }
  return {
    regs,
    rip: m.rip,
    rflags: m.getFlags(),
    xmm: Buffer.from(m.x8).toString("hex"),
    steps: m.steps,
    memory: h.digest("hex"),
  };
}

function summary(r: ElfRun): Record<string, unknown> {
  return {
    stop: r.stop,
    stdout: r.stdout.toString("utf8"),
    stderr: r.stderr.toString("utf8"),
    ...finalState(r.machine),
  };
}

function linkable(): string | false {
  if (process.platform !== "linux" || process.arch !== "x64") return "needs x86-64 Linux";
  if (spawnSync("gcc", ["--version"]).status !== 0) return "needs gcc";
  if (!existsSync(ARCHIVE)) return "runtime-rs archive missing";
  return false;
}

const corpus = existsSync(PROGRAMS)
  ? readdirSync(PROGRAMS)
      .filter((f) => f.endsWith(".scm") && f !== "ports.scm")
      .sort()
  : [];

void test("the Scheme corpus ends in the same state translated and interpreted", { skip: linkable() }, () => {
  const dir = mkdtempSync(join(tmpdir(), "abi-lab-jit-"));
  try {
    for (const file of corpus) {
      const { assembly } = compileScheme(readFileSync(join(PROGRAMS, file), "utf8"), file);
      const asm = join(dir, "prog.s");
      const exe = join(dir, "prog");
      writeFileSync(asm, `.section .note.GNU-stack,"",@progbits\n${assembly}`);
      const link = spawnSync("gcc", ["-nostdlib", "-static", "-o", exe, asm, ARCHIVE], { encoding: "utf8" });
      assert.equal(link.status, 0, link.stderr);
      const elf = readFileSync(exe);
      const precise = summary(runElf(elf, 2e9, INTERPRETED));
      assert.equal((precise.stop as StopReason).kind, "exit", `${file}: ${JSON.stringify(precise.stop)}`);
      assert.deepEqual(summary(runElf(elf, 2e9, TRANSLATED)), precise, `${file}: every block translated`);
      assert.deepEqual(summary(runElf(elf, 2e9, HOT)), precise, `${file}: hot blocks translated`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

void test(
  "a static C program (musl) ends in the same state translated and interpreted",
  { skip: linkable() || (spawnSync("musl-gcc", ["--version"]).error !== undefined && "needs musl-gcc") },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), "abi-lab-jit-"));
    try {
      const exe = join(dir, "sieve");
      const cc = spawnSync("musl-gcc", ["-O2", "-static", "-o", exe, join(ROOT, "bench/programs/sieve.c")], {
        encoding: "utf8",
      });
      assert.equal(cc.status, 0, cc.stderr);
      const program = await loadProgram(exe);
      const results: Record<string, unknown>[] = [];
      // The loader puts random bytes (AT_RANDOM) at the top of the stack: both runs get the same.
      let stackTop: Uint8Array | null = null;
      for (const options of [INTERPRETED, TRANSLATED]) {
        const out: string[] = [];
        const { machine } = createProcess({
          image: program.image,
          argv: ["sieve"],
          env: [],
          sandboxDir: dir,
          stdout: (b) => out.push(Buffer.from(b).toString("utf8")),
          stderr: (b) => out.push(Buffer.from(b).toString("utf8")),
        });
        if (stackTop === null) stackTop = machine.memory.readBytes(STACK_TOP - 8192, 8192);
        else machine.memory.writeBytes(STACK_TOP - 8192, stackTop);
        machine.translation = options.translate ?? true;
        machine.translateAfter = options.translateAfter ?? 16;
        const stop = machine.run();
        results.push({ stop, out: out.join(""), ...finalState(machine) });
      }
      assert.equal((results[0].stop as StopReason).kind, "exit", JSON.stringify(results[0].stop));
      assert.match(results[0].out as string, /\d/);
      assert.deepEqual(results[1], results[0]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

/** Runs a snippet with each engine; returns the stop and the final state. */
async function both(
  source: string,
  perm: number = Perm.read | Perm.exec,
  steps = 1_000_000,
): Promise<{ stop: StopReason; state: Record<string, unknown> }[]> {
  const out: { stop: StopReason; state: Record<string, unknown> }[] = [];
  for (const options of [INTERPRETED, TRANSLATED, HOT]) {
    const { m } = await setup(source, perm, options);
    const stop = m.run(steps);
    out.push({ stop, state: finalState(m) });
  }
  return out;
}

const LOOP_WITH_FAULT = `
    mov ecx, 100
    mov rbx, 0x60ff00
again:
    add rax, rcx
    mov qword ptr [rbx], rax
    add rbx, 8
    cmp rax, 5
    dec ecx
    jnz again
    int3`;

void test("a fault inside a translated block is precise: rip, registers, flags, steps", async () => {
  const [precise, translated, hot] = await both(LOOP_WITH_FAULT);
  assert.equal(precise.stop.kind, "fault");
  if (precise.stop.kind === "fault")
    assert.match(precise.stop.fault.reason, /write to unmapped address 0x610000/);
  assert.deepEqual(translated, precise);
  assert.deepEqual(hot, precise);
});

void test("a step budget stops translated code at the exact instruction", async () => {
  for (const budget of [1, 5, 17, 40, 41, 42, 100, 257]) {
    const [precise, translated, hot] = await both(LOOP_WITH_FAULT, Perm.read | Perm.exec, budget);
    assert.deepEqual(translated, precise, `budget ${budget}`);
    assert.deepEqual(hot, precise, `budget ${budget}`);
    assert.equal(precise.state.steps, Math.min(budget, precise.state.steps as number));
  }
});

void test("self-modifying code invalidates a translated block, also its own", async () => {
  // The loop rewrites the immediate of an instruction later in its own block: each iteration must
  // see the byte stored by the previous one.
  const source = `
    mov ecx, 50
    xor eax, eax
    lea rdx, [rip + patch]
again:
    mov byte ptr [rdx + 1], cl
patch:
    mov esi, 0
    add eax, esi
    dec ecx
    jnz again
    int3`;
  const [precise, translated, hot] = await both(source, Perm.read | Perm.write | Perm.exec);
  assert.equal(precise.stop.kind, "fault", "ends with int3");
  assert.equal((precise.state.regs as string[])[0], (1275).toString(16), "eax = 50 + 49 + ... + 1");
  assert.deepEqual(translated, precise);
  assert.deepEqual(hot, precise);
});

void test("call and return events are the same from translated blocks", async () => {
  const source = `
    mov ecx, 30
again:
    push rcx
    call f
    pop rcx
    dec ecx
    jnz again
    int3
f:
    lea rax, [rax + rcx]
    ret`;
  const logs: string[][] = [];
  for (const options of [INTERPRETED, TRANSLATED, HOT]) {
    const { m } = await setup(source, Perm.read | Perm.exec, options);
    // The reference runs the precise loop (an instruction observer), where the step count seen by
    // observers is exact; translated blocks must report the same.
    if (options === INTERPRETED) m.addObserver({ onInstruction: () => undefined });
    const log: string[] = [];
    const observer: MachineObserver = {
      onCall: (e) =>
        log.push(`call ${e.rip} ${e.target} ${e.returnAddress} ${e.rsp} rax=${m.getReg(0)} @${m.steps}`),
      onReturn: (e) => log.push(`ret ${e.rip} ${e.target} ${e.rsp} rax=${m.getReg(0)} @${m.steps}`),
    };
    m.addObserver(observer);
    m.run();
    logs.push(log);
  }
  assert.equal(logs[0].length, 60);
  assert.deepEqual(logs[1], logs[0]);
  // Hot translation starts in the fast interpreter, whose events see the step count of the block's
  // start: compare those without it.
  const noSteps = (log: string[]): string[] => log.map((l) => l.replace(/ @\d+$/, ""));
  assert.deepEqual(noSteps(logs[2]), noSteps(logs[0]));
});
