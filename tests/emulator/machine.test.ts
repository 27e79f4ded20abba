import assert from "node:assert/strict";
import { test } from "node:test";
import { cpuid } from "../../src/emulator/cpuid.js";
import type { Machine } from "../../src/emulator/machine.js";
import {
  Perm,
  type CallEvent,
  type ReturnEvent,
  type StopReason,
  type SyscallEvent,
} from "../../src/emulator/types.js";
import { CODE, DATA, STACK_TOP, run, setup, u64 } from "./helpers.js";

function fault(stop: StopReason): { signal: string; rip: number; reason: string; address?: number } {
  assert.equal(stop.kind, "fault", `expected a fault, got ${JSON.stringify(stop)}`);
  return stop.fault;
}

const trapped = (stop: StopReason): void => {
  assert.equal(stop.kind, "fault");
  assert.equal(fault(stop).signal, "SIGTRAP", JSON.stringify(stop));
};

void test("32-bit writes zero-extend, 8- and 16-bit writes merge, high-byte registers", async () => {
  const { m, stop } = await run(`
    mov rax, -1
    mov eax, 0x12345678
    mov rbx, -1
    mov bx, 0x1234
    mov rcx, -1
    mov cl, 0x56
    mov rdx, -1
    mov dh, 0x78
    mov rsi, -1
    movzx esi, dh
    mov rdi, -1
    movsx edi, dh
    mov r8, -1
    mov r8b, 1
    int3`);
  trapped(stop);
  assert.equal(m.getRegister("rax"), 0x12345678n);
  assert.equal(m.getRegister("rbx"), 0xffffffffffff1234n);
  assert.equal(m.getRegister("rcx"), 0xffffffffffffff56n);
  assert.equal(m.getRegister("rdx"), 0xffffffffffff78ffn);
  assert.equal(m.getRegister("rsi"), 0x78n);
  assert.equal(m.getRegister("rdi"), 0x78n);
  assert.equal(m.getRegister("r8"), 0xffffffffffffff01n);
});

void test("arithmetic flags: carry, overflow, zero, sign, parity; inc keeps CF", async () => {
  const { m, stop } = await run(`
    mov rax, 0x7fffffffffffffff
    add rax, 1
    pushfq
    pop rbx
    stc
    mov ecx, -1
    inc ecx
    pushfq
    pop rdx
    int3`);
  trapped(stop);
  const f1 = Number(m.getRegister("rbx"));
  assert.equal(f1 & 0x800, 0x800, "OF");
  assert.equal(f1 & 0x80, 0x80, "SF");
  assert.equal(f1 & 0x1, 0, "CF");
  const f2 = Number(m.getRegister("rdx"));
  assert.equal(f2 & 0x1, 1, "inc preserves CF");
  assert.equal(f2 & 0x40, 0x40, "ZF");
  assert.equal(f2 & 0x4, 0x4, "PF");
  assert.equal(m.getFlags() & 0x202, 0x202, "IF and the reserved bit are set");
});

void test("mul, imul, div and idiv of every width", async () => {
  const { m, stop } = await run(`
    mov rax, 0xffffffffffffffff
    mov rbx, 0xffffffffffffffff
    mul rbx
    mov r8, rax
    mov r9, rdx
    mov rax, -7
    cqo
    mov rcx, 2
    idiv rcx
    mov r10, rax
    mov r11, rdx
    mov eax, 100
    xor edx, edx
    mov ecx, 7
    div ecx
    mov r12, rax
    mov r13, rdx
    mov rax, 3
    imul rax, rax, -5
    mov r14, rax
    int3`);
  trapped(stop);
  assert.equal(m.getRegister("r8"), 1n);
  assert.equal(m.getRegister("r9"), 0xfffffffffffffffen);
  assert.equal(m.getRegister("r10"), u64(-3n));
  assert.equal(m.getRegister("r11"), u64(-1n));
  assert.equal(m.getRegister("r12"), 14n);
  assert.equal(m.getRegister("r13"), 2n);
  assert.equal(m.getRegister("r14"), u64(-15n));
});

