/**
 * Micro benchmark of the emulator's interpreter loop: recursive fib(N) assembled with keystone,
 * run to completion, reported in million instructions per second.
 *   node --import tsx bench/emulator-loop.ts [N] [runs]
 */
import { Machine } from "../src/emulator/machine.js";
import { Perm } from "../src/emulator/types.js";
import { assemble } from "../tests/emulator/keystone.js";

const N = Number(process.argv[2] ?? 25);
const RUNS = Number(process.argv[3] ?? 5);
const CODE = 0x400000;
const STACK_TOP = 0x7ff000000000;

const SOURCE = `
start:
  mov edi, ${N}
  call fib
  mov rdi, rax
  mov eax, 60
  syscall
fib:
  cmp rdi, 2
  jb .small
  push rbx
  push rdi
  lea rdi, [rdi - 1]
  call fib
  mov rbx, rax
  pop rdi
  sub rdi, 2
  call fib
  add rax, rbx
  pop rbx
  ret
.small:
  mov rax, rdi
  ret
`;

function fib(n: number): number {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

const code = await assemble(SOURCE, CODE);

function once(): { steps: number; ms: number; result: bigint } {
  const m = new Machine();
  m.memory.map(CODE, 0x1000, Perm.read | Perm.exec, "text");
  m.memory.writeBytes(CODE, code);
  m.memory.map(STACK_TOP - 0x100000, 0x100000, Perm.read | Perm.write, "stack");
  m.setRegister("rsp", BigInt(STACK_TOP - 64));
  m.rip = CODE;
  let result = -1n;
  m.syscallHandler = {
    handle(machine) {
      result = machine.getRegister("rdi");
      machine.exit(Number(result));
      return 0n;
    },
  };
  const t0 = performance.now();
  const stop = m.run();
  const ms = performance.now() - t0;
  if (stop.kind !== "exit") throw new Error(`unexpected stop: ${JSON.stringify(stop)}`);
  return { steps: m.steps, ms, result };
}

const expected = BigInt(fib(N));
let best = 0;
for (let i = 0; i < RUNS; i++) {
  const { steps, ms, result } = once();
  if (result !== expected) throw new Error(`fib(${N}) = ${result}, expected ${expected}`);
  const mips = steps / ms / 1000;
  best = Math.max(best, mips);
  console.log(`run ${i + 1}: ${steps} instructions in ${ms.toFixed(1)} ms = ${mips.toFixed(1)} MIPS`);
}
console.log(`fib(${N}): best ${best.toFixed(1)} MIPS`);
