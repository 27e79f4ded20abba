import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { Perm } from "../../src/emulator/types.js";
import { FunctionLab, type CallResult } from "../../src/lab/function-lab.js";
import { ReusableProcess } from "../../src/lab/reusable-process.js";
import { loadProcess } from "../../src/loader/index.js";

/**
 * Functions that each change some state a call could leak into the next one, and return what they
 * found of it: in a new process every call returns the same thing, so a reused process must too.
 */
const LIBRARY = `
.intel_syntax noprefix
.data
counter:  .quad 0
pointer:  .quad 0
buffer:   .quad 0
path:     .asciz "input.txt"
hello:    .ascii "hi\\n"
.text

# long bump(void): ++counter (a global in .data)
.globl bump
bump:
    mov rax, [rip + counter]
    inc rax
    mov [rip + counter], rax
    ret

# long leftovers(void): registers no argument sets (r10, r11, xmm3, DF, the x87 stack top, the fs
# base), summed, then all changed (DF left set)
.globl leftovers
leftovers:
    sub rsp, 24
    mov rax, r10
    add rax, r11
    movq rcx, xmm3
    add rax, rcx
    pushfq
    pop rcx
    and rcx, 0x400
    add rax, rcx
    fnstsw [rsp]
    movzx ecx, word ptr [rsp]
    add rax, rcx
    mov [rsp + 8], rax
    mov eax, 158                  # arch_prctl(ARCH_GET_FS, rsp)
    mov edi, 0x1003
    mov rsi, rsp
    syscall
    mov rax, [rsp + 8]
    add rax, [rsp]
    mov [rsp + 8], rax
    mov eax, 158                  # arch_prctl(ARCH_SET_FS, 0x123000)
    mov edi, 0x1002
    mov esi, 0x123000
    syscall
    mov r10, 5
    mov r11, 6
    mov ecx, 7
    movq xmm3, rcx
    fld1
    std
    mov rax, [rsp + 8]
    add rsp, 24
    ret

# long stack_slots(void): a red-zone slot and a slot 20000 bytes down, read then written
.globl stack_slots
stack_slots:
    mov rax, [rsp - 64]
    mov qword ptr [rsp - 64], 0x77
    sub rsp, 20000
    add rax, [rsp]
    mov qword ptr [rsp], 0x99
    add rsp, 20000
    ret

# long heap(void): an anonymous mmap's address plus its first word, then written; and the brk
.globl heap
heap:
    push rbx
    mov eax, 9                    # mmap(0, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
    xor edi, edi
    mov esi, 4096
    mov edx, 3
    mov r10d, 0x22
    mov r8, -1
    xor r9d, r9d
    syscall
    mov rbx, rax
    add rbx, [rax]
    mov qword ptr [rax], 1
    add rbx, [rip + pointer]      # 0 unless an earlier call's pointer is still here
    mov [rip + pointer], rax
    mov eax, 12                   # brk(0)
    xor edi, edi
    syscall
    mov rdi, rax
    add rdi, 4096
    push rax
    push rax
    mov eax, 12                   # brk(brk + 4096)
    syscall
    pop rax
    pop rax
    add rbx, rax
    add rbx, [rax]
    mov qword ptr [rax], 5
    mov rax, rbx
    pop rbx
    ret

# long files(void): the buffer's word (0 until read into), then 1000 * the fd of a new open plus
# what read() writes into the buffer; prints "hi"
.globl files
files:
    push rbx
    mov rbx, [rip + buffer]
    mov eax, 2                    # open("input.txt", O_RDONLY)
    lea rdi, [rip + path]
    xor esi, esi
    syscall
    imul rcx, rax, 1000
    add rbx, rcx
    mov edi, eax                  # read(fd, buffer, 8)
    mov eax, 0
    lea rsi, [rip + buffer]
    mov edx, 8
    syscall
    add rbx, [rip + buffer]
    mov eax, 1                    # write(1, "hi\\n", 3)
    mov edi, 1
    lea rsi, [rip + hello]
    mov edx, 3
    syscall
    mov rax, rbx
    pop rbx
    ret

# long tsc(void): the time-stamp counter
.globl tsc
tsc:
    rdtsc
    shl rdx, 32
    or rax, rdx
    ret

# void leave(void): counter changed, then exit(3)
.globl leave
leave:
    add qword ptr [rip + counter], 100
    mov eax, 60
    mov edi, 3
    syscall

# void unmap_data(void): counter changed, then its page unmapped and mapped again (zero-filled)
.globl unmap_data
unmap_data:
    add qword ptr [rip + counter], 100
    lea rdi, [rip + counter]
    and rdi, -4096
    jmp remap_area

# void protect_data(void): counter changed, then its page made read-only
.globl protect_data
protect_data:
    add qword ptr [rip + counter], 100
    lea rdi, [rip + counter]
    and rdi, -4096
    mov eax, 10                   # mprotect(page, 4096, PROT_READ)
    mov esi, 4096
    mov edx, 1
    syscall
    ret

# void crash(void): counter changed, then a write to address 8
.globl crash
crash:
    add qword ptr [rip + counter], 100
    mov qword ptr [8], 1
    ret

# remap_area(long address): the page at address unmapped, then mapped again (zero-filled)
.globl remap_area
remap_area:
    push rdi
    mov eax, 11                   # munmap(address, 4096)
    mov esi, 4096
    syscall
    pop rdi
    mov eax, 9                    # mmap(address, 4096, RW, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
    mov esi, 4096
    mov edx, 3
    mov r10d, 0x32
    mov r8, -1
    xor r9d, r9d
    syscall
.globl remap_done
remap_done:
    ret

# void spin(void): counter changed until the step limit
.globl spin
spin:
    add qword ptr [rip + counter], 100
    jmp spin
`;