void test("64-bit imul of two 32-bit values around 2^53 (the exact double fast path) and 2^63", async () => {
  const edges = [0n, 1n, -1n, 3n, -8n, 1n << 26n, -(1n << 26n), 94906265n, 94906266n, -94906267n];
  const vals = [...edges, 2147483647n, -2147483648n, 2147483646n, -2147483647n, 46341n, 3037000499n];
  const pairs = vals.flatMap((a) => vals.map((b) => [a, b] as const));
  // Each product goes to [DATA + 16 k], its CF and OF to the next byte pair.
  const body = pairs
    .map(
      ([a, b], k) => `
    mov rax, ${a}
    mov rbx, ${b}
    imul rax, rbx
    mov qword ptr [${DATA + 16 * k}], rax
    setc byte ptr [${DATA + 16 * k + 8}]
    seto byte ptr [${DATA + 16 * k + 9}]`,
    )
    .join("");
  const { m, stop } = await run(`${body}
    int3`);
  trapped(stop);
  pairs.forEach(([a, b], k) => {
    const p = a * b;
    const wrapped = BigInt.asIntN(64, p);
    const at = `${a} * ${b}`;
    assert.equal(m.memory.read64(DATA + 16 * k), u64(p), at);
    const over = wrapped !== p ? 1 : 0;
    assert.equal(m.memory.read8(DATA + 16 * k + 8), over, `CF of ${at}`);
    assert.equal(m.memory.read8(DATA + 16 * k + 9), over, `OF of ${at}`);
  });
});

void test("string instructions: rep movsb, rep stosq, repne scasb, honouring DF", async () => {
  const { m, stop } = await run(`
    mov rdi, ${DATA}
    mov rax, 0x4142434445464748
    mov ecx, 4
    rep stosq
    mov rsi, ${DATA}
    mov rdi, ${DATA + 0x100}
    mov ecx, 32
    rep movsb
    mov rdi, ${DATA + 0x100}
    mov al, 0x43
    mov ecx, 100
    repne scasb
    mov r8, rcx
    std
    mov rsi, ${DATA + 7}
    lodsb
    cld
    int3`);
  trapped(stop);
  const bytes = m.memory.readBytes(DATA + 0x100, 32);
  assert.deepEqual(Array.from(bytes.subarray(0, 8)), [0x48, 0x47, 0x46, 0x45, 0x44, 0x43, 0x42, 0x41]);
  assert.equal(m.getRegister("r8"), 94n, "found 'C' at index 5: 100 - 6 iterations left");
  assert.equal(m.getRegister("rax") & 0xffn, 0x41n);
  assert.equal(m.getRegister("rsi"), BigInt(DATA + 6));
});

void test("rep stos in bulk: every element width, repeated and mixed byte patterns, across pages", async () => {
  // [start offset, count, width, rax]: spans start mid-page and cross one or two page boundaries.
  const cases: [number, number, number, bigint][] = [
    [0x0ffd, 3000, 8, 0x0102030405060708n],
    [0x3001, 2500, 8, 0x2a2a2a2a2a2a2a2an],
    [0x5ff0, 1027, 4, 0x11223344n],
    [0x7ffa, 4099, 2, 0xa55an],
    [0xa003, 5000, 1, 0x7fn],
  ];
  const body = cases
    .map(
      ([at, n, w, v]) => `
    mov rdi, ${DATA + at}
    mov rax, ${v}
    mov ecx, ${n}
    rep stos${{ 1: "b", 2: "w", 4: "d", 8: "q" }[w]}`,
    )
    .join("");
  const { m, stop } = await run(`
    mov rdi, ${DATA}
    xor eax, eax
    mov ecx, 0x10000
    mov al, 0xee
    rep stosb${body}
    int3`);
  trapped(stop);
  const mem = m.memory.readBytes(DATA, 0x10000);
  const expected = new Uint8Array(0x10000).fill(0xee);
  for (const [at, n, w, v] of cases)
    for (let k = 0; k < n * w; k++) expected[at + k] = Number((v >> BigInt(8 * (k % w))) & 0xffn);
  assert.deepEqual(mem, expected);
  assert.equal(m.getRegister("rcx"), 0n);
  assert.equal(m.getRegister("rdi"), BigInt(DATA + 0xa003 + 5000));
});