let lab: FunctionLab;
let sandboxDir: string;

before(async () => {
  lab = await FunctionLab.fromAssembly(LIBRARY, "state.s");
  sandboxDir = mkdtempSync(join(tmpdir(), "abi-lab-reuse-"));
  writeFileSync(join(sandboxDir, "input.txt"), "ABCDEFGH");
});

after(() => rmSync(sandboxDir, { recursive: true, force: true }));

/** What a call left visible: its result, output, how it stopped and the instructions it took. */
function seen(r: CallResult) {
  return {
    returned: r.returned,
    rax: r.rax,
    stdout: r.stdout,
    stop: r.stop.kind,
    steps: r.steps,
    violations: r.violations.map((v) => v.rule),
  };
}

/** Calls each name in turn, in new processes and in the lab's reused one: both must see the same. */
function compare(names: string[]) {
  const run = (reuseProcess: boolean) =>
    names.map((name) => seen(lab.call(name, [], { sandboxDir, maxSteps: 5_000, reuseProcess })));
  const fresh = run(false);
  const reused = run(true);
  assert.deepEqual(reused, fresh);
  return reused;
}

test("a global written by one call is back to its loaded value in the next", () => {
  const r = compare(["bump", "bump", "bump"]);
  assert.deepEqual(
    r.map((x) => x.rax),
    [1n, 1n, 1n],
  );
});

test("registers no argument sets (scratch, xmm, DF, x87, fs base) start as in a new process", () => {
  const r = compare(["leftovers", "leftovers", "leftovers"]);
  assert.equal(r[1].rax, r[0].rax);
  assert.ok(r[0].violations.includes("direction-flag"), "DF left set is a violation");
});

test("stack slots, the heap (mmap, brk), files and output do not carry over", () => {
  const r = compare(["stack_slots", "stack_slots", "heap", "heap", "files", "files"]);
  assert.equal(r[0].rax, 0n);
  assert.equal(r[1].rax, 0n);
  assert.equal(r[3].rax, r[2].rax);
  assert.equal(r[5].rax, r[4].rax);
  assert.equal(r[5].rax, 3000n + Buffer.from("ABCDEFGH").readBigUInt64LE(0));
  assert.equal(r[5].stdout, "hi\n");
});

test("a call that exits, faults, loops or changes the loaded areas leaves nothing to the next", () => {
  const r = compare([
    "bump",
    "leave",
    "bump",
    "crash",
    "bump",
    "spin",
    "bump",
    "unmap_data",
    "bump",
    "protect_data",
    "bump",
  ]);
  assert.deepEqual(
    r.map((x) => x.stop),
    [
      "breakpoint",
      "exit",
      "breakpoint",
      "fault",
      "breakpoint",
      "step-limit",
      "breakpoint",
      "breakpoint",
      "breakpoint",
      "breakpoint",
      "breakpoint",
    ],
  );
  for (const k of [0, 2, 4, 6, 8, 10]) assert.equal(r[k].rax, 1n, `bump after call ${k}`);
});

test("a loaded page replaced without a write (munmap, mmap MAP_FIXED) is noticed even where the areas look the same", () => {
  const AREA = 0x7000_0000;
  const process = new ReusableProcess(() => {
    const loaded = loadProcess({ image: lab.image, argv: ["state.s"], env: [] });
    // Named as the kernel names its own mappings: after the remap, the list of areas is the same.
    loaded.machine.memory.map(AREA, 4096, Perm.read | Perm.write, "mmap");
    loaded.machine.memory.write64(AREA, 42n);
    return loaded;
  });
  const setup = { sandboxDir, stdout: () => undefined, stderr: () => undefined };
  let { machine } = process.acquire(setup);
  const regions = machine.memory.regions();
  machine.addBreakpoint(lab.addressOf("remap_done")!);
  machine.setRegister("rdi", BigInt(AREA));
  machine.rip = lab.addressOf("remap_area")!;
  assert.equal(machine.run(1_000).kind, "breakpoint");
  assert.equal(machine.memory.read64(AREA), 0n);
  assert.deepEqual(machine.memory.regions(), regions);
  ({ machine } = process.acquire(setup));
  assert.equal(machine.memory.read64(AREA), 42n);
  assert.deepEqual([...machine.breakpoints], []);
});

test("a call's observers see only that call", () => {
  let seen = 0;
  lab.call("bump", [], { sandboxDir, reuseProcess: true, observers: [{ onInstruction: () => void seen++ }] });
  const during = seen;
  assert.ok(during > 0);
  lab.call("bump", [], { sandboxDir, reuseProcess: true });
  assert.equal(seen, during);
});

test("the time-stamp counter reads the same in every call", () => {
  const r = compare(["tsc", "tsc", "bump", "tsc"]);
  assert.equal(r[1].rax, r[0].rax);
  assert.equal(r[3].rax, r[0].rax);
});

test("a reused process starts faster than a new one", () => {
  const time = (reuseProcess: boolean) => {
    const started = performance.now();
    for (let k = 0; k < 40; k++) lab.call("bump", [], { sandboxDir, reuseProcess });
    return performance.now() - started;
  };
  time(true);
  time(false);
  const reused = time(true);
  const fresh = time(false);
  assert.ok(reused < fresh, `reused ${reused.toFixed(0)} ms, new ${fresh.toFixed(0)} ms for 40 calls`);
});