void test("repne scasb, repe scasb, repe cmpsb, repne cmpsb over long spans: the stopping element, flags, faults", async () => {
  const { m } = await setup(`
    mov rdi, ${DATA + 0x0ff0}
    xor eax, eax
    mov rcx, -1
    repne scasb
    mov r8, rdi
    mov r9, rcx
    sete r10b
    mov rsi, ${DATA + 0x3000}
    mov rdi, ${DATA + 0x6100}
    mov ecx, 6000
    repe cmpsb
    mov r11, rsi
    mov r12, rcx
    setb r13b
    sete r14b
    mov rdi, ${DATA + 0x9001}
    mov al, 0x41
    mov ecx, 5000
    repe scasb
    mov r15, rcx
    mov rsi, ${DATA + 0x3000}
    mov rdi, ${DATA + 0x6100}
    mov ecx, 2000
    repe cmpsb
    sete bl
    mov rsi, ${DATA + 0xb000}
    mov rdi, ${DATA + 0xd000}
    mov ecx, 4700
    repne cmpsb
    mov rbp, rcx
    mov rsi, ${DATA + 0x0100}
    mov rdi, ${DATA + 0x0101}
    mov ecx, 3000
    repe cmpsb
    mov rdx, rcx
    mov rdi, ${DATA + 0xf000}
    mov al, 1
    mov ecx, 9000
    repne scasb
    int3`);
  const put = (at: number, bytes: Uint8Array): void => m.memory.writeBytes(DATA + at, bytes);
  put(0x0ff0, new Uint8Array(5000).fill(0x78)); // then the NUL at 0x0ff0 + 5000
  const block = Uint8Array.from({ length: 6000 }, (_, k) => (k * 7) & 0xff);
  put(0x3000, block);
  block[5000] = (block[5000] + 1) & 0xff; // [rsi] < [rdi] at index 5000
  put(0x6100, block);
  put(0x9001, new Uint8Array(4200).fill(0x41)); // a 0x00 at index 4200
  put(0xb000, new Uint8Array(4700).fill(1));
  const other = new Uint8Array(4700).fill(2);
  other[4500] = 1; // the first equal byte
  put(0xd000, other);
  put(0xf000, new Uint8Array(0x1000).fill(2)); // no 1 before the end of the data mapping
  put(
    0x0100,
    Uint8Array.from({ length: 0xef0 - 0x100 }, (_, k) => k & 0xff),
  ); // [rdi + k] = [rsi + k] + 1
  const stop = m.run();
  assert.equal(stop.kind, "fault");
  const f = fault(stop);
  assert.equal(f.signal, "SIGSEGV");
  assert.equal(f.address, DATA + 0x10000);
  assert.equal(m.getRegister("r8"), BigInt(DATA + 0x0ff0 + 5001), "rdi: past the NUL");
  assert.equal(m.getRegister("r9"), u64(-1n - 5001n));
  assert.equal(m.getRegister("r10") & 0xffn, 1n, "ZF: found");
  assert.equal(m.getRegister("r11"), BigInt(DATA + 0x3000 + 5001), "rsi: past the mismatch");
  assert.equal(m.getRegister("r12"), BigInt(6000 - 5001));
  assert.equal(m.getRegister("r13") & 0xffn, 1n, "CF: below");
  assert.equal(m.getRegister("r14") & 0xffn, 0n, "ZF: different");
  assert.equal(m.getRegister("r15"), BigInt(5000 - 4201));
  assert.equal(m.getRegister("rbx") & 0xffn, 1n, "2000 equal bytes");
  assert.equal(m.getRegister("rbp"), BigInt(4700 - 4501));
  assert.equal(m.getRegister("rdx"), 2999n, "the first bytes differ");
  // The fault leaves rdi at the failing byte and rcx counting what is left.
  assert.equal(m.getRegister("rdi"), BigInt(DATA + 0x10000));
  assert.equal(m.getRegister("rcx"), BigInt(9000 - 0x1000));
});

void test("std; rep movsb onto an overlapping destination above the source is memmove, across pages; a fault stops at its byte", async () => {
  const n = 0x2300;
  const from = 0x0f00;
  const to = from + 0x123;
  const { m } = await setup(`
    mov rsi, ${DATA + from + n - 1}
    mov rdi, ${DATA + to + n - 1}
    mov ecx, ${n}
    std
    rep movsb
    cld
    mov r8, rsi
    mov r9, rdi
    mov rsi, ${DATA + 0x40}
    mov rdi, ${DATA + 0x5000}
    mov ecx, 0x100
    std
    rep movsb
    int3`);
  const bytes = Uint8Array.from({ length: 0x10000 }, (_, k) => (k * 13 + 5) & 0xff);
  m.memory.writeBytes(DATA, bytes);
  const stop = m.run();
  const expected = bytes.slice();
  expected.copyWithin(to, from, from + n);
  // The second copy ran down from DATA + 0x40 into the unmapped page below DATA: 0x41 bytes done.
  expected.copyWithin(0x5000 - 0x40, 0, 0x41);
  assert.equal(fault(stop).address, DATA - 1);
  assert.deepEqual(m.memory.readBytes(DATA, 0x10000), expected);
  assert.equal(m.getRegister("r8"), BigInt(DATA + from - 1));
  assert.equal(m.getRegister("r9"), BigInt(DATA + to - 1));
  assert.equal(m.getRegister("rsi"), BigInt(DATA - 1));
  assert.equal(m.getRegister("rdi"), BigInt(DATA + 0x5000 - 0x41));
  assert.equal(m.getRegister("rcx"), BigInt(0x100 - 0x41));
});

void test("fs and gs segment overrides add the segment base", async () => {
  const { m } = await setup(`
    mov rax, qword ptr fs:[0x10]
    mov rbx, qword ptr gs:[rcx + 8]
    int3`);
  m.fsBase = BigInt(DATA);
  m.gsBase = BigInt(DATA + 0x100);
  m.setRegister("rcx", 8n);
  m.memory.write64(DATA + 0x10, 0x1122334455667788n);
  m.memory.write64(DATA + 0x110, 0x99n);
  trapped(m.run());
  assert.equal(m.getRegister("rax"), 0x1122334455667788n);
  assert.equal(m.getRegister("rbx"), 0x99n);
});

void test("SSE moves and arithmetic", async () => {
  const { m } = await setup(`
    mov rax, 0x4008000000000000
    movq xmm0, rax
    mov rax, 0x3ff0000000000000
    movq xmm1, rax
    addsd xmm0, xmm1
    cvttsd2si rbx, xmm0
    pxor xmm2, xmm2
    pcmpeqb xmm3, xmm3
    pmovmskb ecx, xmm3
    ucomisd xmm0, xmm1
    seta dl
    int3`);
  trapped(m.run());
  assert.equal(m.getRegister("rbx"), 4n);
  assert.equal(m.getRegister("rcx"), 0xffffn);
  assert.equal(m.getRegister("rdx") & 0xffn, 1n);
  assert.deepEqual(Array.from(m.getXmm(2)), new Array<number>(16).fill(0));
});

// ---------------------------------------------------------------- faults

void test("misaligned movaps is #GP: SIGSEGV naming the operand address", async () => {
  const { stop } = await run(`
    mov rax, ${DATA + 8}
    movaps xmm0, xmmword ptr [rax]
    int3`);
  const f = fault(stop);
  assert.equal(f.signal, "SIGSEGV");
  assert.equal(f.rip, CODE + 7);
  assert.match(
    f.reason,
    new RegExp(`^movaps operand at 0x${(DATA + 8).toString(16)} is not 16-byte aligned`),
  );
});

void test("unmapped reads and writes are #PF: SIGSEGV with the address; the state is left as before", async () => {
  const r1 = await run(`
    mov rax, 0x12345678
    mov rbx, qword ptr [rax]`);
  const f1 = fault(r1.stop);
  assert.equal(f1.signal, "SIGSEGV");
  assert.equal(f1.address, 0x12345678);
  assert.equal(f1.reason, "read from unmapped address 0x12345678");
  assert.equal(r1.m.rip, CODE + 7);

  const r2 = await run(`
    mov rsp, 0x1000
    push rax`);
  const f2 = fault(r2.stop);
  assert.equal(f2.reason, "write to unmapped address 0xff8");
  assert.equal(r2.m.getRegister("rsp"), 0x1000n, "push faulted before moving rsp");

  const r3 = await run(`
    lea rax, [rip]
    mov byte ptr [rax], 1`);
  const f3 = fault(r3.stop);
  assert.match(f3.reason, /^write to read-only page at 0x/);
});

void test("division errors are #DE: SIGFPE", async () => {
  const f1 = fault((await run("xor ecx, ecx\ndiv rcx")).stop);
  assert.equal(f1.signal, "SIGFPE");
  assert.match(f1.reason, /division by zero/);
  const f2 = fault((await run("mov eax, 0x80000000\ncdq\nmov ecx, -1\nidiv ecx")).stop);
  assert.equal(f2.signal, "SIGFPE");
  assert.match(f2.reason, /quotient/);
});

void test("undefined and unsupported instructions are #UD: SIGILL naming them", async () => {
  const f1 = fault((await run("ud2")).stop);
  assert.equal(f1.signal, "SIGILL");
  assert.equal(f1.rip, CODE);
  assert.match(f1.reason, /^ud2/);

  const { m } = await setup("nop");
  m.memory.protect(CODE, 0x1000, Perm.read | Perm.write);
  m.memory.writeBytes(CODE, Uint8Array.from([0xc5, 0xfc, 0x58, 0xc0])); // vaddps ymm0, ymm0, ymm0
  m.memory.protect(CODE, 0x1000, Perm.read | Perm.exec);
  const f2 = fault(m.run());
  assert.equal(f2.signal, "SIGILL");
  assert.match(f2.reason, /^unsupported instruction vaddps/);

  m.rip = CODE;
  m.memory.protect(CODE, 0x1000, Perm.read | Perm.write);
  m.memory.writeBytes(CODE, Uint8Array.from([0x0f, 0x04]));
  m.memory.protect(CODE, 0x1000, Perm.read | Perm.exec);
  const f3 = fault(m.run());
  assert.equal(f3.signal, "SIGILL");
  assert.match(f3.reason, /^invalid opcode \(bytes 0f 04/);
});

void test("int3 traps (SIGTRAP, rip after it); hlt is privileged (SIGSEGV)", async () => {
  const r = await run("nop\nint3\nnop");
  const f = fault(r.stop);
  assert.equal(f.signal, "SIGTRAP");
  assert.equal(f.rip, CODE + 1);
  assert.equal(r.m.rip, CODE + 2);
  assert.equal(r.m.steps, 2);
  const h = fault((await run("hlt")).stop);
  assert.equal(h.signal, "SIGSEGV");
  assert.match(h.reason, /privileged instruction hlt/);
});

void test("executing data or unmapped memory faults at the target", async () => {
  const r1 = await run(`mov rax, ${DATA}\njmp rax`);
  const f1 = fault(r1.stop);
  assert.equal(f1.rip, DATA);
  assert.equal(f1.reason, `execute from non-executable page at 0x${DATA.toString(16)}`);
  const r2 = await run(`mov rax, 0x100000\ncall rax`);
  const f2 = fault(r2.stop);
  assert.equal(f2.reason, "execute from unmapped address 0x100000");
  assert.equal(r2.m.getRegister("rsp"), BigInt(STACK_TOP - 0x108), "the call pushed its return address");
  const r3 = await run(`mov rax, 0x0001000000000000\njmp rax`);
  const f3 = fault(r3.stop);
  assert.equal(f3.rip, CODE + 10, "non-canonical targets fault at the jump (#GP)");
  assert.match(f3.reason, /non-canonical/);
});

void test("no JavaScript exception escapes for absurd addresses", async () => {
  const r = await run("mov rax, -1\nmov rbx, qword ptr [rax + rax*8 + 0x7fffffff]");
  assert.equal(fault(r.stop).signal, "SIGSEGV");
  const r2 = await run("mov rsp, 0x8000000000000000\npush rax");
  assert.equal(fault(r2.stop).signal, "SIGBUS", "non-canonical stack access is #SS");
  const r3 = await run("mov rax, 0x8000000000000000\npush rbx\npop qword ptr [rax]");
  assert.equal(fault(r3.stop).signal, "SIGSEGV", "a pop's non-canonical destination is #GP");
  assert.equal(r3.m.getRegister("rsp"), BigInt(STACK_TOP - 0x108), "and rsp is as before the pop");
});

// ---------------------------------------------------------------- self-modifying code

void test("self-modifying code: a write to decoded code takes effect at the next instruction", async () => {
  const { m } = await setup(
    `
    lea rax, [rip + patch]
    mov byte ptr [rax + 1], 42
patch:
    mov ebx, 7
    int3`,
    Perm.read | Perm.write | Perm.exec,
  );
  trapped(m.run());
  assert.equal(m.getRegister("rbx"), 42n);
});

void test("data written next to code on the same page does not force re-decoding", async () => {
  const { m } = await setup(
    `
    lea rbx, [rip + scratch]
    mov ecx, 1000
again:
    mov qword ptr [rbx], rcx
    dec ecx
    jnz again
    int3
scratch:
    .quad 0`,
    Perm.read | Perm.write | Perm.exec,
  );
  trapped(m.run());
  assert.ok(m.cache.decoded <= 4, `decoded ${m.cache.decoded} blocks`);
});

void test("self-modifying code: the kernel rewriting code between runs invalidates the cache", async () => {
  const { m } = await setup("mov eax, 1\nint3");
  trapped(m.run());
  assert.equal(m.getRegister("rax"), 1n);
  m.memory.protect(CODE, 0x1000, Perm.read | Perm.write);
  m.memory.writeBytes(CODE + 1, Uint8Array.from([2]));
  m.memory.protect(CODE, 0x1000, Perm.read | Perm.exec);
  m.rip = CODE;
  trapped(m.run());
  assert.equal(m.getRegister("rax"), 2n);
});

// ---------------------------------------------------------------- breakpoints, stepping

void test("breakpoints stop before the instruction; continuing from one works", async () => {
  const { m } = await setup(`
    mov eax, 1
    mov ebx, 2
    mov ecx, 3
    int3`);
  m.run(1); // decode the whole block first: breakpoints must split cached blocks
  m.rip = CODE;
  m.setRegister("rax", 0n);
  m.addBreakpoint(CODE + 5);
  const s1 = m.run();
  assert.deepEqual(s1, { kind: "breakpoint", rip: CODE + 5 });
  assert.equal(m.rip, CODE + 5);
  assert.equal(m.getRegister("rax"), 1n);
  assert.equal(m.getRegister("rbx"), 0n, "the breakpoint instruction did not run");
  trapped(m.run());
  assert.equal(m.getRegister("rcx"), 3n);
  m.removeBreakpoint(CODE + 5);
  m.rip = CODE;
  trapped(m.run());
});

void test("step() executes one instruction; run(n) stops after n", async () => {
  const { m } = await setup("mov eax, 1\nmov ebx, 2\nmov ecx, 3\nint3");
  assert.equal(m.step(), undefined);
  assert.equal(m.rip, CODE + 5);
  assert.equal(m.steps, 1);
  assert.deepEqual(m.run(2), { kind: "step-limit", steps: 3 });
  assert.equal(m.rip, CODE + 15);
  assert.equal(m.getRegister("rcx"), 3n);
});

// ---------------------------------------------------------------- observers, syscalls

void test("observers see calls and returns, with ret imm16 popping its extra bytes", async () => {
  const { m } = await setup(`
    push 5
    call f
    int3
f:
    ret 8`);
  const calls: CallEvent[] = [];
  const rets: ReturnEvent[] = [];
  m.addObserver({ onCall: (e) => calls.push(e), onReturn: (e) => rets.push(e) });
  trapped(m.run());
  const sp = STACK_TOP - 0x100;
  assert.deepEqual(calls, [{ rip: CODE + 2, returnAddress: CODE + 7, target: CODE + 8, rsp: sp - 8 }]);
  assert.deepEqual(rets, [{ rip: CODE + 8, target: CODE + 7, rsp: sp }]);
});

void test("syscall dispatches to the handler: rcx/r11 set like hardware, rax gets the result", async () => {
  const { m } = await setup(`
    mov eax, 1
    mov edi, 2
    mov rsi, 3
    mov edx, 4
    syscall
    mov r12, rcx
    mov eax, 60
    mov edi, 7
    syscall
    int3`);
  const seen: bigint[][] = [];
  const events: SyscallEvent[] = [];
  m.syscallHandler = {
    handle(g) {
      const n = g.getRegister("rax");
      seen.push([n, g.getRegister("rdi"), g.getRegister("rsi"), g.getRegister("rdx"), g.getRegister("rcx")]);
      if (n === 60n) g.exit(Number(g.getRegister("rdi")));
      return 42n;
    },
    nameOf: (n) => (n === 1 ? "write" : "exit"),
  };
  m.addObserver({ onSyscall: (e) => events.push(e) });
  const stop = m.run();
  assert.deepEqual(stop, { kind: "exit", code: 7 });
  assert.deepEqual(seen[0], [1n, 2n, 3n, 4n, BigInt(CODE + 24)]);
  assert.equal(m.getRegister("r12"), BigInt(CODE + 24));
  assert.equal(m.getRegister("r11") & 0x202n, 0x202n);
  assert.equal(events[0].name, "write");
  assert.equal(events[0].result, 42n);
  assert.deepEqual(events[0].args.slice(0, 3), [2n, 3n, 4n]);
  assert.deepEqual(m.run(), { kind: "exit", code: 7 }, "exit is sticky");
});

void test("without a syscall handler a syscall returns -ENOSYS", async () => {
  const { m } = await setup("mov eax, 999\nsyscall\nint3");
  trapped(m.run());
  assert.equal(m.getRegister("rax"), u64(-38n));
});

void test("onInstruction and onMemoryWrite observers (precise loop), halt from an observer", async () => {
  const { m } = await setup(`
    mov eax, 1
    mov qword ptr [rsp - 8], rax
    push rbx
    call f
    int3
f:
    ret`);
  const rips: number[] = [];
  const writes: [number, number, bigint][] = [];
  const unsubscribe = m.addObserver({
    onInstruction: (rip) => rips.push(rip),
    onMemoryWrite: (address, size) => writes.push([address, size, m.memory.read64(address)]),
  });
  m.memory.write64(STACK_TOP - 0x108, 0xdeadn);
  writes.length = 0;
  trapped(m.run());
  assert.deepEqual(rips, [CODE, CODE + 5, CODE + 10, CODE + 11, CODE + 17, CODE + 16]);
  const sp = STACK_TOP - 0x100;
  assert.deepEqual(writes, [
    [sp - 8, 8, 0xdeadn],
    [sp - 8, 8, 1n],
    [sp - 16, 8, 0n],
  ]);
  unsubscribe();
  m.rip = CODE;
  m.addObserver({ onCall: () => m.halt("enough") });
  assert.deepEqual(m.run(), { kind: "halted", reason: "enough" });
  assert.equal(m.rip, CODE + 17, "the call completed");
});

void test("onFault observers are told about faults", async () => {
  const { m } = await setup("ud2");
  const faults: string[] = [];
  m.addObserver({ onFault: (f) => faults.push(f.signal) });
  m.run();
  assert.deepEqual(faults, ["SIGILL"]);
});

void test("saveState/restoreState restore registers, flags, xmm, rip and steps", async () => {
  const { m } = await setup("mov rax, 5\nadd rax, -6\nmovq xmm3, rax\nint3");
  m.step();
  const saved = m.saveState();
  trapped(m.run());
  const after = m.saveState();
  m.restoreState(saved);
  assert.equal(m.getRegister("rax"), 5n);
  assert.equal(m.rip, CODE + 7);
  assert.equal(m.steps, 1);
  trapped(m.run());
  assert.deepEqual(m.saveState(), after);
});

void test("cpuid reports GenuineIntel, family 6, SSE2 and no AVX; rdtsc is monotonic", async () => {
  const { m } = await setup(`
    xor eax, eax
    cpuid
    mov r8d, ebx
    mov r9d, edx
    mov r10d, ecx
    mov eax, 1
    cpuid
    mov r11d, ecx
    mov r12d, edx
    mov r13d, eax
    rdtsc
    mov r14d, eax
    rdtsc
    mov r15d, eax
    int3`);
  trapped(m.run());
  const text = [m.getRegister("r8"), m.getRegister("r9"), m.getRegister("r10")]
    .map((v) =>
      Buffer.from(new BigUint64Array([v]).buffer)
        .subarray(0, 4)
        .toString("latin1"),
    )
    .join("");
  assert.equal(text, "GenuineIntel");
  const edx = Number(m.getRegister("r12"));
  const ecx = Number(m.getRegister("r11"));
  assert.ok(edx & (1 << 26), "SSE2");
  assert.equal(ecx & (1 << 28), 0, "no AVX");
  assert.equal(ecx & 1, 0, "no SSE3");
  assert.equal((Number(m.getRegister("r13")) >> 8) & 0xf, 6, "family 6");
  assert.ok(m.getRegister("r15") > m.getRegister("r14"));
  assert.equal(cpuid(7, 0).ebx & (1 << 5), 0, "no AVX2");
});

void test("exit() and halt() outside instructions; getRegister/setRegister round-trip", async () => {
  const { m } = await setup("nop\nint3");
  m.setRegister("r15", 0xfedcba9876543210n);
  assert.equal(m.getRegister("r15"), 0xfedcba9876543210n);
  m.halt("stop now");
  assert.deepEqual(m.run(), { kind: "halted", reason: "stop now" });
  trapped(m.run());
  m.exit(3);
  assert.deepEqual(m.run(), { kind: "exit", code: 3 });
});

export type { Machine };
